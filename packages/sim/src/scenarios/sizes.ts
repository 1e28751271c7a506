import type { Random } from "../random.js";
import { shapeOf } from "./demo.js";
import { type ClusterSpec, jobsPerCronJob, type NamespaceSpec, type WorkloadSpec } from "./spec.js";
import type { ScenarioBuilder } from "./stamp.js";

/** The targets of a generated cluster; pods and services are hit exactly. */
export interface SizeTarget {
  nodes: number;
  controlPlanes: number;
  namespaces: number;
  pods: number;
  services: number;
}

export const sizes = {
  small: { nodes: 4, controlPlanes: 1, namespaces: 3, pods: 50, services: 12 },
  // 1,000 and 10,000 pods: with small, medium and scale, a ladder that benchmarks measure growth on.
  modest: { nodes: 40, controlPlanes: 1, namespaces: 8, pods: 1_000, services: 70 },
  medium: { nodes: 200, controlPlanes: 3, namespaces: 20, pods: 5_000, services: 340 },
  large: { nodes: 400, controlPlanes: 3, namespaces: 30, pods: 10_000, services: 700 },
  // The Kubernetes scalability thresholds: 5,000 nodes, 150,000 pods, 10,000 services.
  scale: { nodes: 5_000, controlPlanes: 3, namespaces: 100, pods: 150_000, services: 10_000 },
} as const satisfies Record<string, SizeTarget>;

// What every cluster has before any application, as the system builder adds it.
const staticPodsPerControlPlane = 4;
const systemDeploymentPods = 3; // coredns ×2, metrics-server ×1
const systemServices = 3; // kubernetes, kube-dns, metrics-server
const statefulSetReplicas = 3;
const cronJobEvery = 5; // one namespace in five runs a CronJob

const products = [
  "shop",
  "payments",
  "search",
  "identity",
  "orders",
  "inventory",
  "shipping",
  "billing",
  "media",
  "ads",
  "analytics",
  "messaging",
  "catalog",
  "reviews",
  "loyalty",
  "pricing",
  "fraud",
  "support",
  "maps",
  "booking",
  "ledger",
  "reports",
  "notify",
  "gateway",
  "storefront",
];
const environments = ["prod", "staging", "dev", "qa"];
const services = [
  "cart",
  "checkout",
  "auth",
  "user",
  "order",
  "stock",
  "label",
  "invoice",
  "email",
  "sms",
  "push",
  "quote",
  "rating",
  "profile",
  "session",
  "upload",
  "thumbnail",
  "feed",
  "recommend",
  "currency",
  "tax",
  "refund",
  "export",
  "import",
  "audit",
  "webhook",
  "scheduler",
  "geo",
  "cache",
  "index",
];
const roles = ["api", "worker", "web", "consumer", "sync", "proxy", "indexer", "grpc", "cron", "admin"];

function shuffled<T>(random: Random, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    const swap = out[i] as T;
    out[i] = out[j] as T;
    out[j] = swap;
  }
  return out;
}

/** count distinct names from the combinations, numbered once they run out. */
function uniqueNames(
  random: Random,
  first: readonly string[],
  second: readonly string[],
  count: number,
): string[] {
  const combos = shuffled(
    random,
    first.flatMap((a) => second.map((b) => `${a}-${b}`)),
  );
  const names: string[] = [];
  for (let i = 0; names.length < count; i++) {
    const base = combos[i % combos.length] ?? "app";
    const round = Math.floor(i / combos.length);
    names.push(round === 0 ? base : `${base}-${round + 1}`);
  }
  return names;
}

/** Splits total into count uneven parts of at least one each, summing exactly to total. */
export function distribute(random: Random, total: number, count: number): number[] {
  if (count <= 0) return [];
  if (total < count) throw new RangeError(`cannot give ${count} parts at least one of ${total}`);
  const weights = Array.from({ length: count }, () => 0.3 + random.next() * 1.4);
  const weightSum = weights.reduce((sum, w) => sum + w, 0);
  const parts = weights.map((w) => Math.max(1, Math.round((total * w) / weightSum)));
  let sum = parts.reduce((a, b) => a + b, 0);
  while (sum !== total) {
    const i = Math.floor(random.next() * count);
    const part = parts[i] ?? 1;
    if (sum > total && part > 1) {
      parts[i] = part - 1;
      sum--;
    } else if (sum < total) {
      parts[i] = part + 1;
      sum++;
    }
  }
  return parts;
}

function deploymentSpec(
  random: Random,
  product: string,
  name: string,
  replicas: number,
  ns: string,
): WorkloadSpec {
  const version = `v${random.int(1, 4)}.${random.int(0, 20)}.${random.int(0, 9)}`;
  const shape = shapeOf(name, `ghcr.io/${product}/${name}:${version}`, {
    config: random.chance(0.8),
    secret: random.chance(0.3),
  });
  const workload: WorkloadSpec = { kind: "Deployment", shape, replicas };
  if (random.chance(0.3)) workload.oldRevisions = random.int(1, 2);
  if (random.chance(0.1)) workload.ingress = { host: `${name}.${ns}.example.com`, tls: random.chance(0.5) };
  if (random.chance(0.1)) workload.autoscaled = true;
  if (random.chance(0.2)) workload.disruptionBudget = true;
  return workload;
}

/** Plans namespaces and workloads so that the cluster has exactly the target's pods and services. */
export function sizedSpec(builder: ScenarioBuilder, target: SizeTarget): ClusterSpec {
  const random = builder.random;
  const cronNamespaces = Math.ceil(target.namespaces / cronJobEvery);
  const systemPods = target.controlPlanes * staticPodsPerControlPlane + target.nodes + systemDeploymentPods;
  const deployments = target.services - systemServices - target.namespaces;
  const deploymentPods =
    target.pods - systemPods - target.namespaces * statefulSetReplicas - cronNamespaces * jobsPerCronJob;
  const replicas = distribute(random, deploymentPods, deployments);
  const perNamespace = distribute(random, deployments, target.namespaces);
  const namespaceNames = uniqueNames(random, products, environments, target.namespaces);
  let next = 0;
  const namespaces: NamespaceSpec[] = namespaceNames.map((name, index) => {
    const product = name.split("-")[0] ?? name;
    const count = perNamespace[index] ?? 0;
    const workloads = uniqueNames(random, services, roles, count).map((app) =>
      deploymentSpec(random, product, app, replicas[next++] ?? 1, name),
    );
    const db = shapeOf("postgres", "postgres:16.6", {
      port: 5432,
      portName: "postgres",
      secret: true,
      claim: true,
      config: false,
    });
    workloads.push({ kind: "StatefulSet", shape: db, replicas: statefulSetReplicas, storage: "10Gi" });
    const cronJobs =
      index % cronJobEvery === 0
        ? [
            {
              shape: shapeOf("nightly-report", `ghcr.io/${product}/reports:v1.0.0`),
              schedule: "30 2 * * *",
            },
          ]
        : [];
    return {
      name,
      labels: { team: product, environment: name.split("-")[1] ?? "prod" },
      workloads,
      cronJobs,
    };
  });
  return { nodes: target.nodes, controlPlanes: target.controlPlanes, namespaces };
}
