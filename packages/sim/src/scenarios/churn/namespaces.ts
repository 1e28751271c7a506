import { shapeOf } from "../demo.js";
import { appLabels } from "../kinds/app-shape.js";
import {
  buildConfigMap,
  buildRootCaConfigMap,
  buildServiceAccount,
  fakeCertificate,
} from "../kinds/config.js";
import { buildDeployment, buildReplicaSet } from "../kinds/deployment.js";
import { buildNamespace } from "../kinds/namespace.js";
import { buildEndpointSlice, buildEndpoints, buildService } from "../kinds/service.js";
import {
  type ChurnContext,
  configMaps,
  deployments,
  endpointSlices,
  endpoints,
  events,
  namespaces,
  pods,
  type ResourceRef,
  replicaSets,
  secrets,
  serviceAccounts,
  services,
} from "./churn-context.js";
import type { KeyCache } from "./key-cache.js";
import { createPodsFor } from "./pods.js";
import { refreshReplicaSetCounts } from "./replicas.js";

/** Children before owners, so no object ever points at an owner that is gone. */
const teardownOrder: readonly ResourceRef[] = [
  events,
  pods,
  endpointSlices,
  endpoints,
  replicaSets,
  deployments,
  services,
  configMaps,
  secrets,
  serviceAccounts,
];

/** Short-lived namespaces, as CI preview environments come and go. */
export class NamespaceLifecycle {
  private readonly live: string[] = [];

  constructor(
    private readonly ctx: ChurnContext,
    private readonly workers: KeyCache,
  ) {}

  step(): void {
    if (this.live.length > 0 && (this.live.length >= 2 || this.ctx.random.chance(0.5))) this.tearDown();
    else this.create();
  }

  private create(): void {
    const { ctx } = this;
    const stamp = ctx.stamp;
    const name = `preview-${ctx.random.suffix(5)}`;
    ctx.create(namespaces, buildNamespace(stamp, name, { purpose: "preview" }));
    this.live.push(name);
    ctx.create(serviceAccounts, buildServiceAccount(stamp, name, "default"));
    ctx.create(configMaps, buildRootCaConfigMap(stamp, name, fakeCertificate(stamp)));
    const shape = shapeOf("preview-web", "nginx:1.27.4", { port: 80 });
    ctx.create(serviceAccounts, buildServiceAccount(stamp, name, shape.serviceAccount));
    ctx.create(
      configMaps,
      buildConfigMap(stamp, name, shape.configMap ?? "preview-web-config", { LOG_LEVEL: "debug" }),
    );
    const service = ctx.create(
      services,
      buildService(stamp, {
        name: shape.name,
        namespace: name,
        labels: appLabels(shape),
        selector: appLabels(shape),
        clusterIp: `10.96.${ctx.random.int(200, 254)}.${ctx.random.int(1, 254)}`,
        ports: [{ name: shape.portName, port: 80, targetPort: shape.portName }],
      }),
    );
    ctx.create(
      endpointSlices,
      buildEndpointSlice(stamp, service, [], { namedPorts: { [shape.portName]: shape.port } }),
    );
    ctx.create(
      endpoints,
      buildEndpoints(stamp, service, [], { namedPorts: { [shape.portName]: shape.port } }),
    );
    const replicas = 2;
    const deployment = ctx.create(deployments, buildDeployment(stamp, name, shape, replicas, 1));
    const replicaSet = buildReplicaSet(stamp, deployment, shape, ctx.random.templateHash(), replicas, 1);
    // A fresh ReplicaSet has started no pods yet.
    replicaSet.status = { observedGeneration: 1, replicas: 0 };
    const created = ctx.create(replicaSets, replicaSet);
    createPodsFor(ctx, created, replicas, this.workers);
    refreshReplicaSetCounts(ctx, name, created.metadata?.name ?? "");
  }

  private tearDown(): void {
    const { ctx } = this;
    const name = this.live.shift();
    if (!name) return;
    for (let i = ctx.pending.length - 1; i >= 0; i--) {
      if (ctx.pending[i]?.namespace === name) ctx.pending.splice(i, 1);
    }
    for (const ref of teardownOrder) {
      for (const object of ctx.list(ref, name)) ctx.deleteIfPresent(ref, name, object.metadata?.name ?? "");
    }
    ctx.deleteIfPresent(namespaces, undefined, name);
  }
}
