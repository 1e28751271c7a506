// Subresources that act rather than read or write the parent: serviceaccounts/token,
// pods/eviction, pods/binding; and the streaming ones (attach, portforward, proxy) that need
// running containers or network paths, which the simulator answers with a clear error. exec is
// served as a WebSocket (exec.ts).
import { randomBytes } from "node:crypto";
import type { SimResourceType } from "../catalog.js";
import { bindPod } from "../controllers/index.js";
import type { KubeObject } from "../object-api.js";
import { isPlainObject, nowTimestamp, type ObjectStore } from "../store/index.js";
import { badRequest, methodNotAllowed, notFound, StatusError } from "../store/status-error.js";

export const actionSubresources = new Set([
  "token",
  "eviction",
  "binding",
  "exec",
  "attach",
  "portforward",
  "proxy",
]);

export const streamingSubresources = new Set(["exec", "attach", "portforward", "proxy"]);

export interface ActionResult {
  status: number;
  body: unknown;
}

export function runAction(
  store: ObjectStore,
  type: SimResourceType,
  namespace: string | undefined,
  name: string,
  subresource: string,
  method: string,
  body: unknown,
): ActionResult {
  if (streamingSubresources.has(subresource)) {
    throw new StatusError(
      400,
      "BadRequest",
      `${type.name}/${subresource} is not available: the simulator runs no containers and no network paths`,
    );
  }
  if (method !== "POST") throw methodNotAllowed();
  const parent = store.getStored(type, namespace, name);
  if (!parent) throw notFound({ group: type.group, resource: type.name }, name);
  const request: KubeObject = isPlainObject(body) ? (body as KubeObject) : {};
  switch (subresource) {
    case "token":
      return { status: 201, body: tokenFor(parent, request) };
    case "eviction":
      store.deleteObject(type, namespace, name);
      return { status: 201, body: success() };
    case "binding": {
      const target = isPlainObject(request.target) ? request.target : {};
      if (typeof target.name !== "string" || target.name === "")
        throw badRequest("a Binding needs target.name");
      const assigned = isPlainObject(parent.spec) ? parent.spec.nodeName : undefined;
      if (typeof assigned === "string" && assigned !== "") {
        throw new StatusError(
          409,
          "Conflict",
          `Operation cannot be fulfilled on pods/binding "${name}": pod ${name} is already assigned to node "${assigned}"`,
        );
      }
      bindPod(store, type, namespace, name, target.name);
      return { status: 201, body: success() };
    }
    default:
      throw methodNotAllowed();
  }
}

function success(): unknown {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 };
}

/** A TokenRequest answered with an unsigned token whose claims say who it is for. */
function tokenFor(serviceAccount: KubeObject, request: KubeObject): KubeObject {
  const spec = isPlainObject(request.spec) ? request.spec : {};
  const seconds =
    typeof spec.expirationSeconds === "number" && spec.expirationSeconds > 0 ? spec.expirationSeconds : 3600;
  const expires = new Date(Date.now() + seconds * 1000);
  const meta = serviceAccount.metadata ?? {};
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const claims = {
    aud:
      Array.isArray(spec.audiences) && spec.audiences.length > 0
        ? spec.audiences
        : ["https://kubernetes.default.svc"],
    exp: Math.floor(expires.getTime() / 1000),
    iat: Math.floor(Date.now() / 1000),
    sub: `system:serviceaccount:${meta.namespace ?? ""}:${meta.name ?? ""}`,
    jti: randomBytes(8).toString("hex"),
  };
  return {
    kind: "TokenRequest",
    apiVersion: "authentication.k8s.io/v1",
    metadata: { name: meta.name, namespace: meta.namespace, creationTimestamp: nowTimestamp() },
    spec: { audiences: claims.aud, expirationSeconds: seconds, boundObjectRef: spec.boundObjectRef ?? null },
    status: {
      token: `${encode({ alg: "none", typ: "JWT" })}.${encode(claims)}.`,
      expirationTimestamp: `${expires.toISOString().slice(0, 19)}Z`,
    },
  };
}
