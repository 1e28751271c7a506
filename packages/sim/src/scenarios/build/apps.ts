import { type AppShape, appLabels } from "../kinds/app-shape.js";
import { buildConfigMap, buildSecret, buildServiceAccount } from "../kinds/config.js";
import { buildNamespace } from "../kinds/namespace.js";
import { buildIngress, buildNamespaceIsolation } from "../kinds/networking.js";
import { buildHorizontalPodAutoscaler, buildPodDisruptionBudget } from "../kinds/policy.js";
import { buildRole, buildRoleBinding, type Subject } from "../kinds/rbac.js";
import type { EndpointTarget } from "../kinds/service.js";
import type { NamespaceSpec, WorkloadSpec } from "../spec.js";
import type { BuildContext } from "./build-context.js";
import { addServiceWithEndpoints } from "./services.js";
import { addNamespaceDefaults } from "./system.js";
import { addCronJob, addDeployment, addStatefulSet } from "./workloads.js";

/** The address the ingress controller's load balancer got. */
const ingressAddress = "172.18.255.200";

/** What an app's pods read: its service account, ConfigMap and Secret. */
function addAppConfig(ctx: BuildContext, namespace: string, shape: AppShape): void {
  const { builder } = ctx;
  const labels = appLabels(shape);
  builder.add(buildServiceAccount(builder, namespace, shape.serviceAccount, { ...labels }));
  if (shape.configMap) {
    builder.add(
      buildConfigMap(
        builder,
        namespace,
        shape.configMap,
        {
          LOG_LEVEL: "info",
          LISTEN_PORT: String(shape.port),
          UPSTREAM_TIMEOUT: `${builder.random.int(1, 30)}s`,
        },
        { ...labels },
      ),
    );
  }
  if (shape.secret) {
    builder.add(
      buildSecret(
        builder,
        namespace,
        shape.secret,
        "Opaque",
        { username: shape.name, password: builder.random.hex(24) },
        { ...labels },
      ),
    );
  }
}

/** A workload's config, credentials, pods, service and the extras its spec asks for. */
function addWorkload(ctx: BuildContext, namespace: string, workload: WorkloadSpec): void {
  const { builder } = ctx;
  const { shape } = workload;
  const labels = appLabels(shape);
  addAppConfig(ctx, namespace, shape);
  let targets: EndpointTarget[];
  if (workload.kind === "StatefulSet") {
    targets = addStatefulSet(ctx, namespace, shape, workload.replicas, workload.storage ?? "1Gi");
  } else {
    targets = addDeployment(ctx, namespace, shape, workload.replicas, workload.oldRevisions ?? 0).targets;
  }
  addServiceWithEndpoints(
    ctx,
    {
      name: shape.name,
      namespace,
      labels: { ...labels },
      selector: appLabels(shape),
      clusterIp: workload.kind === "StatefulSet" ? "None" : ctx.allocateClusterIp(),
      ports: [
        {
          name: shape.portName,
          port: workload.kind === "StatefulSet" ? shape.port : 80,
          targetPort: shape.portName,
        },
      ],
    },
    targets,
    { namedPorts: { [shape.portName]: shape.port } },
  );
  if (workload.ingress) {
    const tlsSecret = workload.ingress.tls ? `${shape.name}-tls` : undefined;
    if (tlsSecret) {
      builder.add(
        buildSecret(builder, namespace, tlsSecret, "kubernetes.io/tls", {
          "tls.crt": ctx.caCertificate,
          "tls.key": builder.random.hex(64),
        }),
      );
    }
    builder.add(
      buildIngress(
        builder,
        namespace,
        shape.name,
        workload.ingress.host,
        [{ path: "/", service: shape.name, port: shape.portName }],
        tlsSecret,
        ingressAddress,
      ),
    );
  }
  if (workload.autoscaled && workload.kind === "Deployment") {
    builder.add(buildHorizontalPodAutoscaler(builder, namespace, shape.name, workload.replicas));
  }
  if (workload.disruptionBudget) {
    builder.add(
      buildPodDisruptionBudget(builder, namespace, shape.name, appLabels(shape), workload.replicas),
    );
  }
}

/** An application namespace: its defaults, access rules, workloads and scheduled jobs. */
export function addAppNamespace(ctx: BuildContext, spec: NamespaceSpec): void {
  const { builder } = ctx;
  if (!spec.existing) {
    builder.add(buildNamespace(builder, spec.name, spec.labels ?? {}));
    addNamespaceDefaults(ctx, spec.name);
  }
  const subjects: Subject[] = spec.workloads.map((w) => ({
    kind: "ServiceAccount",
    name: w.shape.serviceAccount,
    namespace: spec.name,
  }));
  builder.add(
    buildRole(builder, spec.name, "config-reader", [
      { apiGroups: [""], resources: ["configmaps", "secrets"], verbs: ["get", "list", "watch"] },
    ]),
  );
  builder.add(
    buildRoleBinding(builder, spec.name, "config-reader", { kind: "Role", name: "config-reader" }, subjects),
  );
  builder.add(
    buildRoleBinding(builder, spec.name, "developers", { kind: "ClusterRole", name: "edit" }, [
      { kind: "Group", name: `${spec.name}-developers` },
    ]),
  );
  builder.add(buildNamespaceIsolation(builder, spec.name));
  for (const workload of spec.workloads) addWorkload(ctx, spec.name, workload);
  for (const cron of spec.cronJobs) {
    addAppConfig(ctx, spec.name, cron.shape);
    addCronJob(ctx, spec.name, cron.shape, cron.schedule);
  }
}
