import { groupOf } from "@meshsync/k8s";
import type { RuleSet, ScopeOf } from "../../../src/graph/relations/index.js";
import type { KubeObject, ResourceType } from "../../../src/kube/types.js";

export interface Fed {
  readonly clusterId: string;
  readonly type: ResourceType;
  readonly object: KubeObject;
}

const builtinGroups = new Set(["", "apps", "batch", "policy", "autoscaling"]);
const isCustom = (group: string) => !builtinGroups.has(group) && !group.endsWith(".k8s.io");

interface Flat {
  clusterId: string;
  key: string;
  uid: string;
  group: string;
  kind: string;
  plural: string;
  namespace: string | null;
  name: string;
  labels: Record<string, string>;
  owners: { uid: string; kind: string; apiVersion: string; controller?: boolean }[];
  object: KubeObject;
}

function flatten({ clusterId, type, object }: Fed): Flat {
  const meta = object.metadata ?? {};
  return {
    clusterId,
    key: `${clusterId}/${meta.uid}`,
    uid: String(meta.uid),
    group: groupOf(String(object.apiVersion)),
    kind: String(object.kind),
    plural: type.resource,
    namespace: typeof meta.namespace === "string" && meta.namespace !== "" ? meta.namespace : null,
    name: String(meta.name),
    labels: (meta.labels as Record<string, string> | undefined) ?? {},
    owners: (meta.ownerReferences as Flat["owners"] | undefined) ?? [],
    object,
  };
}

/**
 * Every edge among `objects`, derived from scratch by comparing each object with every other: no
 * index, no bucket, nothing incremental. What the RelationIndex must always agree with.
 */
export function deriveEdges(fed: readonly Fed[], rules: RuleSet, scopeOf: ScopeOf): Set<string> {
  const all = fed.map(flatten);
  const edges = new Set<string>();
  const add = (type: string, from: Flat, to: Flat) => edges.add(`${type} ${from.key} -> ${to.key}`);
  const namespaceLabels = (clusterId: string, name: string) =>
    all.find((o) => o.clusterId === clusterId && o.group === "" && o.kind === "Namespace" && o.name === name)
      ?.labels;
  for (const a of all) {
    for (const reference of a.owners) {
      const owner = all.find((o) => o.clusterId === a.clusterId && o.uid === reference.uid);
      if (owner === undefined) continue;
      for (const rule of rules.owners) {
        if (rule.controllerOnly && reference.controller !== true) continue;
        if (rule.owned && !rule.owned.has(`${a.group}/${a.kind}`)) continue;
        if (rule.owners && !rule.owners.has(`${groupOf(reference.apiVersion)}/${reference.kind}`)) continue;
        add(rule.type, owner, a);
      }
    }
    for (const ref of rules.referencesOf(a.group, a.kind, a.namespace, a.object, scopeOf)) {
      for (const b of all) {
        if (b.clusterId !== a.clusterId) continue;
        if (ref.form === "uid") {
          if (b.uid === ref.uid) add(ref.type, a, b);
        } else if (ref.form === "name") {
          if (
            b.group === ref.group &&
            b.kind === ref.kind &&
            b.namespace === ref.namespace &&
            b.name === ref.name
          )
            add(ref.type, a, b);
        } else if (b !== a && b.group === ref.group && b.kind === ref.kind && b.namespace !== null) {
          const inScope =
            ref.namespace !== null
              ? b.namespace === ref.namespace
              : ref.namespaces!.matches(namespaceLabels(b.clusterId, b.namespace) ?? {});
          if (inScope && ref.selector.matches(b.labels)) add(ref.type, a, b);
        }
      }
    }
    if (isCustom(a.group))
      for (const b of all)
        if (
          b.clusterId === a.clusterId &&
          b.kind === "CustomResourceDefinition" &&
          b.name === `${a.plural}.${a.group}`
        )
          for (const type of rules.definitions) add(type, a, b);
  }
  return edges;
}
