// CustomResourceDefinitions: storing one makes its resources servable and visible in discovery;
// deleting one removes its objects and stops serving them, as the apiextensions server does.
import type { SimResourceType } from "../catalog.js";
import type { KubeObject } from "../object-api.js";
import { isPlainObject, nowTimestamp } from "./object-meta.js";
import type { ObjectStore } from "./object-store.js";
import { invalid, type StatusCause } from "./status-error.js";

export const crdGroup = "apiextensions.k8s.io";
export const crdResource = "customresourcedefinitions";

interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  subresources: string[];
}

interface CrdShape {
  group: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  versions: CrdVersion[];
}

export function installCrdSupport(store: ObjectStore): void {
  store.addHook(crdGroup, crdResource, {
    prepare(obj) {
      const shape = readCrd(obj);
      fillStatus(obj, shape);
    },
    afterWrite(obj) {
      const shape = readCrd(obj);
      const served = shape.versions.filter((version) => version.served);
      store.registry.addCustom(
        served.map((version) => toResourceType(shape, version)),
        served.map((version) => version.name),
      );
    },
    beforeDelete(obj) {
      const shape = readCrd(obj);
      for (const type of store.registry.all()) {
        if (type.group === shape.group && type.name === shape.plural) {
          store.deleteAllOf(type);
          break;
        }
      }
      store.registry.removeCustom(shape.group, shape.plural);
    },
  });
}

/** The CRD behind a custom type, for its printer columns. */
export function findCrd(store: ObjectStore, group: string, plural: string): KubeObject | undefined {
  const crdType = store.registry.find(crdGroup, "v1", crdResource);
  return crdType ? store.getStored(crdType, undefined, `${plural}.${group}`) : undefined;
}

function toResourceType(shape: CrdShape, version: CrdVersion): SimResourceType {
  const type: SimResourceType = {
    group: shape.group,
    version: version.name,
    name: shape.plural,
    singularName: shape.singular,
    kind: shape.kind,
    namespaced: shape.namespaced,
    verbs: ["delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"],
    preferred: false,
  };
  if (shape.shortNames.length > 0) type.shortNames = shape.shortNames;
  if (shape.categories.length > 0) type.categories = shape.categories;
  if (version.subresources.length > 0) type.subresources = version.subresources;
  return type;
}

function readCrd(obj: KubeObject): CrdShape {
  const name = typeof obj.metadata?.name === "string" ? obj.metadata.name : "";
  const causes: Required<StatusCause>[] = [];
  const fail = (field: string, message: string, reason = "FieldValueRequired") => {
    causes.push({ field, message, reason });
  };
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  const names = isPlainObject(spec.names) ? spec.names : {};
  const text = (value: unknown) => (typeof value === "string" ? value : "");
  const group = text(spec.group);
  const plural = text(names.plural);
  const kind = text(names.kind);
  if (!group) fail("spec.group", "Required value");
  if (!plural) fail("spec.names.plural", "Required value");
  if (!kind) fail("spec.names.kind", "Required value");
  const scope = text(spec.scope);
  if (scope !== "Namespaced" && scope !== "Cluster") {
    fail(
      "spec.scope",
      `Unsupported value: "${scope}": supported values: "Cluster", "Namespaced"`,
      "FieldValueNotSupported",
    );
  }
  if (group && plural && name !== `${plural}.${group}`) {
    fail(
      "metadata.name",
      `Invalid value: "${name}": must be spec.names.plural+"."+spec.group`,
      "FieldValueInvalid",
    );
  }
  const versions: CrdVersion[] = [];
  for (const entry of Array.isArray(spec.versions) ? spec.versions : []) {
    if (!isPlainObject(entry) || !text(entry.name)) continue;
    const subresources = isPlainObject(entry.subresources) ? entry.subresources : {};
    versions.push({
      name: text(entry.name),
      served: entry.served !== false,
      storage: entry.storage === true,
      subresources: ["scale", "status"].filter((sub) => isPlainObject(subresources[sub])),
    });
  }
  if (versions.length === 0)
    fail(
      "spec.versions",
      "Invalid value: []: must have exactly one version marked as storage version",
      "FieldValueInvalid",
    );
  else if (versions.filter((version) => version.storage).length !== 1) {
    fail(
      "spec.versions",
      "Invalid value: must have exactly one version marked as storage version",
      "FieldValueInvalid",
    );
  }
  if (causes.length > 0) throw invalid("CustomResourceDefinition", crdGroup, name, causes);
  return {
    group,
    plural,
    singular: text(names.singular) || kind.toLowerCase(),
    kind,
    namespaced: scope === "Namespaced",
    shortNames: stringList(names.shortNames),
    categories: stringList(names.categories),
    versions,
  };
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

function fillStatus(obj: KubeObject, shape: CrdShape): void {
  const now = nowTimestamp();
  const acceptedNames: Record<string, unknown> = {
    plural: shape.plural,
    singular: shape.singular,
    kind: shape.kind,
    listKind: `${shape.kind}List`,
  };
  if (shape.shortNames.length > 0) acceptedNames.shortNames = shape.shortNames;
  if (shape.categories.length > 0) acceptedNames.categories = shape.categories;
  const condition = (type: string, reason: string, message: string) => ({
    type,
    status: "True",
    lastTransitionTime: now,
    reason,
    message,
  });
  obj.status = {
    conditions: [
      condition("NamesAccepted", "NoConflicts", "no conflicts found"),
      condition("Established", "InitialNamesAccepted", "the initial names have been accepted"),
    ],
    acceptedNames,
    storedVersions: shape.versions.filter((version) => version.storage).map((version) => version.name),
  };
}
