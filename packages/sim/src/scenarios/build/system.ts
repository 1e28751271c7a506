import type { KubeObject } from "../../object-api.js";
import { type AppShape, templateSpec } from "../kinds/app-shape.js";
import { buildConfigMap, buildRootCaConfigMap, buildServiceAccount } from "../kinds/config.js";
import { buildNamespace } from "../kinds/namespace.js";
import { buildIngressClass } from "../kinds/networking.js";
import { buildLeaderLease, buildNode, buildNodeLease } from "../kinds/node.js";
import { buildPod } from "../kinds/pod.js";
import { buildPriorityClass } from "../kinds/policy.js";
import { buildEndpointSlice, buildEndpoints, buildService, type EndpointTarget } from "../kinds/service.js";
import { buildStorageClass } from "../kinds/storage.js";
import { dnsServiceIp, kubernetesServiceIp, nodeIp } from "../network.js";
import type { ScenarioBuilder } from "../stamp.js";
import { BuildContext } from "./build-context.js";
import { addClusterRbac } from "./rbac.js";
import { addServiceWithEndpoints } from "./services.js";
import { addDaemonSet, addDeployment } from "./workloads.js";

export const kubernetesVersion = "v1.34.1";

/** kind-style node names: sim-control-plane, sim-control-plane2, sim-worker, sim-worker2, ... */
export function nodeName(index: number, controlPlanes: number): string {
  if (index < controlPlanes) return index === 0 ? "sim-control-plane" : `sim-control-plane${index + 1}`;
  const worker = index - controlPlanes;
  return worker === 0 ? "sim-worker" : `sim-worker${worker + 1}`;
}

function systemShape(
  name: string,
  image: string,
  port: number,
  portName: string,
  labels: Record<string, string>,
): AppShape {
  return {
    name,
    image,
    port,
    portName,
    serviceAccount: name,
    cpu: "100m",
    memory: "128Mi",
    labels,
  };
}

/** The namespaces the API server creates at start, then the nodes as their kubelets register. */
function addFoundation(builder: ScenarioBuilder, nodes: number, controlPlanes: number): KubeObject[] {
  builder.add(buildNamespace(builder, "default"));
  builder.add(buildNamespace(builder, "kube-node-lease"));
  builder.add(buildNamespace(builder, "kube-public"));
  builder.add(buildNamespace(builder, "kube-system"));
  builder.add(
    buildPriorityClass(
      builder,
      "system-cluster-critical",
      2000000000,
      "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
    ),
  );
  builder.add(
    buildPriorityClass(
      builder,
      "system-node-critical",
      2000001000,
      "Used for system critical pods that must not be moved from their current node.",
    ),
  );
  const added: KubeObject[] = [];
  for (let index = 0; index < nodes; index++) {
    added.push(builder.add(buildNode(builder, nodeName(index, controlPlanes), index, index < controlPlanes)));
  }
  for (const node of added) builder.add(buildNodeLease(builder, node));
  return added;
}

/** etcd, the API server, controller manager and scheduler run as static (mirror) pods owned by their Node. */
function addControlPlanePods(ctx: BuildContext, controlPlanes: number): void {
  const { builder } = ctx;
  const components = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"];
  for (let index = 0; index < controlPlanes; index++) {
    const node = ctx.nodes[index];
    const nodeName = node?.metadata?.name ?? "";
    for (const component of components) {
      const image =
        component === "etcd"
          ? "registry.k8s.io/etcd:3.6.4-0"
          : `registry.k8s.io/${component}:${kubernetesVersion}`;
      const shape = systemShape(component, image, component === "etcd" ? 2381 : 10257, "probe-port", {
        component,
        tier: "control-plane",
      });
      const spec = templateSpec(shape);
      delete spec.serviceAccountName;
      spec.hostNetwork = true;
      spec.priorityClassName = "system-node-critical";
      spec.tolerations = [{ effect: "NoExecute", operator: "Exists" }];
      const hash = builder.random.hex(32);
      builder.add(
        buildPod(builder, {
          name: `${component}-${nodeName}`,
          namespace: "kube-system",
          labels: { component, tier: "control-plane" },
          annotations: {
            "kubernetes.io/config.hash": hash,
            "kubernetes.io/config.mirror": hash,
            "kubernetes.io/config.seen": builder.timestamp(),
            "kubernetes.io/config.source": "file",
          },
          owner: {
            apiVersion: "v1",
            kind: "Node",
            name: nodeName,
            uid: node?.metadata?.uid ?? "",
            controller: true,
          },
          spec,
          placement: ctx.scheduler.onNode(index),
          hostNetwork: true,
          staticPod: true,
        }),
      );
    }
  }
}

/** The API server's own service: no selector, its endpoints are the control-plane nodes. */
function addApiServerService(ctx: BuildContext, controlPlanes: number): void {
  const { builder } = ctx;
  const targets: EndpointTarget[] = [];
  for (let index = 0; index < controlPlanes; index++) targets.push({ ip: nodeIp(index) });
  const service = builder.add(
    buildService(builder, {
      name: "kubernetes",
      namespace: "default",
      labels: { component: "apiserver", provider: "kubernetes" },
      clusterIp: kubernetesServiceIp,
      ports: [{ name: "https", port: 443, targetPort: 6443 }],
    }),
  );
  builder.add(buildEndpointSlice(builder, service, targets, { managedByApiServer: true }));
  builder.add(buildEndpoints(builder, service, targets));
}

/** kube-system's add-ons: kube-proxy on every node, CoreDNS and metrics-server, with their config. */
function addKubeSystem(ctx: BuildContext): void {
  const { builder } = ctx;
  const ns = "kube-system";
  builder.add(buildServiceAccount(builder, ns, "kube-proxy"));
  builder.add(
    buildConfigMap(
      builder,
      ns,
      "kube-proxy",
      {
        "config.conf":
          "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: iptables\nclusterCIDR: 10.64.0.0/10\n",
      },
      { app: "kube-proxy" },
    ),
  );
  addDaemonSet(
    ctx,
    ns,
    systemShape("kube-proxy", `registry.k8s.io/kube-proxy:${kubernetesVersion}`, 10256, "healthz", {
      "k8s-app": "kube-proxy",
    }),
  );

  builder.add(buildServiceAccount(builder, ns, "coredns"));
  builder.add(
    buildConfigMap(builder, ns, "coredns", {
      Corefile:
        ".:53 {\n    errors\n    health\n    ready\n    kubernetes cluster.local in-addr.arpa ip6.arpa {\n       pods insecure\n       fallthrough in-addr.arpa ip6.arpa\n    }\n    prometheus :9153\n    forward . /etc/resolv.conf\n    cache 30\n    loop\n    reload\n}\n",
    }),
  );
  const dnsShape = systemShape("coredns", "registry.k8s.io/coredns/coredns:v1.12.1", 53, "dns", {
    "k8s-app": "kube-dns",
  });
  const dns = addDeployment(ctx, ns, dnsShape, 2);
  addServiceWithEndpoints(
    ctx,
    {
      name: "kube-dns",
      namespace: ns,
      labels: {
        "k8s-app": "kube-dns",
        "kubernetes.io/cluster-service": "true",
        "kubernetes.io/name": "CoreDNS",
      },
      selector: { "k8s-app": "kube-dns" },
      clusterIp: dnsServiceIp,
      ports: [
        { name: "dns", port: 53, targetPort: 53, protocol: "UDP" },
        { name: "dns-tcp", port: 53, targetPort: 53 },
        { name: "metrics", port: 9153, targetPort: 9153 },
      ],
    },
    dns.targets,
  );

  builder.add(buildServiceAccount(builder, ns, "metrics-server"));
  const metricsShape = systemShape(
    "metrics-server",
    "registry.k8s.io/metrics-server/metrics-server:v0.8.0",
    10250,
    "https",
    { "k8s-app": "metrics-server" },
  );
  const metrics = addDeployment(ctx, ns, metricsShape, 1);
  addServiceWithEndpoints(
    ctx,
    {
      name: "metrics-server",
      namespace: ns,
      labels: { "k8s-app": "metrics-server" },
      selector: { "k8s-app": "metrics-server" },
      clusterIp: ctx.allocateClusterIp(),
      ports: [{ name: "https", port: 443, targetPort: "https" }],
    },
    metrics.targets,
    { namedPorts: { https: metricsShape.port } },
  );

  builder.add(
    buildConfigMap(builder, ns, "kubeadm-config", {
      ClusterConfiguration: `apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nkubernetesVersion: ${kubernetesVersion}\nnetworking:\n  podSubnet: 10.64.0.0/10\n  serviceSubnet: 10.96.0.0/12\n`,
    }),
  );
  builder.add(
    buildConfigMap(builder, ns, "kubelet-config", {
      kubelet:
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nclusterDNS:\n- 10.96.0.10\nclusterDomain: cluster.local\n",
    }),
  );
  const leader = ctx.nodes[0]?.metadata?.name ?? "sim-control-plane";
  builder.add(buildLeaderLease(builder, "kube-controller-manager", leader));
  builder.add(buildLeaderLease(builder, "kube-scheduler", leader));
}

/** Every namespace gets the root CA bundle and a default ServiceAccount from the controllers. */
export function addNamespaceDefaults(ctx: BuildContext, namespace: string): void {
  ctx.builder.add(buildServiceAccount(ctx.builder, namespace, "default"));
  ctx.builder.add(buildRootCaConfigMap(ctx.builder, namespace, ctx.caCertificate));
}

/** The part of every cluster that no scenario chooses: namespaces, nodes, control plane, add-ons. */
export function addSystem(builder: ScenarioBuilder, nodes: number, controlPlanes: number): BuildContext {
  const nodeObjects = addFoundation(builder, nodes, controlPlanes);
  const ctx = new BuildContext(builder, nodeObjects, controlPlanes);
  for (const ns of ["default", "kube-node-lease", "kube-public", "kube-system"])
    addNamespaceDefaults(ctx, ns);
  addControlPlanePods(ctx, controlPlanes);
  addApiServerService(ctx, controlPlanes);
  builder.add(buildStorageClass(builder));
  builder.add(buildIngressClass(builder));
  addClusterRbac(builder);
  builder.add(
    buildConfigMap(builder, "kube-public", "cluster-info", {
      kubeconfig: `apiVersion: v1\nclusters:\n- cluster:\n    server: https://${nodeIp(0)}:6443\n  name: ""\ncontexts: null\ncurrent-context: ""\nkind: Config\npreferences: {}\nusers: null\n`,
    }),
  );
  addKubeSystem(ctx);
  return ctx;
}
