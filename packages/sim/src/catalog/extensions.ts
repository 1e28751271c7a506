import { groupVersion } from "./define.js";
import type { SimResourceType } from "./types.js";

const admission = groupVersion("admissionregistration.k8s.io", "v1");
const apiextensions = groupVersion("apiextensions.k8s.io", "v1");
const apiregistration = groupVersion("apiregistration.k8s.io", "v1");
const authentication = groupVersion("authentication.k8s.io", "v1");
const authorization = groupVersion("authorization.k8s.io", "v1");

const apiExtensions = ["api-extensions"];
// Review types are answered on create and never stored, so create is all they offer.
const createOnly = { verbs: ["create"] };

/** Types that extend or guard the API itself: admission, CRDs, API services, authn/authz reviews. */
export const extensionTypes: readonly SimResourceType[] = [
  admission.cluster("mutatingadmissionpolicies", "MutatingAdmissionPolicy", { categories: apiExtensions }),
  admission.cluster("mutatingadmissionpolicybindings", "MutatingAdmissionPolicyBinding", {
    categories: apiExtensions,
  }),
  admission.cluster("mutatingwebhookconfigurations", "MutatingWebhookConfiguration", {
    categories: apiExtensions,
  }),
  admission.cluster("validatingadmissionpolicies", "ValidatingAdmissionPolicy", {
    categories: apiExtensions,
    subresources: ["status"],
  }),
  admission.cluster("validatingadmissionpolicybindings", "ValidatingAdmissionPolicyBinding", {
    categories: apiExtensions,
  }),
  admission.cluster("validatingwebhookconfigurations", "ValidatingWebhookConfiguration", {
    categories: apiExtensions,
  }),
  apiextensions.cluster("customresourcedefinitions", "CustomResourceDefinition", {
    shortNames: ["crd", "crds"],
    categories: apiExtensions,
    subresources: ["status"],
  }),
  apiregistration.cluster("apiservices", "APIService", {
    categories: apiExtensions,
    subresources: ["status"],
  }),
  authentication.cluster("selfsubjectreviews", "SelfSubjectReview", createOnly),
  authentication.cluster("tokenreviews", "TokenReview", createOnly),
  authorization.namespaced("localsubjectaccessreviews", "LocalSubjectAccessReview", createOnly),
  authorization.cluster("selfsubjectaccessreviews", "SelfSubjectAccessReview", createOnly),
  authorization.cluster("selfsubjectrulesreviews", "SelfSubjectRulesReview", createOnly),
  authorization.cluster("subjectaccessreviews", "SubjectAccessReview", createOnly),
];
