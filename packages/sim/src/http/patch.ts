// The three patch formats kubectl sends: JSON merge patch (RFC 7386; label, annotate, CRs),
// JSON patch (RFC 6902; `kubectl patch --type json`) and strategic merge patch (apply, patch),
// the last with the merge keys of the lists that matter in practice.
import { excerpt } from "@meshsync/k8s";
import { isPlainObject } from "../store/object-meta.js";
import { badRequest, StatusError } from "../store/status-error.js";

export type PatchType = "json" | "merge" | "strategic" | "apply";

export function patchTypeOf(contentType: string | undefined): PatchType | undefined {
  const base = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (base === "application/json-patch+json") return "json";
  if (base === "application/merge-patch+json") return "merge";
  if (base === "application/strategic-merge-patch+json") return "strategic";
  if (base === "application/apply-patch+yaml" || base === "application/apply-patch+cbor") return "apply";
  return undefined;
}

export function applyPatch(type: PatchType, target: unknown, patch: unknown): unknown {
  switch (type) {
    case "json":
      return jsonPatch(target, patch);
    case "merge":
    case "apply":
      return mergePatch(target, patch);
    case "strategic":
      return strategicMerge(target, patch);
  }
}

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key === "__proto__") continue;
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

// ---- RFC 6902 ----

function patchFailed(message: string): StatusError {
  return new StatusError(
    422,
    "Invalid",
    `the server rejected our request due to an error in our request: ${message}`,
  );
}

function parsePointer(pointer: unknown): string[] {
  if (typeof pointer !== "string" || (pointer !== "" && !pointer.startsWith("/"))) {
    throw badRequest(`invalid JSON pointer: ${excerpt(String(pointer))}`);
  }
  if (pointer.split("/").includes("__proto__")) throw badRequest(`invalid JSON pointer: ${excerpt(pointer)}`);
  return pointer === ""
    ? []
    : pointer
        .slice(1)
        .split("/")
        .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"));
}

type Container = Record<string, unknown> | unknown[];

function parentOf(doc: unknown, path: string[], op: string): { parent: Container; key: string } {
  let current: unknown = doc;
  for (const part of path.slice(0, -1)) {
    if (Array.isArray(current)) current = current[Number(part)];
    else if (isPlainObject(current)) current = current[part];
    else current = undefined;
    if (current === undefined)
      throw patchFailed(`${op} operation does not apply: doc is missing path: /${path.join("/")}`);
  }
  if (!Array.isArray(current) && !isPlainObject(current)) {
    throw patchFailed(`${op} operation does not apply: doc is missing path: /${path.join("/")}`);
  }
  return { parent: current, key: path[path.length - 1]! };
}

function arrayIndex(array: unknown[], key: string, forInsert: boolean): number {
  if (forInsert && key === "-") return array.length;
  const index = Number(key);
  const max = forInsert ? array.length : array.length - 1;
  if (!/^\d+$/.test(key) || index > max) throw patchFailed(`index out of range: ${key}`);
  return index;
}

function readAt(doc: unknown, path: string[], op: string): unknown {
  if (path.length === 0) return doc;
  const { parent, key } = parentOf(doc, path, op);
  const value = Array.isArray(parent) ? parent[arrayIndex(parent, key, false)] : parent[key];
  if (value === undefined)
    throw patchFailed(`${op} operation does not apply: doc is missing path: /${path.join("/")}`);
  return value;
}

function removeAt(doc: unknown, path: string[], op: string): unknown {
  const { parent, key } = parentOf(doc, path, op);
  if (Array.isArray(parent)) return parent.splice(arrayIndex(parent, key, false), 1)[0];
  if (!(key in parent))
    throw patchFailed(`${op} operation does not apply: doc is missing key: /${path.join("/")}`);
  const value = parent[key];
  delete parent[key];
  return value;
}

function addAt(doc: unknown, path: string[], value: unknown, op: string): unknown {
  if (path.length === 0) return value;
  const { parent, key } = parentOf(doc, path, op);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, true), 0, value);
  else parent[key] = value;
  return doc;
}

export function jsonPatch(target: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) throw badRequest("a JSON patch must be an array of operations");
  let doc = structuredClone(target);
  for (const operation of patch) {
    if (!isPlainObject(operation)) throw badRequest("each JSON patch operation must be an object");
    const op = operation.op;
    const path = parsePointer(operation.path);
    switch (op) {
      case "add":
        doc = addAt(doc, path, structuredClone(operation.value), op);
        break;
      case "remove":
        removeAt(doc, path, op);
        break;
      case "replace":
        if (path.length === 0) doc = structuredClone(operation.value);
        else {
          removeAt(doc, path, op);
          doc = addAt(doc, path, structuredClone(operation.value), op);
        }
        break;
      case "move": {
        const value = removeAt(doc, parsePointer(operation.from), op);
        doc = addAt(doc, path, value, op);
        break;
      }
      case "copy":
        doc = addAt(doc, path, structuredClone(readAt(doc, parsePointer(operation.from), op)), op);
        break;
      case "test":
        if (JSON.stringify(readAt(doc, path, op)) !== JSON.stringify(operation.value)) {
          throw patchFailed(`testing value /${path.join("/")} failed: test failed`);
        }
        break;
      default:
        throw badRequest(`Unexpected kind: ${excerpt(String(op))}`);
    }
  }
  return doc;
}

// ---- strategic merge patch ----

/** patchMergeKey of the object lists kubectl touches, by field name. */
const mergeKeys: Record<string, string> = {
  containers: "name",
  initContainers: "name",
  ephemeralContainers: "name",
  env: "name",
  volumes: "name",
  volumeMounts: "mountPath",
  volumeDevices: "devicePath",
  imagePullSecrets: "name",
  hostAliases: "ip",
  conditions: "type",
  ownerReferences: "uid",
  topologySpreadConstraints: "topologyKey",
  resourceClaims: "name",
  secrets: "name",
  addresses: "type",
  readinessGates: "conditionType",
};

/** Primitive lists whose strategy is merge (set union) rather than replace. */
const mergedPrimitiveLists = new Set(["finalizers"]);

function mergeKeyFor(field: string, items: unknown[]): string | undefined {
  if (field === "ports") {
    return items.some((item) => isPlainObject(item) && "containerPort" in item) ? "containerPort" : "port";
  }
  return mergeKeys[field];
}

function strategicMerge(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const directive = patch.$patch;
  if (directive === "replace") {
    const { $patch: _ignored, ...rest } = patch;
    return stripDirectives(rest);
  }
  if (directive === "delete") return undefined;
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  const retainKeys = Array.isArray(patch.$retainKeys) ? patch.$retainKeys : undefined;
  for (const [key, value] of Object.entries(patch)) {
    if (
      key === "$patch" ||
      key === "$retainKeys" ||
      key === "__proto__" ||
      key.startsWith("$setElementOrder/")
    )
      continue;
    if (key.startsWith("$deleteFromPrimitiveList/")) {
      const listField = key.slice("$deleteFromPrimitiveList/".length);
      const existing = result[listField];
      if (Array.isArray(existing) && Array.isArray(value)) {
        result[listField] = existing.filter((item) => !value.includes(item));
      }
      continue;
    }
    if (value === null) {
      delete result[key];
      continue;
    }
    if (Array.isArray(value)) {
      const merged = mergeList(result[key], value, key);
      if (merged === undefined) delete result[key];
      else result[key] = merged;
      continue;
    }
    const merged = strategicMerge(result[key], value);
    if (merged === undefined) delete result[key];
    else result[key] = merged;
  }
  if (retainKeys) {
    for (const key of Object.keys(result)) if (!retainKeys.includes(key)) delete result[key];
  }
  return result;
}

function mergeList(target: unknown, patch: unknown[], field: string): unknown[] | undefined {
  const existing = Array.isArray(target) ? target : [];
  if (patch.length === 1 && isPlainObject(patch[0]) && patch[0].$patch === "replace") return [];
  if (patch.every((item) => !isPlainObject(item))) {
    if (!mergedPrimitiveLists.has(field)) return structuredClone(patch);
    return [...existing, ...patch.filter((item) => !existing.includes(item))];
  }
  const key = mergeKeyFor(field, [...existing, ...patch]);
  if (!key) return patch.map((item) => stripDirectives(item));
  const result = [...existing];
  for (const item of patch) {
    if (!isPlainObject(item)) continue;
    const index = result.findIndex((current) => isPlainObject(current) && current[key] === item[key]);
    if (item.$patch === "delete") {
      if (index >= 0) result.splice(index, 1);
      continue;
    }
    if (index >= 0) result[index] = strategicMerge(result[index], item);
    else result.push(stripDirectives(item));
  }
  return result;
}

function stripDirectives(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isPlainObject(value)) return value;
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (key.startsWith("$") || key === "__proto__") continue;
    if (item === null) continue;
    result[key] = stripDirectives(item);
  }
  return result;
}
