import { describe, expect, it } from "vitest";
import { ResourceGraph } from "../../../src/graph/index.js";
import { builtinRelationRules, builtinScope, RuleSet } from "../../../src/graph/relations/index.js";
import type { KubeObject } from "../../../src/kube/types.js";
import { deriveEdges, type Fed } from "./derive.js";
import { object, podSpec, type TypeName, types } from "./objects.js";

/** A small deterministic generator (mulberry32): a failing seed replays exactly. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    chance: (p: number) => next() < p,
  };
}

type Random = ReturnType<typeof random>;
const clusters = ["cluster-a", "cluster-b"];
const namespaces = ["default", "shop"];
const apps = ["web", "api"];

/** One version of one of a small world's objects, its fields (labels, selectors, references) drawn at random. */
function variant(rng: Random, slot: string): [TypeName, KubeObject] {
  const [kind, index] = slot.split(":") as [string, string];
  // An object keeps its namespace and name for life: the API never moves one.
  const namespace = namespaces[Number(index) % namespaces.length]!;
  const name = `${kind}-${index}`;
  const uid = `uid-${slot}`;
  const labels = rng.chance(0.8)
    ? { app: rng.pick(apps), ...(rng.chance(0.5) ? { tier: rng.pick(["a", "b"]) } : {}) }
    : {};
  switch (kind) {
    case "ns":
      return [
        "namespaces",
        object("namespaces", {
          name: namespaces[Number(index)]!,
          uid,
          labels: rng.chance(0.5) ? { team: "web" } : {},
        }),
      ];
    case "node":
      return ["nodes", object("nodes", { name: `node-${index}`, uid })];
    case "pod":
      return [
        "pods",
        object(
          "pods",
          {
            name,
            namespace,
            uid,
            labels,
            ...(rng.chance(0.5)
              ? {
                  owners: [
                    {
                      kind: "ReplicaSet",
                      apiVersion: "apps/v1",
                      name: "rs-0",
                      uid: "uid-rs:0",
                      controller: true,
                    },
                  ],
                }
              : {}),
          },
          {
            spec: podSpec({
              ...(rng.chance(0.7) ? { node: `node-${rng.pick(["0", "1"])}` } : {}),
              configMaps: rng.chance(0.5) ? [`cm-${rng.pick(["0", "1"])}`] : [],
              ...(rng.chance(0.3) ? { envFromSecret: "secret-0" } : {}),
            }),
          },
        ),
      ];
    case "rs":
      return ["replicasets", object("replicasets", { name: "rs-0", namespace, uid, labels })];
    case "svc":
      return [
        "services",
        object(
          "services",
          { name, namespace, uid },
          { spec: rng.chance(0.8) ? { selector: { app: rng.pick(apps) } } : {} },
        ),
      ];
    case "cm":
      return ["configmaps", object("configmaps", { name, namespace, uid })];
    case "secret":
      return ["secrets", object("secrets", { name, namespace, uid })];
    case "pdb":
      return [
        "pdbs",
        object(
          "pdbs",
          { name, namespace, uid },
          {
            spec: {
              selector: rng.chance(0.3)
                ? {}
                : { matchExpressions: [{ key: "app", operator: "In", values: [rng.pick(apps)] }] },
            },
          },
        ),
      ];
    case "netpol":
      return [
        "networkpolicies",
        object(
          "networkpolicies",
          { name, namespace, uid },
          {
            spec: {
              podSelector: {},
              ingress: [
                {
                  from: [
                    {
                      namespaceSelector: { matchLabels: { team: "web" } },
                      podSelector: { matchLabels: { app: rng.pick(apps) } },
                    },
                  ],
                },
              ],
            },
          },
        ),
      ];
    case "slice":
      return [
        "endpointslices",
        object(
          "endpointslices",
          { name, namespace, uid, labels: { "kubernetes.io/service-name": `svc-${rng.pick(["0", "1"])}` } },
          {
            endpoints: [
              {
                addresses: ["10.0.0.1"],
                targetRef: {
                  kind: "Pod",
                  namespace,
                  name: "pod-0",
                  uid: rng.pick(["uid-pod:0", "uid-pod:1"]),
                },
              },
            ],
          },
        ),
      ];
    case "crd":
      return ["crds", object("crds", { name: "widgets.example.com", uid })];
    default:
      return ["widgets", object("widgets", { name, namespace, uid })];
  }
}

const slots = [
  "ns:0",
  "ns:1",
  "node:0",
  "node:1",
  "pod:0",
  "pod:1",
  "pod:2",
  "pod:3",
  "rs:0",
  "svc:0",
  "svc:1",
  "cm:0",
  "cm:1",
  "secret:0",
  "pdb:0",
  "netpol:0",
  "slice:0",
  "crd:0",
  "widget:0",
];

const edgeText = (type: string, from: string, to: string) => `${type} ${from} -> ${to}`;

function graphEdges(graph: ResourceGraph): Set<string> {
  const out = new Set<string>();
  for (const r of graph.list().items)
    for (const edge of graph.edges(r, "OUT")) out.add(edgeText(edge.type, edge.from.key, edge.to.key));
  return out;
}

describe("relations kept incrementally", () => {
  const rules = new RuleSet(builtinRelationRules);
  const scopes = new Map(Object.values(types).map((t) => [`${t.group}/${t.kind}`, t.namespaced]));
  const scopeOf = (group: string, kind: string) =>
    scopes.get(`${group}/${kind}`) ?? builtinScope(group, kind);

  it("end, after any order of arrivals, relabels, moves and deletions, with the edges derived from scratch", () => {
    let checks = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const rng = random(seed);
      const graph = new ResourceGraph({ resourceTypes: () => Object.values(types) });
      const live = new Map<string, Fed>();
      const fromChanges = new Set<string>();
      let read = 0;
      for (let step = 0; step < 150; step++) {
        const slot = rng.pick(slots);
        const clusterId = rng.pick(clusters);
        const id = `${clusterId}|${slot}`;
        const cluster = { id: clusterId, name: clusterId };
        const held = live.get(id);
        if (held !== undefined && rng.chance(0.25)) {
          graph.delete(cluster, held.type, held.object);
          live.delete(id);
        } else {
          const [typeName, body] = variant(rng, slot);
          const version = { ...body, metadata: { ...body.metadata, resourceVersion: String(step + 2) } };
          graph.upsert(cluster, types[typeName], version);
          live.set(id, { clusterId, type: types[typeName], object: version });
        }
        for (const change of graph.log.changesSince(read) ?? []) {
          for (const e of change.relations?.removed ?? []) fromChanges.delete(edgeText(e.type, e.from, e.to));
          for (const e of change.relations?.added ?? []) {
            expect(
              fromChanges.has(edgeText(e.type, e.from, e.to)),
              `seed ${seed} step ${step}: added twice`,
            ).toBe(false);
            fromChanges.add(edgeText(e.type, e.from, e.to));
          }
        }
        read = graph.log.sequence;
        const truth = deriveEdges([...live.values()], rules, scopeOf);
        expect([...graphEdges(graph)].sort(), `seed ${seed} step ${step}: edges`).toEqual([...truth].sort());
        expect([...fromChanges].sort(), `seed ${seed} step ${step}: the changes' edges`).toEqual(
          [...truth].sort(),
        );
        checks += truth.size;
      }
    }
    // The worlds drawn do relate things: the comparison is not between two empty sets.
    expect(checks).toBeGreaterThan(10_000);
  });

  it("find each edge from both ends", () => {
    const rng = random(7);
    const graph = new ResourceGraph({ resourceTypes: () => Object.values(types) });
    const cluster = { id: "cluster-a", name: "a" };
    for (let i = 0; i < 200; i++) {
      const [typeName, body] = variant(rng, rng.pick(slots));
      graph.upsert(cluster, types[typeName], {
        ...body,
        metadata: { ...body.metadata, resourceVersion: String(i + 2) },
      });
    }
    const outs = new Set<string>();
    const ins = new Set<string>();
    for (const r of graph.list().items) {
      for (const e of graph.edges(r, "OUT")) outs.add(edgeText(e.type, e.from.key, e.to.key));
      for (const e of graph.edges(r, "IN")) ins.add(edgeText(e.type, e.from.key, e.to.key));
    }
    expect(outs.size).toBeGreaterThan(5);
    expect([...ins].sort()).toEqual([...outs].sort());
  });
});
