import type { AppShape } from "./kinds/app-shape.js";
import type { ClusterSpec, WorkloadSpec } from "./spec.js";

interface ShapeOptions {
  port?: number;
  portName?: string;
  config?: boolean;
  secret?: boolean;
  claim?: boolean;
  cpu?: string;
  memory?: string;
}

export function shapeOf(name: string, image: string, options: ShapeOptions = {}): AppShape {
  const shape: AppShape = {
    name,
    image,
    port: options.port ?? 8080,
    portName: options.portName ?? "http",
    serviceAccount: name,
    cpu: options.cpu ?? "100m",
    memory: options.memory ?? "128Mi",
  };
  if (options.config ?? true) shape.configMap = `${name}-config`;
  if (options.secret) shape.secret = `${name}-credentials`;
  if (options.claim) shape.claim = "data";
  return shape;
}

function deployment(shape: AppShape, replicas: number, extra: Partial<WorkloadSpec> = {}): WorkloadSpec {
  return { kind: "Deployment", shape, replicas, ...extra };
}

function statefulSet(shape: AppShape, replicas: number, storage: string): WorkloadSpec {
  return { kind: "StatefulSet", shape, replicas, storage };
}

/**
 * A small, hand-shaped cluster: a shop, its payments, monitoring and a website on three nodes, and
 * a demo app in `default`, where a first query (the README's) looks.
 */
export function demoSpec(): ClusterSpec {
  const team = (name: string) => ({ "app.kubernetes.io/part-of": name, team: name });
  return {
    nodes: 3,
    controlPlanes: 1,
    events: true,
    namespaces: [
      {
        name: "shop",
        labels: team("shop"),
        workloads: [
          deployment(shapeOf("frontend", "ghcr.io/sim-shop/frontend:v2.3.1"), 3, {
            oldRevisions: 1,
            ingress: { host: "shop.example.com", tls: true },
            disruptionBudget: true,
          }),
          deployment(shapeOf("cart", "ghcr.io/sim-shop/cart:v1.8.0", { secret: true }), 2),
          deployment(shapeOf("catalog", "ghcr.io/sim-shop/catalog:v1.12.4"), 2, { autoscaled: true }),
          statefulSet(
            shapeOf("redis", "redis:7.4.2", { port: 6379, portName: "redis", config: false, claim: true }),
            1,
            "1Gi",
          ),
        ],
        cronJobs: [],
      },
      {
        name: "payments",
        labels: { ...team("payments"), "pod-security.kubernetes.io/enforce": "restricted" },
        workloads: [
          deployment(shapeOf("payments-api", "ghcr.io/sim-shop/payments-api:v3.0.2", { secret: true }), 2, {
            disruptionBudget: true,
          }),
          deployment(
            shapeOf("payments-worker", "ghcr.io/sim-shop/payments-worker:v3.0.2", { secret: true }),
            2,
          ),
          statefulSet(
            shapeOf("postgres", "postgres:16.6", {
              port: 5432,
              portName: "postgres",
              secret: true,
              claim: true,
              memory: "512Mi",
            }),
            1,
            "10Gi",
          ),
        ],
        cronJobs: [
          {
            shape: shapeOf("ledger-reconcile", "ghcr.io/sim-shop/payments-worker:v3.0.2", {
              secret: true,
            }),
            schedule: "0 * * * *",
          },
        ],
      },
      {
        name: "monitoring",
        labels: team("observability"),
        workloads: [
          statefulSet(
            shapeOf("prometheus", "prom/prometheus:v3.2.1", {
              port: 9090,
              portName: "http-web",
              claim: true,
            }),
            1,
            "20Gi",
          ),
          deployment(shapeOf("grafana", "grafana/grafana:11.5.2", { port: 3000, secret: true }), 1, {
            ingress: { host: "grafana.example.com", tls: false },
          }),
          deployment(shapeOf("alertmanager", "prom/alertmanager:v0.28.1", { port: 9093 }), 1),
        ],
        cronJobs: [],
      },
      {
        name: "web",
        labels: team("web"),
        workloads: [
          deployment(shapeOf("blog", "nginx:1.27.4", { port: 80 }), 2, {
            oldRevisions: 2,
            ingress: { host: "blog.example.com", tls: true },
          }),
        ],
        cronJobs: [],
      },
      {
        name: "default",
        existing: true,
        workloads: [deployment(shapeOf("podinfo", "ghcr.io/stefanprodan/podinfo:6.7.1", { port: 9898 }), 2)],
        cronJobs: [],
      },
    ],
  };
}
