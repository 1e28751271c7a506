import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../src/index.js";
import { configMap, get, request, startEmpty } from "./sim-client.js";

describe("simulator HTTP basics", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startEmpty();
  });
  afterAll(async () => {
    await sim.close();
  });

  it("serves version and health endpoints", async () => {
    const version = await get(sim, "/version");
    expect(version.status).toBe(200);
    expect(version.body.major).toBe("1");
    expect(version.body.gitVersion).toMatch(/^v1\.\d+/);
    for (const path of ["/healthz", "/livez", "/readyz", "/readyz/ping"]) {
      const response = await fetch(`${sim.url}${path}`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe("ok");
    }
    const verbose = await (await fetch(`${sim.url}/readyz?verbose`)).text();
    expect(verbose).toMatch(/^\[\+\]ping ok$/m);
    expect(verbose).toMatch(/^readyz check passed$/m);
  });

  it("holds the system namespaces, each with a uid", async () => {
    const list = await get(sim, "/api/v1/namespaces");
    const items = list.body.items as { metadata: { name: string; uid: string } }[];
    expect(items.map((item) => item.metadata.name)).toEqual([
      "default",
      "kube-node-lease",
      "kube-public",
      "kube-system",
    ]);
    expect(items.every((item) => item.metadata.uid.length > 0)).toBe(true);
  });

  it("lists with kind and apiVersion on the list only, as the real server encodes typed lists", async () => {
    await request(sim, "POST", "/api/v1/namespaces/default/configmaps", configMap("listed"));
    const list = await get(sim, "/api/v1/namespaces/default/configmaps");
    expect(list.body.kind).toBe("ConfigMapList");
    expect(list.body.apiVersion).toBe("v1");
    const item = (list.body.items as Record<string, unknown>[])[0]!;
    expect(item.kind).toBeUndefined();
    expect(item.apiVersion).toBeUndefined();
    expect((list.body.metadata as { resourceVersion: string }).resourceVersion).toMatch(/^\d+$/);
  });

  it("creates, reads, updates and deletes with one global resourceVersion counter", async () => {
    const created = await request(
      sim,
      "POST",
      "/api/v1/namespaces/default/configmaps",
      configMap("crud", {}, { a: "1" }),
    );
    expect(created.status).toBe(201);
    const meta = created.body.metadata as Record<string, string>;
    expect(meta.uid).toBeTruthy();
    expect(meta.creationTimestamp).toMatch(/Z$/);
    expect(meta.namespace).toBe("default");
    const firstVersion = Number(meta.resourceVersion);

    const read = await get(sim, "/api/v1/namespaces/default/configmaps/crud");
    expect(read.body.kind).toBe("ConfigMap");
    expect((read.body.data as Record<string, string>).a).toBe("1");

    const updated = await request(sim, "PUT", "/api/v1/namespaces/default/configmaps/crud", {
      ...read.body,
      data: { a: "2" },
    });
    expect(updated.status).toBe(200);
    expect(Number((updated.body.metadata as Record<string, string>).resourceVersion)).toBeGreaterThan(
      firstVersion,
    );

    const deleted = await request(sim, "DELETE", "/api/v1/namespaces/default/configmaps/crud");
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Success",
      details: { name: "crud", kind: "configmaps", uid: meta.uid },
    });
    expect((await get(sim, "/api/v1/namespaces/default/configmaps/crud")).status).toBe(404);
  });

  it("answers errors with Status objects carrying the real codes and reasons", async () => {
    const missing = await get(sim, "/api/v1/namespaces/default/configmaps/nope");
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({
      kind: "Status",
      apiVersion: "v1",
      status: "Failure",
      reason: "NotFound",
      code: 404,
      message: 'configmaps "nope" not found',
      details: { name: "nope", kind: "configmaps" },
    });

    const missingDeployment = await get(sim, "/apis/apps/v1/namespaces/default/deployments/nope");
    expect(missingDeployment.body.message).toBe('deployments.apps "nope" not found');
    expect(missingDeployment.body.details).toEqual({ name: "nope", group: "apps", kind: "deployments" });

    await request(sim, "POST", "/api/v1/namespaces/default/configmaps", configMap("twice"));
    const again = await request(sim, "POST", "/api/v1/namespaces/default/configmaps", configMap("twice"));
    expect(again.status).toBe(409);
    expect(again.body.reason).toBe("AlreadyExists");

    const stale = await request(sim, "PUT", "/api/v1/namespaces/default/configmaps/twice", {
      ...configMap("twice"),
      metadata: { name: "twice", resourceVersion: "1" },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.reason).toBe("Conflict");
    expect(stale.body.message).toContain("the object has been modified");

    const nameless = await request(sim, "POST", "/api/v1/namespaces/default/configmaps", {
      kind: "ConfigMap",
      metadata: {},
    });
    expect(nameless.status).toBe(422);
    expect(nameless.body.reason).toBe("Invalid");
    expect((nameless.body.details as { causes: { field: string }[] }).causes[0]!.field).toBe("metadata.name");

    const badName = await request(
      sim,
      "POST",
      "/api/v1/namespaces/default/configmaps",
      configMap("Not_Valid"),
    );
    expect(badName.status).toBe(422);

    const garbage = await request(sim, "POST", "/api/v1/namespaces/default/configmaps", "{not json");
    expect(garbage.status).toBe(400);
    expect(garbage.body.reason).toBe("BadRequest");

    const wrongNamespace = await request(sim, "POST", "/api/v1/namespaces/default/configmaps", {
      ...configMap("elsewhere"),
      metadata: { name: "elsewhere", namespace: "kube-system" },
    });
    expect(wrongNamespace.status).toBe(400);

    const noNamespace = await request(
      sim,
      "POST",
      "/api/v1/namespaces/ghost/configmaps",
      configMap("orphan"),
    );
    expect(noNamespace.status).toBe(404);
    expect(noNamespace.body.message).toBe('namespaces "ghost" not found');

    const unknownPath = await get(sim, "/apis/nothing.example.com/v1/things");
    expect(unknownPath.status).toBe(404);
    expect(unknownPath.body.message).toBe("the server could not find the requested resource");

    const notAllowed = await request(sim, "DELETE", "/api/v1/namespaces");
    expect(notAllowed.status).toBe(405);
    expect(notAllowed.body.reason).toBe("MethodNotAllowed");
  });

  it("generates names from generateName", async () => {
    const created = await request(sim, "POST", "/api/v1/namespaces/default/configmaps", {
      kind: "ConfigMap",
      metadata: { generateName: "gen-" },
    });
    expect(created.status).toBe(201);
    expect((created.body.metadata as { name: string }).name).toMatch(/^gen-[a-z0-9]{5}$/);
  });

  it("keeps the resourceVersion on a write that changes nothing", async () => {
    const created = await request(
      sim,
      "POST",
      "/api/v1/namespaces/default/configmaps",
      configMap("same", {}, { a: "1" }),
    );
    const again = await request(sim, "PUT", "/api/v1/namespaces/default/configmaps/same", created.body);
    expect((again.body.metadata as { resourceVersion: string }).resourceVersion).toBe(
      (created.body.metadata as { resourceVersion: string }).resourceVersion,
    );
  });

  it("writes status only through the status subresource and bumps generation on spec changes", async () => {
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web" },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "web" } },
        template: { metadata: { labels: { app: "web" } } },
      },
      status: { replicas: 9 },
    };
    const created = await request(sim, "POST", "/apis/apps/v1/namespaces/default/deployments", deployment);
    expect(created.status).toBe(201);
    expect((created.body.metadata as { generation: number }).generation).toBe(1);
    const scaled = await request(
      sim,
      "PATCH",
      "/apis/apps/v1/namespaces/default/deployments/web",
      { spec: { replicas: 3 }, status: { replicas: 5 } },
      { "content-type": "application/merge-patch+json" },
    );
    expect((scaled.body.spec as { replicas: number }).replicas).toBe(3);
    expect((scaled.body.metadata as { generation: number }).generation).toBe(2);
    expect((scaled.body.status as { replicas: number }).replicas).toBe(9);
    const status = await request(
      sim,
      "PATCH",
      "/apis/apps/v1/namespaces/default/deployments/web/status",
      { status: { replicas: 3, readyReplicas: 3 } },
      { "content-type": "application/merge-patch+json" },
    );
    expect(status.body.status).toEqual({ replicas: 3, readyReplicas: 3 });
    expect((status.body.metadata as { generation: number }).generation).toBe(2);
    const scale = await get(sim, "/apis/apps/v1/namespaces/default/deployments/web/scale");
    expect(scale.body).toMatchObject({ kind: "Scale", apiVersion: "autoscaling/v1", spec: { replicas: 3 } });
    expect((scale.body.status as { selector: string }).selector).toBe("app=web");
  });

  it("deletes a collection by label selector", async () => {
    for (const name of ["dc-a", "dc-b", "dc-keep"]) {
      await request(
        sim,
        "POST",
        "/api/v1/namespaces/default/configmaps",
        configMap(name, { sweep: name === "dc-keep" ? "no" : "yes" }),
      );
    }
    const deleted = await request(
      sim,
      "DELETE",
      "/api/v1/namespaces/default/configmaps?labelSelector=sweep%3Dyes",
    );
    expect(deleted.status).toBe(200);
    expect((deleted.body.items as unknown[]).length).toBe(2);
    const left = await get(sim, "/api/v1/namespaces/default/configmaps?labelSelector=sweep");
    expect((left.body.items as { metadata: { name: string } }[]).map((item) => item.metadata.name)).toEqual([
      "dc-keep",
    ]);
  });

  it("deleting a namespace deletes what is in it", async () => {
    await request(sim, "POST", "/api/v1/namespaces", { kind: "Namespace", metadata: { name: "doomed" } });
    await request(sim, "POST", "/api/v1/namespaces/doomed/configmaps", configMap("inside"));
    const gone = await request(sim, "DELETE", "/api/v1/namespaces/doomed");
    expect(gone.status).toBe(200);
    expect((await get(sim, "/api/v1/namespaces/doomed")).status).toBe(404);
    const all = await get(sim, "/api/v1/configmaps?fieldSelector=metadata.namespace%3Ddoomed");
    expect(all.body.items).toEqual([]);
  });

  it("keeps Leases consistent under competing writers", async () => {
    const lease = {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: "leader" },
      spec: { holderIdentity: "a", leaseDurationSeconds: 15 },
    };
    const created = await request(
      sim,
      "POST",
      "/apis/coordination.k8s.io/v1/namespaces/default/leases",
      lease,
    );
    const base = created.body;
    const first = await request(sim, "PUT", "/apis/coordination.k8s.io/v1/namespaces/default/leases/leader", {
      ...base,
      spec: { holderIdentity: "b", leaseDurationSeconds: 15 },
    });
    expect(first.status).toBe(200);
    const second = await request(
      sim,
      "PUT",
      "/apis/coordination.k8s.io/v1/namespaces/default/leases/leader",
      {
        ...base,
        spec: { holderIdentity: "c", leaseDurationSeconds: 15 },
      },
    );
    expect(second.status).toBe(409);
    expect(second.body.reason).toBe("Conflict");
    const now = await get(sim, "/apis/coordination.k8s.io/v1/namespaces/default/leases/leader");
    expect((now.body.spec as { holderIdentity: string }).holderIdentity).toBe("b");
  });

  it("applies the real server's write defaults: Secret stringData, Service cluster IPs, Pending pods with their QoS class", async () => {
    const secret = await request(sim, "POST", "/api/v1/namespaces/default/secrets", {
      kind: "Secret",
      metadata: { name: "creds" },
      data: { a: Buffer.from("1").toString("base64") },
      stringData: { b: "two" },
    });
    expect(secret.body.data).toEqual({ a: "MQ==", b: Buffer.from("two").toString("base64") });
    expect(secret.body.stringData).toBeUndefined();
    const first = await request(sim, "POST", "/api/v1/namespaces/default/services", {
      kind: "Service",
      metadata: { name: "svc-a" },
      spec: { ports: [{ port: 80 }] },
    });
    const second = await request(sim, "POST", "/api/v1/namespaces/default/services", {
      kind: "Service",
      metadata: { name: "svc-b" },
      spec: { ports: [{ port: 80 }] },
    });
    const ip = (response: { body: Record<string, unknown> }) =>
      (response.body.spec as { clusterIP: string }).clusterIP;
    expect(ip(first)).toMatch(/^10\.96\.\d+\.\d+$/);
    expect(ip(second)).not.toBe(ip(first));
    expect((first.body.spec as { type: string }).type).toBe("ClusterIP");
    const kept = await request(
      sim,
      "PATCH",
      "/api/v1/namespaces/default/services/svc-a",
      { metadata: { labels: { x: "y" } } },
      { "content-type": "application/merge-patch+json" },
    );
    expect(ip(kept)).toBe(ip(first));
    const pod = await request(sim, "POST", "/api/v1/namespaces/default/pods", {
      kind: "Pod",
      metadata: { name: "fresh" },
      spec: { containers: [{ name: "c", image: "i" }] },
    });
    expect(pod.body.status).toEqual({ phase: "Pending", qosClass: "BestEffort" });
  });

  it("answers dryRun=All writes without storing anything", async () => {
    const before = sim.resourceVersion();
    const created = await request(
      sim,
      "POST",
      `/api/v1/namespaces/default/configmaps?dryRun=All`,
      configMap("dry"),
    );
    expect(created.status).toBe(201);
    expect((created.body.metadata as { uid: string }).uid).toBeTruthy();
    expect((await get(sim, "/api/v1/namespaces/default/configmaps/dry")).status).toBe(404);
    await request(sim, "POST", "/api/v1/namespaces/default/configmaps", configMap("wet", {}, { a: "1" }));
    const afterCreate = sim.resourceVersion();
    const patched = await request(
      sim,
      "PATCH",
      "/api/v1/namespaces/default/configmaps/wet?dryRun=All",
      { data: { a: "2" } },
      { "content-type": "application/merge-patch+json" },
    );
    expect((patched.body.data as { a: string }).a).toBe("2");
    expect(((await get(sim, "/api/v1/namespaces/default/configmaps/wet")).body.data as { a: string }).a).toBe(
      "1",
    );
    expect(
      (await request(sim, "DELETE", "/api/v1/namespaces/default/configmaps/wet?dryRun=All")).status,
    ).toBe(200);
    expect((await get(sim, "/api/v1/namespaces/default/configmaps/wet")).status).toBe(200);
    expect(sim.resourceVersion()).toBe(afterCreate);
    expect(afterCreate).toBe(before + 1);
    expect(
      (await request(sim, "POST", `/api/v1/namespaces/default/configmaps?dryRun=Some`, configMap("x")))
        .status,
    ).toBe(400);
  });

  it("answers reviews without storing them, and evicts and binds pods", async () => {
    const review = await request(sim, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", {
      kind: "SelfSubjectAccessReview",
      apiVersion: "authorization.k8s.io/v1",
      spec: { resourceAttributes: { verb: "list", resource: "pods" } },
    });
    expect(review.status).toBe(201);
    expect(review.body.status).toMatchObject({ allowed: true });
    expect((await get(sim, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")).status).toBe(405);

    const pod = (name: string) => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name },
      spec: { containers: [{ name: "c", image: "i" }] },
    });
    await request(sim, "POST", "/api/v1/namespaces/default/pods", pod("bind-me"));
    const binding = await request(sim, "POST", "/api/v1/namespaces/default/pods/bind-me/binding", {
      kind: "Binding",
      apiVersion: "v1",
      metadata: { name: "bind-me" },
      target: { kind: "Node", name: "node-7" },
    });
    expect(binding.status).toBe(201);
    const bound = await get(sim, "/api/v1/namespaces/default/pods/bind-me");
    expect((bound.body.spec as { nodeName: string }).nodeName).toBe("node-7");
    // As the real binding does, in the same write: the PodScheduled condition; and only once.
    expect((bound.body.status as { conditions: unknown[] }).conditions).toEqual([
      expect.objectContaining({ type: "PodScheduled", status: "True" }),
    ]);
    const again = await request(sim, "POST", "/api/v1/namespaces/default/pods/bind-me/binding", {
      kind: "Binding",
      apiVersion: "v1",
      metadata: { name: "bind-me" },
      target: { kind: "Node", name: "node-8" },
    });
    expect(again.status).toBe(409);
    expect(String(again.body.message)).toContain('pod bind-me is already assigned to node "node-7"');
    const eviction = await request(sim, "POST", "/api/v1/namespaces/default/pods/bind-me/eviction", {
      kind: "Eviction",
      apiVersion: "policy/v1",
      metadata: { name: "bind-me" },
    });
    expect(eviction.status).toBe(201);
    expect((await get(sim, "/api/v1/namespaces/default/pods/bind-me")).status).toBe(404);
    const exec = await request(sim, "POST", "/api/v1/namespaces/default/pods/bind-me/exec?command=ls");
    expect(exec.status).toBe(404);
  });

  it("answers hostile input with errors and keeps serving", async () => {
    expect((await get(sim, "/api/v1/namespaces/%E0%A4%A/configmaps")).status).toBe(404);
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    expect((await request(sim, "POST", "/api/v1/namespaces/default/configmaps", deep)).status).toBe(400);
    await request(sim, "POST", "/api/v1/namespaces/default/configmaps", configMap("proto"));
    const polluted = await request(
      sim,
      "PATCH",
      "/api/v1/namespaces/default/configmaps/proto",
      '{"__proto__":{"polluted":"yes"},"data":{"a":"1"}}',
      { "content-type": "application/merge-patch+json" },
    );
    expect(polluted.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const pointer = await request(
      sim,
      "PATCH",
      "/api/v1/namespaces/default/configmaps/proto",
      [{ op: "add", path: "/__proto__/polluted", value: "yes" }],
      { "content-type": "application/json-patch+json" },
    );
    expect(pointer.status).toBe(400);
    const wrongType = await request(
      sim,
      "PATCH",
      "/api/v1/namespaces/default/configmaps/proto",
      { data: 1 },
      {
        "content-type": "text/plain",
      },
    );
    expect(wrongType.status).toBe(415);
    expect((await get(sim, "/version")).status).toBe(200);
  });

  it("survives a request it cannot parse at the HTTP level", async () => {
    const net = await import("node:net");
    const url = new URL(sim.url);
    await new Promise<void>((resolve) => {
      const socket = net.connect(Number(url.port), url.hostname, () =>
        socket.write("NOT HTTP AT ALL\r\n\r\n"),
      );
      socket.on("data", () => socket.destroy());
      socket.on("close", () => resolve());
      socket.on("error", () => resolve());
    });
    expect((await get(sim, "/version")).status).toBe(200);
  });
});
