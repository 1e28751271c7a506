// Fully populated example objects from the Kubernetes project, written and read back over HTTP:
// every field a client sends must come back, apart from what the server owns.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../src/index.js";
import { get, request, startEmpty } from "./sim-client.js";

const objectsDir = resolve(
  dirname(fileURLToPath(import.meta.url)),
  "../../../../shared/fixtures/k8s/objects",
);
const haveFixtures = existsSync(objectsDir);
if (!haveFixtures) console.warn(`no example objects at ${objectsDir}: skipping the round-trip test`);

type Json = Record<string, unknown>;

// Metadata the server sets itself (managedFields gain the writer's entry), and fields it converts
// on write.
const serverOwned = [
  "managedFields",
  "uid",
  "resourceVersion",
  "creationTimestamp",
  "generation",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "selfLink",
  "generateName",
  "name",
  "namespace",
];

function comparable(obj: Json, kind: string): Json {
  const copy = structuredClone(obj);
  const meta = (copy.metadata ?? {}) as Json;
  for (const field of serverOwned) delete meta[field];
  if (kind === "Namespace") delete (meta.labels as Json)["kubernetes.io/metadata.name"];
  if (kind === "Secret") {
    delete copy.stringData;
    delete copy.data;
  }
  if (kind === "CustomResourceDefinition") delete copy.status;
  if (kind === "Service") delete (copy.spec as Json).clusterIPs;
  return copy;
}

describe.skipIf(!haveFixtures)("example objects round-trip", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startEmpty();
  });
  afterAll(async () => {
    await sim.close();
  });

  const files = haveFixtures ? readdirSync(objectsDir).filter((name) => name.endsWith(".json")) : [];
  for (const file of files) {
    it(`keeps every field of ${file}`, async () => {
      const obj = JSON.parse(readFileSync(join(objectsDir, file), "utf8")) as Json;
      const kind = String(obj.kind);
      const apiVersion = String(obj.apiVersion);
      const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
      const discovery = await get(sim, group ? `/apis/${group}/${version}` : `/api/${version}`);
      const type = (discovery.body.resources as Json[]).find(
        (entry) => entry.kind === kind && !String(entry.name).includes("/"),
      );
      expect(type, `${kind} is served`).toBeDefined();
      const plural = String(type!.name);
      const name =
        kind === "CustomResourceDefinition"
          ? `${(obj.spec as { names: { plural: string } }).names.plural}.${(obj.spec as { group: string }).group}`
          : // core and events.k8s.io Events are one storage, so their names must differ.
            `fixture-${kind.toLowerCase()}${group ? `-${group.split(".")[0]}` : ""}`;
      // The one placeholder a real server would refuse: a scope that is neither of the two.
      if (kind === "CustomResourceDefinition") (obj.spec as Json).scope = "Namespaced";
      const meta = obj.metadata as Json;
      meta.name = name;
      delete meta.namespace;
      const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
      const collection = type!.namespaced ? `${base}/namespaces/default/${plural}` : `${base}/${plural}`;
      const created = await request(sim, "POST", collection, obj);
      expect(created.status, `${file}: ${String(created.body.message)}`).toBe(201);
      const read = await get(sim, `${collection}/${name}`);
      expect(read.status).toBe(200);
      expect(comparable(read.body, kind)).toEqual(comparable(obj, kind));
    });
  }
});
