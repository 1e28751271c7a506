import type { KubeObject } from "../../object-api.js";
import { fakeCertificate } from "../kinds/config.js";
import { clusterIp } from "../network.js";
import type { ScenarioBuilder } from "../stamp.js";
import { Scheduler } from "./scheduler.js";

/** Shared state while one cluster is assembled. */
export class BuildContext {
  readonly scheduler: Scheduler;
  readonly caCertificate: string;
  /** Whether workloads record the events of their rollout. */
  recordEvents = false;
  // 1 is "kubernetes" and 10 is "kube-dns"; the allocator hands out the rest.
  private nextServiceIp = 11;

  constructor(
    readonly builder: ScenarioBuilder,
    readonly nodes: readonly KubeObject[],
    controlPlanes: number,
  ) {
    this.scheduler = new Scheduler(
      builder.random,
      nodes.map((node) => node.metadata?.name ?? ""),
      controlPlanes,
    );
    this.caCertificate = fakeCertificate(builder);
  }

  allocateClusterIp(): string {
    return clusterIp(this.nextServiceIp++);
  }
}
