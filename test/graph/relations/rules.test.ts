import { describe, expect, it } from "vitest";
import { allEdges, edgesOf, feed, find, graphWith } from "./graph-edges.js";
import { object, podSpec } from "./objects.js";

const owner = (kind: string, apiVersion: string, name: string, uid: string) => ({
  kind,
  apiVersion,
  name,
  uid,
  controller: true,
});

describe("built-in relation rules, on objects shaped like the API server's", () => {
  it("owns: Deployment -> ReplicaSet -> Pod by ownerReferences, and a CRD's objects alike", () => {
    const graph = graphWith();
    feed(
      graph,
      ["deployments", object("deployments", { name: "web", uid: "d1" }, { spec: { replicas: 1 } })],
      [
        "replicasets",
        object("replicasets", {
          name: "web-7d4b9",
          uid: "rs1",
          owners: [owner("Deployment", "apps/v1", "web", "d1")],
        }),
      ],
      [
        "pods",
        object("pods", {
          name: "web-7d4b9-x",
          uid: "p1",
          owners: [owner("ReplicaSet", "apps/v1", "web-7d4b9", "rs1")],
        }),
      ],
      ["widgets", object("widgets", { name: "w", uid: "w1" })],
      [
        "configmaps",
        object("configmaps", {
          name: "w-state",
          uid: "c1",
          owners: [owner("Widget", "example.com/v1alpha1", "w", "w1")],
        }),
      ],
    );
    expect(allEdges(graph, ["owns"])).toEqual([
      "owns Deployment/default/web -> ReplicaSet/default/web-7d4b9",
      "owns ReplicaSet/default/web-7d4b9 -> Pod/default/web-7d4b9-x",
      "owns Widget/default/w -> ConfigMap/default/w-state",
    ]);
  });

  it("a Pod runs-on its Node, uses its ServiceAccount, mounts ConfigMaps, Secrets and claims, reads env from them", () => {
    const graph = graphWith();
    feed(
      graph,
      ["nodes", object("nodes", { name: "node-1" })],
      ["serviceaccounts", object("serviceaccounts", { name: "web" })],
      ["configmaps", object("configmaps", { name: "kube-root-ca.crt" })],
      ["configmaps", object("configmaps", { name: "web-config" })],
      ["configmaps", object("configmaps", { name: "web-env" })],
      ["secrets", object("secrets", { name: "web-tls" }, { type: "kubernetes.io/tls" })],
      ["secrets", object("secrets", { name: "web-db" })],
      ["secrets", object("secrets", { name: "regcred" })],
      ["pvcs", object("pvcs", { name: "data" })],
      [
        "pods",
        object(
          "pods",
          { name: "web-0" },
          {
            spec: podSpec({
              node: "node-1",
              serviceAccount: "web",
              configMaps: ["web-config"],
              secrets: ["web-tls"],
              claims: ["data"],
              envConfigMap: "web-env",
              envFromSecret: "web-db",
              pullSecret: "regcred",
            }),
          },
        ),
      ],
    );
    expect(edgesOf(graph, find(graph, "Pod", "web-0"), "OUT")).toEqual([
      "env-from Pod/default/web-0 -> ConfigMap/default/web-env",
      "env-from Pod/default/web-0 -> Secret/default/web-db",
      "mounts Pod/default/web-0 -> ConfigMap/default/kube-root-ca.crt",
      "mounts Pod/default/web-0 -> ConfigMap/default/web-config",
      "mounts Pod/default/web-0 -> PersistentVolumeClaim/default/data",
      "mounts Pod/default/web-0 -> Secret/default/web-tls",
      "pull-secret Pod/default/web-0 -> Secret/default/regcred",
      "runs-on Pod/default/web-0 -> Node/node-1",
      "service-account Pod/default/web-0 -> ServiceAccount/default/web",
    ]);
  });

  it("a Deployment's pod template relates it to what its pods will mount, before any pod runs", () => {
    const graph = graphWith();
    feed(
      graph,
      ["configmaps", object("configmaps", { name: "web-config" })],
      [
        "deployments",
        object(
          "deployments",
          { name: "web" },
          {
            spec: {
              replicas: 0,
              template: {
                metadata: { labels: { app: "web" } },
                spec: podSpec({ configMaps: ["web-config"] }),
              },
            },
          },
        ),
      ],
    );
    expect(edgesOf(graph, find(graph, "ConfigMap", "web-config"), "IN")).toEqual([
      "mounts Deployment/default/web -> ConfigMap/default/web-config",
    ]);
  });

  it("PVC bound-to PV, and both to their StorageClass", () => {
    const graph = graphWith();
    feed(
      graph,
      [
        "storageclasses",
        object("storageclasses", { name: "standard" }, { provisioner: "rancher.io/local-path" }),
      ],
      [
        "pvs",
        object(
          "pvs",
          { name: "pvc-1234" },
          { spec: { storageClassName: "standard", claimRef: { name: "data", namespace: "default" } } },
        ),
      ],
      [
        "pvcs",
        object("pvcs", { name: "data" }, { spec: { storageClassName: "standard", volumeName: "pvc-1234" } }),
      ],
    );
    expect(allEdges(graph)).toEqual([
      "bound-to PersistentVolumeClaim/default/data -> PersistentVolume/pvc-1234",
      "storage-class PersistentVolume/pvc-1234 -> StorageClass/standard",
      "storage-class PersistentVolumeClaim/default/data -> StorageClass/standard",
    ]);
  });

  it("a Service selects the Pods of its namespace that match its selector; one without a selector none", () => {
    const graph = graphWith();
    feed(
      graph,
      [
        "services",
        object("services", { name: "web" }, { spec: { selector: { app: "web" }, ports: [{ port: 80 }] } }),
      ],
      [
        "services",
        object(
          "services",
          { name: "external" },
          { spec: { type: "ExternalName", externalName: "example.com" } },
        ),
      ],
      ["pods", object("pods", { name: "web-1", labels: { app: "web", "pod-template-hash": "7d4b9" } })],
      ["pods", object("pods", { name: "db-1", labels: { app: "db" } })],
      ["pods", object("pods", { name: "web-other", namespace: "other", labels: { app: "web" } })],
    );
    expect(allEdges(graph, ["selects"])).toEqual(["selects Service/default/web -> Pod/default/web-1"]);
  });

  it("a PodDisruptionBudget and a NetworkPolicy select by matchLabels and matchExpressions; {} selects all", () => {
    const graph = graphWith();
    feed(
      graph,
      [
        "pdbs",
        object(
          "pdbs",
          { name: "web" },
          {
            spec: {
              minAvailable: 1,
              selector: { matchExpressions: [{ key: "app", operator: "In", values: ["web", "api"] }] },
            },
          },
        ),
      ],
      [
        "networkpolicies",
        object(
          "networkpolicies",
          { name: "deny-all" },
          { spec: { podSelector: {}, policyTypes: ["Ingress"] } },
        ),
      ],
      ["pods", object("pods", { name: "web-1", labels: { app: "web" } })],
      ["pods", object("pods", { name: "db-1", labels: { app: "db" } })],
    );
    expect(allEdges(graph, ["selects"])).toEqual([
      "selects NetworkPolicy/default/deny-all -> Pod/default/db-1",
      "selects NetworkPolicy/default/deny-all -> Pod/default/web-1",
      "selects PodDisruptionBudget/default/web -> Pod/default/web-1",
    ]);
  });

  it("a NetworkPolicy allows-from pods chosen by namespace and pod selectors, and follows a namespace's relabel", () => {
    const graph = graphWith();
    const policy = object(
      "networkpolicies",
      { name: "api" },
      {
        spec: {
          podSelector: { matchLabels: { app: "api" } },
          ingress: [
            {
              from: [
                {
                  namespaceSelector: { matchLabels: { team: "web" } },
                  podSelector: { matchLabels: { role: "frontend" } },
                },
                { podSelector: { matchLabels: { role: "monitor" } } },
                { ipBlock: { cidr: "10.0.0.0/8" } },
              ],
            },
          ],
          egress: [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "db" } } }] }],
        },
      },
    );
    feed(
      graph,
      ["namespaces", object("namespaces", { name: "shop", labels: { team: "web" } })],
      ["namespaces", object("namespaces", { name: "db", labels: { "kubernetes.io/metadata.name": "db" } })],
      ["networkpolicies", policy],
      ["pods", object("pods", { name: "front", namespace: "shop", labels: { role: "frontend" } })],
      ["pods", object("pods", { name: "front-here", labels: { role: "frontend" } })],
      ["pods", object("pods", { name: "prom", labels: { role: "monitor" } })],
      ["pods", object("pods", { name: "pg", namespace: "db", labels: { app: "pg" } })],
    );
    expect(allEdges(graph, ["allows-from", "allows-to"])).toEqual([
      "allows-from NetworkPolicy/default/api -> Pod/default/prom",
      "allows-from NetworkPolicy/default/api -> Pod/shop/front",
      "allows-to NetworkPolicy/default/api -> Pod/db/pg",
    ]);
    const sequence = graph.log.sequence;
    feed(graph, ["namespaces", object("namespaces", { name: "shop", labels: { team: "ops" } }, {}, "2")]);
    expect(allEdges(graph, ["allows-from"])).toEqual([
      "allows-from NetworkPolicy/default/api -> Pod/default/prom",
    ]);
    const relabel = graph.log.changeAt(sequence + 1);
    expect(relabel?.relations?.removed.map((e) => `${e.type} ${e.from} -> ${e.to}`)).toEqual([
      "allows-from cluster-a/networkpolicies--api -> cluster-a/pods-shop-front",
    ]);
  });

  it("an EndpointSlice is endpoints-for its Service and targets its Pods", () => {
    const graph = graphWith();
    feed(
      graph,
      ["services", object("services", { name: "web" }, { spec: { selector: { app: "web" } } })],
      ["pods", object("pods", { name: "web-1", uid: "p-web-1", labels: { app: "web" } })],
      [
        "endpointslices",
        object(
          "endpointslices",
          {
            name: "web-abcde",
            labels: {
              "kubernetes.io/service-name": "web",
              "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
            },
          },
          {
            addressType: "IPv4",
            endpoints: [
              {
                addresses: ["10.244.0.7"],
                conditions: { ready: true },
                targetRef: { kind: "Pod", namespace: "default", name: "web-1", uid: "p-web-1" },
              },
            ],
            ports: [{ port: 8080, protocol: "TCP" }],
          },
        ),
      ],
    );
    expect(allEdges(graph, ["endpoints-for", "targets"])).toEqual([
      "endpoints-for EndpointSlice/default/web-abcde -> Service/default/web",
      "targets EndpointSlice/default/web-abcde -> Pod/default/web-1",
    ]);
  });

  it("an Ingress routes-to its Services (rules and default backend), names its class and TLS Secrets", () => {
    const graph = graphWith();
    feed(
      graph,
      [
        "ingressclasses",
        object("ingressclasses", { name: "nginx" }, { spec: { controller: "k8s.io/ingress-nginx" } }),
      ],
      ["services", object("services", { name: "web" })],
      ["services", object("services", { name: "fallback" })],
      ["secrets", object("secrets", { name: "web-tls" })],
      [
        "ingresses",
        object(
          "ingresses",
          { name: "web" },
          {
            spec: {
              ingressClassName: "nginx",
              defaultBackend: { service: { name: "fallback", port: { number: 80 } } },
              tls: [{ hosts: ["web.example.com"], secretName: "web-tls" }],
              rules: [
                {
                  host: "web.example.com",
                  http: {
                    paths: [
                      {
                        path: "/",
                        pathType: "Prefix",
                        backend: { service: { name: "web", port: { name: "http" } } },
                      },
                    ],
                  },
                },
              ],
            },
          },
        ),
      ],
    );
    expect(allEdges(graph)).toEqual([
      "ingress-class Ingress/default/web -> IngressClass/nginx",
      "routes-to Ingress/default/web -> Service/default/fallback",
      "routes-to Ingress/default/web -> Service/default/web",
      "tls-secret Ingress/default/web -> Secret/default/web-tls",
    ]);
  });

  it("an HPA scales its target; bindings bind their role and ServiceAccount subjects", () => {
    const graph = graphWith();
    feed(
      graph,
      ["deployments", object("deployments", { name: "web" })],
      [
        "hpas",
        object(
          "hpas",
          { name: "web" },
          {
            spec: {
              scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" },
              minReplicas: 1,
              maxReplicas: 5,
            },
          },
        ),
      ],
      ["serviceaccounts", object("serviceaccounts", { name: "ci", namespace: "tools" })],
      ["roles", object("roles", { name: "reader" })],
      ["clusterroles", object("clusterroles", { name: "view" })],
      [
        "rolebindings",
        object(
          "rolebindings",
          { name: "ci-reader" },
          {
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "reader" },
            subjects: [
              { kind: "ServiceAccount", name: "ci", namespace: "tools" },
              { kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "jane" },
            ],
          },
        ),
      ],
      [
        "clusterrolebindings",
        object(
          "clusterrolebindings",
          { name: "ci-view" },
          {
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
            subjects: [{ kind: "ServiceAccount", name: "ci", namespace: "tools" }],
          },
        ),
      ],
    );
    expect(allEdges(graph)).toEqual([
      "binds-role ClusterRoleBinding/ci-view -> ClusterRole/view",
      "binds-role RoleBinding/default/ci-reader -> Role/default/reader",
      "binds-subject ClusterRoleBinding/ci-view -> ServiceAccount/tools/ci",
      "binds-subject RoleBinding/default/ci-reader -> ServiceAccount/tools/ci",
      "scales HorizontalPodAutoscaler/default/web -> Deployment/default/web",
    ]);
  });

  it("a webhook configuration calls its Service; Gateway API objects reach their class, Gateway and Services", () => {
    const graph = graphWith();
    feed(
      graph,
      ["services", object("services", { name: "webhook", namespace: "cert-manager" })],
      [
        "webhooks",
        object(
          "webhooks",
          { name: "cert-manager-webhook" },
          {
            webhooks: [
              {
                name: "webhook.cert-manager.io",
                clientConfig: { service: { name: "webhook", namespace: "cert-manager", path: "/validate" } },
                sideEffects: "None",
                admissionReviewVersions: ["v1"],
              },
            ],
          },
        ),
      ],
      [
        "gatewayclasses",
        object(
          "gatewayclasses",
          { name: "istio" },
          { spec: { controllerName: "istio.io/gateway-controller" } },
        ),
      ],
      [
        "gateways",
        object(
          "gateways",
          { name: "edge", namespace: "infra" },
          { spec: { gatewayClassName: "istio", listeners: [{ name: "http", port: 80, protocol: "HTTP" }] } },
        ),
      ],
      ["services", object("services", { name: "web" })],
      [
        "httproutes",
        object(
          "httproutes",
          { name: "web" },
          {
            spec: {
              parentRefs: [{ name: "edge", namespace: "infra" }],
              rules: [{ backendRefs: [{ name: "web", port: 80 }] }],
            },
          },
        ),
      ],
    );
    expect(allEdges(graph)).toEqual([
      "attaches-to HTTPRoute/default/web -> Gateway/infra/edge",
      "calls ValidatingWebhookConfiguration/cert-manager-webhook -> Service/cert-manager/webhook",
      "gateway-class Gateway/infra/edge -> GatewayClass/istio",
      "routes-to HTTPRoute/default/web -> Service/default/web",
    ]);
  });

  it("a custom resource is defined-by its CRD; an Event is about what it involves", () => {
    const graph = graphWith();
    feed(
      graph,
      [
        "crds",
        object(
          "crds",
          { name: "widgets.example.com" },
          {
            spec: { group: "example.com", names: { plural: "widgets", kind: "Widget" }, scope: "Namespaced" },
          },
        ),
      ],
      ["widgets", object("widgets", { name: "w" })],
      ["pods", object("pods", { name: "web-1", uid: "p-web-1" })],
      [
        "events",
        object(
          "events",
          { name: "web-1.18a2b" },
          {
            involvedObject: {
              kind: "Pod",
              namespace: "default",
              name: "web-1",
              uid: "p-web-1",
              apiVersion: "v1",
            },
            reason: "Scheduled",
            type: "Normal",
          },
        ),
      ],
    );
    expect(allEdges(graph)).toEqual([
      "about Event/default/web-1.18a2b -> Pod/default/web-1",
      "defined-by Widget/default/w -> CustomResourceDefinition/widgets.example.com",
    ]);
  });

  it("never relates objects of two clusters, even of the same names and uids", () => {
    const graph = graphWith();
    const other = { id: "cluster-b", name: "ctx-b" };
    feed(graph, ["services", object("services", { name: "web" }, { spec: { selector: { app: "web" } } })]);
    graph.upsert(
      other,
      { group: "", version: "v1", resource: "pods", kind: "Pod", namespaced: true, verbs: [] },
      object("pods", { name: "web-1", labels: { app: "web" } }),
    );
    graph.upsert(
      other,
      { group: "", version: "v1", resource: "nodes", kind: "Node", namespaced: false, verbs: [] },
      object("nodes", { name: "node-1" }),
    );
    feed(graph, [
      "pods",
      object("pods", { name: "here", uid: "other-uid" }, { spec: { nodeName: "node-1" } }),
    ]);
    expect(allEdges(graph)).toEqual([]);
  });

  it("with builtinRelations false, keeps only the rules it is given, and none without them", () => {
    const objects = (graph: ReturnType<typeof graphWith>) =>
      feed(
        graph,
        ["nodes", object("nodes", { name: "node-1" })],
        ["services", object("services", { name: "web" }, { spec: { selector: { app: "web" } } })],
        ["pods", object("pods", { name: "web-1", labels: { app: "web" } }, { spec: { nodeName: "node-1" } })],
      );
    const bare = graphWith({ builtinRelations: false });
    objects(bare);
    expect(allEdges(bare)).toEqual([]);
    expect(bare.relationTypes.size).toBe(0);
    expect(bare.relationReferences).toBe(0);
    const ownRule = graphWith({
      builtinRelations: false,
      relationRules: [
        {
          type: "placed-on",
          from: [{ kind: "Pod" }],
          ref: { paths: ["spec.nodeName"], to: { kind: "Node" } },
        },
      ],
    });
    objects(ownRule);
    expect(allEdges(ownRule)).toEqual(["placed-on Pod/default/web-1 -> Node/node-1"]);
  });
});

describe("an operator's relation rules, for CRDs, without code", () => {
  it("relate a custom resource by a reference and by a selector", () => {
    const graph = graphWith({
      relationRules: [
        {
          type: "configured-by",
          from: [{ kind: "Widget", group: "example.com" }],
          ref: { paths: ["spec.configRef"], to: { kind: "ConfigMap" } },
        },
        {
          type: "selects",
          from: [{ kind: "Widget", group: "example.com" }],
          selector: { paths: ["spec.podSelector"], to: { kind: "Pod" } },
        },
      ],
    });
    feed(
      graph,
      [
        "widgets",
        object(
          "widgets",
          { name: "w" },
          { spec: { configRef: "w-config", podSelector: { matchLabels: { widget: "w" } } } },
        ),
      ],
      ["configmaps", object("configmaps", { name: "w-config" })],
      ["pods", object("pods", { name: "w-1", labels: { widget: "w" } })],
    );
    expect(edgesOf(graph, find(graph, "Widget", "w"), "OUT")).toEqual([
      "configured-by Widget/default/w -> ConfigMap/default/w-config",
      "selects Widget/default/w -> Pod/default/w-1",
    ]);
    expect(graph.relationTypes.has("configured-by")).toBe(true);
  });
});
