// Assembles whole clusters from a ClusterSpec: the system part every cluster has (namespaces,
// nodes, control plane, add-ons, RBAC) and the application namespaces the spec describes.

export { BuildContext } from "./build-context.js";
export { assembleCluster, generateFromSpec } from "./cluster.js";
export { type Placement, Scheduler } from "./scheduler.js";
export { kubernetesVersion, nodeName } from "./system.js";
