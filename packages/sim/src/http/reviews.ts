// The review kinds (access reviews, rules reviews, token and self-subject reviews) are questions,
// not objects: the real server answers them on create and stores nothing. The simulator has one
// all-powerful user, so every question gets a yes.
import type { SimResourceType } from "../catalog.js";
import type { KubeObject } from "../object-api.js";
import { isPlainObject, nowTimestamp } from "../store/object-meta.js";

const reviewGroups = new Set(["authorization.k8s.io", "authentication.k8s.io"]);

export const simulatorUser = {
  username: "kubernetes-admin",
  groups: ["kubeadm:cluster-admins", "system:authenticated"],
};

export function isReviewType(type: SimResourceType): boolean {
  return reviewGroups.has(type.group) && type.verbs.length === 1 && type.verbs[0] === "create";
}

/** The answered review, as the real server returns it (metadata gets a creationTimestamp only). */
export function answerReview(type: SimResourceType, body: KubeObject): KubeObject {
  const answered: KubeObject = {
    ...body,
    kind: type.kind,
    apiVersion: `${type.group}/${type.version}`,
    metadata: { ...(isPlainObject(body.metadata) ? body.metadata : {}), creationTimestamp: nowTimestamp() },
  };
  switch (type.kind) {
    case "SubjectAccessReview":
    case "LocalSubjectAccessReview":
    case "SelfSubjectAccessReview":
      answered.status = { allowed: true, reason: "the simulator authorizes every request" };
      break;
    case "SelfSubjectRulesReview":
      answered.status = {
        resourceRules: [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }],
        nonResourceRules: [{ verbs: ["*"], nonResourceURLs: ["*"] }],
        incomplete: false,
      };
      break;
    case "SelfSubjectReview":
      answered.status = { userInfo: simulatorUser };
      break;
    case "TokenReview": {
      const spec = isPlainObject(body.spec) ? body.spec : {};
      answered.status = {
        authenticated: true,
        user: simulatorUser,
        audiences: Array.isArray(spec.audiences) ? spec.audiences : [],
      };
      break;
    }
  }
  return answered;
}
