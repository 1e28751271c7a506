import { describe, expect, it } from "vitest";
import { ResourceGraph } from "../../../src/graph/index.js";
import {
  clusterStreamNames,
  decodeChange,
  objectSubject,
  safeToken,
  streamEpoch,
} from "../../../src/outputs/index.js";
import { encodeChange } from "../../../src/outputs/jetstream/wire.js";
import { configMap, configMaps } from "./harness.js";

const encoder = new TextEncoder();
const cluster = { id: "c1", name: "one" };
const typeJson = JSON.stringify(configMaps);

function stored(data: Record<string, string> = {}) {
  const graph = new ResourceGraph();
  graph.upsert(cluster, configMaps, configMap("a", 7, data));
  return graph.get("c1/uid-a")!;
}

describe("replication names", () => {
  it("keeps a safe id as it is and makes any other safe, short and distinct", () => {
    expect(safeToken("2f1c8a4e-0b7d-4c1e-9a55-3f0d2b6c7e81")).toBe("2f1c8a4e-0b7d-4c1e-9a55-3f0d2b6c7e81");
    expect(safeToken("a.b")).toMatch(/^a_b_[0-9a-f]{10}$/);
    expect(safeToken("a.b")).not.toBe(safeToken("a b"));
    expect(safeToken("a.b")).not.toBe("a_b");
    expect(safeToken("x".repeat(300))).toHaveLength(59);
    expect(safeToken("")).toMatch(/^_[0-9a-f]{10}$/);
    for (const token of [safeToken("*.>\u00e9 \t"), safeToken("x".repeat(300))])
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    const names = clusterStreamNames("c.1");
    expect(objectSubject(names, "uid.with.dots")).toMatch(
      /^meshsync\.replica\.c_1_[0-9a-f]{10}\.obj\.uid_with_dots_[0-9a-f]{10}$/,
    );
  });

  it("derives an epoch from the stream's name and creation time, without a colon", () => {
    const epoch = streamEpoch("MESHSYNC_c1", "2026-01-01T00:00:00.123456789Z");
    expect(epoch).toMatch(/^[0-9a-f]{12}$/);
    expect(streamEpoch("MESHSYNC_c1", "2026-01-01T00:00:00.123456789Z")).toBe(epoch);
    expect(streamEpoch("MESHSYNC_c1", "2026-01-01T00:00:00.123456790Z")).not.toBe(epoch);
  });
});

describe("replication wire", () => {
  it("reads back what it writes: the stored object whole", () => {
    const resource = stored({ k: "v" });
    const { data, truncated } = encodeChange(
      5,
      "MODIFIED",
      JSON.stringify(cluster),
      typeJson,
      resource,
      1234,
      1 << 20,
    );
    expect(truncated).toBe(false);
    const decoded = decodeChange(data, 1 << 20);
    expect(decoded).toEqual({
      ok: true,
      change: {
        sequence: 5,
        type: "MODIFIED",
        cluster,
        resourceType: configMaps,
        object: resource.object,
        time: 1234,
        truncated: false,
      },
    });
  });

  it("sends an object too large for a message as its identity only", () => {
    const resource = stored({ blob: "x".repeat(5000) });
    const { data, truncated } = encodeChange(
      1,
      "ADDED",
      JSON.stringify(cluster),
      typeJson,
      resource,
      1,
      1000,
    );
    expect(truncated).toBe(true);
    expect(data.length).toBeLessThan(1000);
    const decoded = decodeChange(data, 1000);
    expect(decoded.ok && decoded.change.truncated).toBe(true);
    expect(decoded.ok && decoded.change.object).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "a", uid: "uid-a", namespace: "default", resourceVersion: "7" },
    });
  });

  it("names what is wrong with a bad message instead of throwing", () => {
    const good = JSON.parse(
      new TextDecoder().decode(
        encodeChange(1, "ADDED", JSON.stringify(cluster), typeJson, stored(), 1, 1 << 20).data,
      ),
    ) as Record<string, unknown>;
    const reasonOf = (value: unknown, max = 1 << 20) => {
      const result = decodeChange(
        encoder.encode(typeof value === "string" ? value : JSON.stringify(value)),
        max,
      );
      return result.ok ? "ok" : result.reason;
    };
    expect(reasonOf(good)).toBe("ok");
    expect(reasonOf(good, 10)).toMatch(/over the 10-byte bound/);
    expect(reasonOf("{")).toBe("message is not JSON");
    expect(decodeChange(new Uint8Array([0xff, 0xfe]), 100)).toEqual({
      ok: false,
      reason: "message is not JSON",
    });
    expect(reasonOf([1])).toBe("message is not a JSON object");
    expect(reasonOf({ ...good, v: 2 })).toMatch(/version 2 is not 1/);
    expect(reasonOf({ ...good, sequence: 0 })).toMatch(/sequence/);
    expect(reasonOf({ ...good, sequence: 1.5 })).toMatch(/sequence/);
    expect(reasonOf({ ...good, type: "RESYNC" })).toMatch(/type/);
    expect(reasonOf({ ...good, cluster: { id: "", name: "x" } })).toMatch(/cluster/);
    expect(reasonOf({ ...good, resourceType: { ...configMaps, namespaced: "yes" } })).toMatch(/namespaced/);
    expect(reasonOf({ ...good, resourceType: { ...configMaps, verbs: "list" } })).toMatch(/verbs/);
    expect(reasonOf({ ...good, resourceType: { ...configMaps, kind: "" } })).toMatch(/kind/);
    expect(reasonOf({ ...good, object: { kind: "ConfigMap" } })).toMatch(/metadata/);
    expect(reasonOf({ ...good, time: "now" })).toMatch(/time/);
    expect(reasonOf({ ...good, truncated: 1 })).toMatch(/truncated/);
  });
});
