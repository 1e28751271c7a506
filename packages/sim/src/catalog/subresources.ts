import type { SimResourceType, SimSubresource } from "./types.js";

const readWrite = ["get", "patch", "update"];
const proxyVerbs = ["create", "delete", "get", "patch", "update"];

/** Kinds and verbs of subresources whose answer is not the parent object itself. */
const special: Record<string, (parentKind: string) => Omit<SimSubresource, "name">> = {
  scale: () => ({ kind: "Scale", verbs: readWrite, group: "autoscaling", version: "v1" }),
  finalize: (kind) => ({ kind, verbs: ["update"] }),
  log: (kind) => ({ kind, verbs: ["get"] }),
  exec: () => ({ kind: "PodExecOptions", verbs: ["create", "get"] }),
  attach: () => ({ kind: "PodAttachOptions", verbs: ["create", "get"] }),
  portforward: () => ({ kind: "PodPortForwardOptions", verbs: ["create", "get"] }),
  proxy: (kind) => ({ kind: `${kind}ProxyOptions`, verbs: proxyVerbs }),
  binding: () => ({ kind: "Binding", verbs: ["create"] }),
  eviction: () => ({ kind: "Eviction", verbs: ["create"], group: "policy", version: "v1" }),
  token: () => ({ kind: "TokenRequest", verbs: ["create"], group: "authentication.k8s.io", version: "v1" }),
};

/** The subresources of a type with the kind and verbs discovery reports for each. */
export function subresourcesOf(type: SimResourceType): SimSubresource[] {
  return (type.subresources ?? []).map((name) => {
    const describe = special[name];
    // status, approval, ephemeralcontainers and the like read and write the parent object.
    const detail = describe ? describe(type.kind) : { kind: type.kind, verbs: readWrite };
    return { name, ...detail, verbs: [...detail.verbs] };
  });
}
