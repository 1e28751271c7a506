import { afterEach, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../src/index.js";
import { configMap, get, request, startBare } from "./sim-client.js";

const cms = "/api/v1/namespaces/default/configmaps";

interface ListBody {
  items: { metadata: { name: string; resourceVersion: string } }[];
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
}

async function list(sim: RunningSimulator, query: string) {
  const response = await get(sim, `${cms}?${query}`);
  return { status: response.status, body: response.body as unknown as ListBody, raw: response.body };
}

async function seed(sim: RunningSimulator, count: number) {
  for (let i = 0; i < count; i++) {
    await request(
      sim,
      "POST",
      cms,
      configMap(`cm-${String(i).padStart(2, "0")}`, { parity: i % 2 ? "odd" : "even" }),
    );
  }
}

describe("simulator list", () => {
  let sim: RunningSimulator;
  afterEach(async () => {
    await sim?.close();
  });

  it("pages with limit/continue over one consistent snapshot, with remainingItemCount", async () => {
    sim = await startBare();
    await seed(sim, 7);
    const first = await list(sim, "limit=3");
    expect(first.body.items.map((item) => item.metadata.name)).toEqual(["cm-00", "cm-01", "cm-02"]);
    expect(first.body.metadata.remainingItemCount).toBe(4);
    const token = first.body.metadata.continue!;
    expect(token).toBeTruthy();

    // Changes after the first page do not leak into the rest of the list.
    await request(sim, "DELETE", `${cms}/cm-05`);
    await request(sim, "POST", cms, configMap("cm-99"));

    const second = await list(sim, `limit=3&continue=${encodeURIComponent(token)}`);
    expect(second.body.items.map((item) => item.metadata.name)).toEqual(["cm-03", "cm-04", "cm-05"]);
    expect(second.body.metadata.resourceVersion).toBe(first.body.metadata.resourceVersion);
    expect(second.body.metadata.remainingItemCount).toBe(1);
    const third = await list(sim, `limit=3&continue=${encodeURIComponent(second.body.metadata.continue!)}`);
    expect(third.body.items.map((item) => item.metadata.name)).toEqual(["cm-06"]);
    expect(third.body.metadata.continue).toBeUndefined();
  });

  it("lets two clients page the same snapshot side by side", async () => {
    sim = await startBare();
    await seed(sim, 4);
    const a = await list(sim, "limit=2");
    const b = await list(sim, "limit=2");
    expect(b.body.metadata.resourceVersion).toBe(a.body.metadata.resourceVersion);
    const aRest = await list(sim, `limit=2&continue=${encodeURIComponent(a.body.metadata.continue!)}`);
    expect(aRest.body.metadata.continue).toBeUndefined();
    const bRest = await list(sim, `limit=2&continue=${encodeURIComponent(b.body.metadata.continue!)}`);
    expect(bRest.status).toBe(200);
    expect(bRest.body.items.map((item) => item.metadata.name)).toEqual(["cm-02", "cm-03"]);
  });

  it("fills pages from matching items only when a selector is given, without remainingItemCount", async () => {
    sim = await startBare();
    await seed(sim, 6);
    const first = await list(sim, "limit=2&labelSelector=parity%3Dodd");
    expect(first.body.items.map((item) => item.metadata.name)).toEqual(["cm-01", "cm-03"]);
    expect(first.body.metadata.remainingItemCount).toBeUndefined();
    const rest = await list(
      sim,
      `limit=2&labelSelector=parity%3Dodd&continue=${encodeURIComponent(first.body.metadata.continue!)}`,
    );
    expect(rest.body.items.map((item) => item.metadata.name)).toEqual(["cm-05"]);
  });

  it("expires continue tokens when the history they belong to is compacted", async () => {
    sim = await startBare();
    await seed(sim, 4);
    const first = await list(sim, "limit=2");
    sim.fault({ action: "compact" });
    const expired = await list(sim, `limit=2&continue=${encodeURIComponent(first.body.metadata.continue!)}`);
    expect(expired.status).toBe(410);
    expect(expired.raw).toMatchObject({ kind: "Status", reason: "Expired", code: 410 });
  });

  it("expires continue tokens after their time to live", async () => {
    sim = await startBare({ continueTtlMs: 1 });
    await seed(sim, 4);
    const first = await list(sim, "limit=2");
    await new Promise((resolve) => setTimeout(resolve, 20));
    const expired = await list(sim, `limit=2&continue=${encodeURIComponent(first.body.metadata.continue!)}`);
    expect(expired.status).toBe(410);
  });

  it("rejects a continue token it did not issue", async () => {
    sim = await startBare();
    const bad = await list(sim, "limit=2&continue=not-a-token");
    expect(bad.status).toBe(400);
    expect(bad.raw.reason).toBe("BadRequest");
  });

  it("serves resourceVersion=0 whole, ignoring limit, as the watch cache does", async () => {
    sim = await startBare();
    await seed(sim, 5);
    const all = await list(sim, "limit=2&resourceVersion=0");
    expect(all.body.items).toHaveLength(5);
    expect(all.body.metadata.continue).toBeUndefined();
  });

  it("serves an exact past resourceVersion from the history, and 410 once it is compacted", async () => {
    sim = await startBare();
    await seed(sim, 2);
    const before = await list(sim, "");
    const rv = before.body.metadata.resourceVersion;
    await request(sim, "DELETE", `${cms}/cm-00`);
    await request(
      sim,
      "PATCH",
      `${cms}/cm-01`,
      { data: { x: "1" } },
      { "content-type": "application/merge-patch+json" },
    );
    await request(sim, "POST", cms, configMap("cm-new"));
    const past = await list(sim, `resourceVersion=${rv}&resourceVersionMatch=Exact`);
    expect(past.status).toBe(200);
    expect(past.body.metadata.resourceVersion).toBe(rv);
    expect(past.body.items.map((item) => item.metadata.name)).toEqual(["cm-00", "cm-01"]);
    expect(past.body.items[1]!.metadata.resourceVersion).toBe(before.body.items[1]!.metadata.resourceVersion);
    const notOlder = await list(sim, `resourceVersion=${rv}&resourceVersionMatch=NotOlderThan`);
    expect(notOlder.body.items.map((item) => item.metadata.name)).toEqual(["cm-01", "cm-new"]);
    sim.fault({ action: "compact" });
    const gone = await list(sim, `resourceVersion=${rv}&resourceVersionMatch=Exact`);
    expect(gone.status).toBe(410);
    expect(gone.raw.reason).toBe("Expired");
  });

  it("waits for a resourceVersion it has not reached, then answers 504 Too large resource version", async () => {
    sim = await startBare();
    const current = sim.resourceVersion();
    const future = await list(sim, `resourceVersion=${current + 1000}&resourceVersionMatch=NotOlderThan`);
    expect(future.status).toBe(504);
    expect(future.raw).toMatchObject({
      reason: "Timeout",
      message: `Timeout: Too large resource version: ${current + 1000}, current: ${current}`,
      details: {
        causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }],
        retryAfterSeconds: 1,
      },
    });
    expect((await list(sim, `resourceVersion=${current + 1000}`)).status).toBe(504);
  });

  it("serves a not-older-than list once the store reaches its resourceVersion within the wait", async () => {
    sim = await startBare();
    const pending = list(
      sim,
      `resourceVersion=${sim.resourceVersion() + 1}&resourceVersionMatch=NotOlderThan`,
    );
    await request(sim, "POST", cms, configMap("arrives"));
    const served = await pending;
    expect(served.status).toBe(200);
    expect(served.body.items.map((item) => item.metadata.name)).toEqual(["arrives"]);
  });

  it("answers an exact read of a revision not yet reached as etcd does: 500, no reason", async () => {
    sim = await startBare();
    const ahead = sim.resourceVersion() + 1000;
    for (const query of [
      `resourceVersion=${ahead}&resourceVersionMatch=Exact`,
      `resourceVersion=${ahead}&limit=5`,
    ]) {
      const answer = await list(sim, query);
      expect(answer.status).toBe(500);
      expect(answer.raw.message).toBe("etcdserver: mvcc: required revision is a future revision");
      expect(answer.raw).not.toHaveProperty("reason");
    }
  });

  it("validates resourceVersionMatch", async () => {
    sim = await startBare();
    expect((await list(sim, "resourceVersionMatch=Exact")).status).toBe(422);
    expect((await list(sim, "resourceVersion=1&resourceVersionMatch=Sometimes")).status).toBe(422);
  });

  it("filters by field selector and rejects unsupported fields with 400", async () => {
    sim = await startBare();
    await seed(sim, 3);
    const one = await list(sim, "fieldSelector=metadata.name%3Dcm-01");
    expect(one.body.items.map((item) => item.metadata.name)).toEqual(["cm-01"]);
    const notOne = await list(sim, "fieldSelector=metadata.name!%3Dcm-01");
    expect(notOne.body.items.map((item) => item.metadata.name)).toEqual(["cm-00", "cm-02"]);
    const unsupported = await list(sim, "fieldSelector=spec.nodeName%3Dx");
    expect(unsupported.status).toBe(400);
    expect(unsupported.raw.message).toBe("field label not supported: spec.nodeName");
    const badLabel = await list(sim, "labelSelector=a%20in%20(b");
    expect(badLabel.status).toBe(400);
  });

  it("returns a Table with column definitions and rows for kubectl", async () => {
    sim = await startBare();
    await seed(sim, 2);
    const response = await get(sim, `${cms}?limit=500`, {
      accept:
        "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json",
    });
    expect(response.headers.get("content-type")).toBe("application/json;as=Table;v=v1;g=meta.k8s.io");
    expect(response.body.kind).toBe("Table");
    expect(response.body.apiVersion).toBe("meta.k8s.io/v1");
    const columns = (response.body.columnDefinitions as { name: string }[]).map((column) => column.name);
    expect(columns).toEqual(["Name", "Data", "Age"]);
    const rows = response.body.rows as { cells: unknown[]; object: { kind: string } }[];
    expect(rows.map((row) => row.cells[0])).toEqual(["cm-00", "cm-01"]);
    expect(rows[0]!.object.kind).toBe("PartialObjectMetadata");
  });
});
