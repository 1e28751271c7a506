import { afterEach, describe, expect, it } from "vitest";
import {
  chooseContexts,
  connectClusters,
  kubeConfigForContext,
  loadKubeConfig,
  locateKubeConfig,
} from "../../src/kube/connect.js";
import { discoverResourceTypes } from "../../src/kube/discovery.js";
import { KubeHttpClient } from "../../src/kube/http-client.js";
import { resourceTypeName } from "../../src/kube/types.js";
import { kubeconfigFor, sendJson, startTinyServer, type TinyServer } from "./tiny-server.js";

const servers: TinyServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const discoveryDocs: Record<string, unknown> = {
  "/api": { kind: "APIVersions", versions: ["v1"] },
  "/api/v1": {
    kind: "APIResourceList",
    groupVersion: "v1",
    resources: [
      { name: "pods", kind: "Pod", namespaced: true, verbs: ["get", "list", "watch"], shortNames: ["po"] },
      { name: "pods/log", kind: "Pod", namespaced: true, verbs: ["get"] },
      { name: "pods/status", kind: "Pod", namespaced: true, verbs: ["get", "list", "watch"] },
      { name: "bindings", kind: "Binding", namespaced: true, verbs: ["create"] },
      { name: "componentstatuses", kind: "ComponentStatus", namespaced: false, verbs: ["get", "list"] },
      { name: "namespaces", kind: "Namespace", namespaced: false, verbs: ["list", "watch"] },
    ],
  },
  "/apis": {
    kind: "APIGroupList",
    groups: [
      {
        name: "autoscaling",
        preferredVersion: { groupVersion: "autoscaling/v2", version: "v2" },
        versions: [
          { groupVersion: "autoscaling/v2", version: "v2" },
          { groupVersion: "autoscaling/v1", version: "v1" },
        ],
      },
      {
        name: "metrics.k8s.io",
        preferredVersion: { groupVersion: "metrics.k8s.io/v1beta1", version: "v1beta1" },
        versions: [{ groupVersion: "metrics.k8s.io/v1beta1", version: "v1beta1" }],
      },
    ],
  },
  "/apis/autoscaling/v2": {
    kind: "APIResourceList",
    resources: [
      {
        name: "horizontalpodautoscalers",
        kind: "HorizontalPodAutoscaler",
        namespaced: true,
        verbs: ["list", "watch"],
      },
    ],
  },
  "/apis/autoscaling/v1": {
    kind: "APIResourceList",
    resources: [{ name: "old", kind: "Old", verbs: ["list", "watch"] }],
  },
};

function discoveryServer(uid: string): Promise<TinyServer> {
  return startTinyServer((_request, response, url) => {
    if (url.pathname === "/api/v1/namespaces/kube-system") {
      sendJson(response, 200, { kind: "Namespace", metadata: { name: "kube-system", uid } });
      return;
    }
    const doc = discoveryDocs[url.pathname];
    if (doc) sendJson(response, 200, doc);
    else sendJson(response, 503, { kind: "Status", code: 503, message: "service unavailable" });
  });
}

describe("discovery", () => {
  it("returns the list+watch types of the core group and each group's preferred version, without subresources", async () => {
    const server = await discoveryServer("uid-1");
    servers.push(server);
    const kubeConfig = kubeConfigForContext(
      loadKubeConfig({ kubeconfigYaml: kubeconfigFor(server.url) }),
      "tiny",
    );
    const result = await discoverResourceTypes(new KubeHttpClient(kubeConfig));

    expect(result.types.map(resourceTypeName).sort()).toEqual([
      "horizontalpodautoscalers.v2.autoscaling",
      "namespaces.v1.",
      "pods.v1.",
    ]);
    expect(result.types.find((type) => type.resource === "pods")).toMatchObject({
      kind: "Pod",
      namespaced: true,
      shortNames: ["po"],
    });
    expect(result.types.find((type) => type.resource === "namespaces")?.namespaced).toBe(false);
    expect(result.failed).toEqual([{ groupVersion: "metrics.k8s.io/v1beta1", error: "service unavailable" }]);
  });
});

describe("connect", () => {
  it("names each cluster by its kube-system uid and its context, one connection per context", async () => {
    const one = await discoveryServer("uid-one");
    const two = await discoveryServer("uid-two");
    servers.push(one, two);
    const kubeconfig = {
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        { name: "c1", cluster: { server: one.url } },
        { name: "c2", cluster: { server: two.url } },
      ],
      users: [{ name: "u", user: { token: "t" } }],
      contexts: [
        { name: "first", context: { cluster: "c1", user: "u" } },
        { name: "second", context: { cluster: "c2", user: "u" } },
      ],
      "current-context": "first",
    };
    const yaml = JSON.stringify(kubeconfig);

    const current = await connectClusters({ kubeconfigYaml: yaml });
    expect(current.map((connection) => connection.ref)).toEqual([{ id: "uid-one", name: "first" }]);

    const all = await connectClusters({ kubeconfigYaml: yaml, allContexts: true });
    expect(all.map((connection) => connection.ref)).toEqual([
      { id: "uid-one", name: "first" },
      { id: "uid-two", name: "second" },
    ]);
    expect(all.map((connection) => connection.client.server)).toEqual([one.url, two.url]);

    const chosen = await connectClusters({ kubeconfigYaml: yaml, contexts: ["second"] });
    expect(chosen.map((connection) => connection.ref.id)).toEqual(["uid-two"]);

    await expect(connectClusters({ kubeconfigYaml: yaml, contexts: ["third"] })).rejects.toThrow(
      /no context "third" \(known: first, second\)/,
    );
  });

  it("refuses two contexts that reach the same cluster", async () => {
    const server = await discoveryServer("same");
    servers.push(server);
    const yaml = JSON.stringify({
      clusters: [{ name: "c", cluster: { server: server.url } }],
      users: [{ name: "u", user: {} }],
      contexts: [
        { name: "a", context: { cluster: "c", user: "u" } },
        { name: "b", context: { cluster: "c", user: "u" } },
      ],
      "current-context": "a",
    });
    await expect(connectClusters({ kubeconfigYaml: yaml, allContexts: true })).rejects.toThrow(
      /same cluster/,
    );
  });

  it("names the context that cannot be reached", async () => {
    const yaml = kubeconfigFor("http://127.0.0.1:1", "down");
    await expect(connectClusters({ kubeconfigYaml: yaml })).rejects.toThrow(/context "down"/);
  });

  it("finds a kubeconfig through an explicit path or text, and reports when there is none", () => {
    expect(locateKubeConfig({ kubeconfigPath: "some/file" })).toEqual({ kind: "file", path: "some/file" });
    expect(locateKubeConfig({ kubeconfigYaml: "{}" })).toEqual({ kind: "yaml" });
    expect(locateKubeConfig({ inCluster: true })).toEqual({ kind: "in-cluster" });
    const saved = { KUBECONFIG: process.env.KUBECONFIG, HOME: process.env.HOME };
    try {
      process.env.KUBECONFIG = "";
      process.env.HOME = "/nonexistent-home-for-test";
      expect(locateKubeConfig({})).toEqual({ kind: "none" });
      expect(() => loadKubeConfig({})).toThrow(/no kubeconfig found/);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it("builds an in-cluster config from the pod's service environment", () => {
    const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
    try {
      process.env.KUBERNETES_SERVICE_HOST = "10.0.0.1";
      process.env.KUBERNETES_SERVICE_PORT = "443";
      const kubeConfig = loadKubeConfig({ inCluster: true });
      expect(kubeConfig.getCurrentCluster()?.server).toBe("https://10.0.0.1:443");
      expect(chooseContexts(kubeConfig, {})).toEqual([kubeConfig.getCurrentContext()]);
    } finally {
      for (const [name, value] of [
        ["KUBERNETES_SERVICE_HOST", saved.host],
        ["KUBERNETES_SERVICE_PORT", saved.port],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it("sends basic-auth credentials from the kubeconfig", async () => {
    const server = await discoveryServer("uid-basic");
    servers.push(server);
    const yaml = JSON.stringify({
      clusters: [{ name: "c", cluster: { server: server.url } }],
      users: [{ name: "u", user: { username: "admin", password: "pw" } }],
      contexts: [{ name: "basic", context: { cluster: "c", user: "u" } }],
      "current-context": "basic",
    });
    const [connection] = await connectClusters({ kubeconfigYaml: yaml });
    expect(connection?.ref).toEqual({ id: "uid-basic", name: "basic" });
    expect(server.requests[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from("admin:pw").toString("base64")}`,
    );
  });

  it("names the kubeconfig file it cannot read", () => {
    expect(() => loadKubeConfig({ kubeconfigPath: "no/such/kubeconfig" })).toThrow(
      /cannot load kubeconfig no\/such\/kubeconfig/,
    );
  });

  it("checks context names against the kubeconfig", () => {
    const kubeConfig = loadKubeConfig({ kubeconfigYaml: kubeconfigFor("http://127.0.0.1:9", "only") });
    expect(chooseContexts(kubeConfig, {})).toEqual(["only"]);
    expect(chooseContexts(kubeConfig, { allContexts: true })).toEqual(["only"]);
    expect(() => chooseContexts(kubeConfig, { contexts: ["nope"] })).toThrow(/no context "nope"/);
  });
});
