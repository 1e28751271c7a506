// Storage for the simulator: objects, the global resourceVersion counter, the bounded change
// history watches resume from, list snapshots for pagination, and the served-type registry.
export { findCrd, installCrdSupport } from "./crds.js";
export { installWriteDefaults } from "./defaults.js";
export { FRESHNESS_WAIT_MS, untilResourceVersion } from "./freshness.js";
export { ChangeHistory, type ChangeType, type StoredChange } from "./history.js";
export {
  type ContinueToken,
  decodeContinue,
  encodeContinue,
  indexAfter,
  ListSnapshots,
  objectKey,
} from "./list-snapshots.js";
export { ensureSystemNamespaces, loadObjects, systemNamespaces } from "./load.js";
export { type FieldManager, type ManagedFieldsEntry, managerName } from "./managed-fields.js";
export { NamespaceDefaults } from "./namespace-defaults.js";
export { installNamespaceCascade } from "./namespaces.js";
export { isPlainObject, nowTimestamp } from "./object-meta.js";
export { asVersion, ObjectStore, type ObjectStoreOptions, type WriteOptions } from "./object-store.js";
export { qosClassOf } from "./qos-class.js";
export { apiVersionOf, storageKey, TypeRegistry, typeKey } from "./registry.js";
export * from "./status-error.js";
