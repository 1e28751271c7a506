import type { SimResourceType } from "./types.js";

/** The verbs of a fully writable, listable, watchable type. */
export const allVerbs: readonly string[] = [
  "create",
  "delete",
  "deletecollection",
  "get",
  "list",
  "patch",
  "update",
  "watch",
];

export interface TypeOptions {
  shortNames?: string[];
  categories?: string[];
  subresources?: string[];
  verbs?: readonly string[];
  /** Only needed where the singular is not the lower-cased kind. */
  singularName?: string;
}

/** Makes the resource-type constructors of one group/version, so each entry stays one line. */
export function groupVersion(group: string, version: string, preferred = true) {
  const make =
    (namespaced: boolean) =>
    (name: string, kind: string, options: TypeOptions = {}): SimResourceType => {
      const type: SimResourceType = {
        group,
        version,
        name,
        singularName: options.singularName ?? kind.toLowerCase(),
        kind,
        namespaced,
        verbs: [...(options.verbs ?? allVerbs)],
        preferred,
      };
      if (options.shortNames) type.shortNames = [...options.shortNames];
      if (options.categories) type.categories = [...options.categories];
      if (options.subresources) type.subresources = [...options.subresources];
      return type;
    };
  return { namespaced: make(true), cluster: make(false) };
}
