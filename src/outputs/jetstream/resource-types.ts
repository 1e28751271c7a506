// The resource type a replicated change names. A change-log entry carries its object, not the type it
// was watched as, so the publisher asks the engine and, failing that, reads it off the stored object;
// a follower hands the graph one shared object per type, as a reflector does.
import type { StoredResource } from "../../graph/index.js";
import type { ResourceType } from "../../kube/index.js";
import { resourceTypeJson } from "./wire.js";

/** Types remembered at the most before the memory starts again (a cluster serves a few hundred). */
const maxRememberedTypes = 4096;

/**
 * What a stored object's type name (`<plural>.<version>.<group>`) and fields tell of its type. The
 * verbs are not known from it: empty, which the graph does not read.
 */
export function typeOfStored(resource: StoredResource): ResourceType {
  const { typeName } = resource;
  const first = typeName.indexOf(".");
  const second = typeName.indexOf(".", first + 1);
  return {
    group: second < 0 ? "" : typeName.slice(second + 1),
    version: second < 0 ? typeName.slice(first + 1) : typeName.slice(first + 1, second),
    resource: first < 0 ? typeName : typeName.slice(0, first),
    kind: resource.kind,
    namespaced: resource.namespace !== null,
    verbs: [],
  };
}

/** The publisher's side: the JSON of each change's type, worked out once per type name. */
export class TypeJsonCache {
  private readonly known = new Map<string, string>();

  constructor(private readonly lookup: ((typeName: string) => ResourceType | undefined) | undefined) {}

  jsonOf(resource: StoredResource): string {
    let json = this.known.get(resource.typeName);
    if (json === undefined) {
      json = resourceTypeJson(this.lookup?.(resource.typeName) ?? typeOfStored(resource));
      if (this.known.size >= maxRememberedTypes) this.known.clear();
      this.known.set(resource.typeName, json);
    }
    return json;
  }
}

/** The follower's side: one ResourceType object per distinct type, so the graph's per-type caches hold. */
export class TypeInterner {
  private readonly known = new Map<string, ResourceType>();

  intern(type: ResourceType): ResourceType {
    const key = resourceTypeJson(type);
    const held = this.known.get(key);
    if (held !== undefined) return held;
    if (this.known.size >= maxRememberedTypes) this.known.clear();
    this.known.set(key, type);
    return type;
  }
}
