/** One resource type as the API server announces it in discovery. */
export interface SimResourceType {
  /** API group; "" is the core group. */
  group: string;
  version: string;
  /** Plural resource name, as used in URLs. */
  name: string;
  singularName: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  /** Subresource names only ("status", "scale", "log"); see subresourcesOf for their kinds and verbs. */
  subresources?: string[];
  /** True when this version is the group's preferred version. */
  preferred?: boolean;
}

/** A subresource as it appears in /apis/G/V discovery ("deployments/scale"). */
export interface SimSubresource {
  /** Subresource name without the parent, e.g. "scale". */
  name: string;
  kind: string;
  verbs: string[];
  /** Set only when the subresource answers with a kind from another group/version. */
  group?: string;
  version?: string;
}

/** One API group with its served versions, preferred first, as /apis lists it. */
export interface SimApiGroup {
  name: string;
  versions: readonly string[];
  preferredVersion: string;
}
