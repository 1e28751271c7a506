import type { KubeObject, ObjectApi } from "../../object-api.js";
import {
  ChurnContext,
  type ChurnStats,
  configMaps,
  deployments,
  leases,
  secrets,
  services,
} from "./churn-context.js";
import { scaleDeployment } from "./deployments.js";
import { changeLabels, editConfigMap, renewLease, rotateSecret } from "./edits.js";
import { isSystem, KeyCache } from "./key-cache.js";
import { NamespaceLifecycle } from "./namespaces.js";
import { flipReadiness, startPendingPod, workerNodes } from "./pods.js";

export interface Churner {
  /** Performs one change (a few writes, as a controller's reaction does); never throws. */
  step(): void;
  readonly stats: ChurnStats;
}

type Action = () => void;

export interface ChurnOptions {
  /**
   * Objects that someone else runs (what a client created and the simulator's controllers keep),
   * which the churn must not change under them. Pods no controller owns are always left alone.
   */
  leaveAlone?: (object: KubeObject) => boolean;
}

/** Makes changes the way a busy cluster's users and controllers do, one step at a time. */
export function createChurner(api: ObjectApi, seed: number, options: ChurnOptions = {}): Churner {
  const ctx = new ChurnContext(api, seed, options.leaveAlone);
  const workers = workerNodes(ctx);
  const appDeployments = new KeyCache(ctx, deployments, (o) => !isSystem(o) && !ctx.leftAlone(o));
  const appConfigMaps = new KeyCache(
    ctx,
    configMaps,
    (o) => !isSystem(o) && o.metadata?.name !== "kube-root-ca.crt",
  );
  const appServices = new KeyCache(ctx, services, (o) => !isSystem(o) && o.metadata?.name !== "kubernetes");
  const appSecrets = new KeyCache(ctx, secrets, (o) => !isSystem(o) && o.type === "Opaque");
  const nodeLeases = new KeyCache(ctx, leases, (o) => o.metadata?.namespace === "kube-node-lease");
  const lifecycle = new NamespaceLifecycle(ctx, workers);

  const weighted: [number, Action][] = [
    [20, () => scaleDeployment(ctx, appDeployments, workers)],
    [15, () => flipReadiness(ctx, appDeployments)],
    [15, () => editConfigMap(ctx, appConfigMaps)],
    [
      10,
      () =>
        changeLabels(ctx, [
          { keys: appDeployments, ref: deployments },
          { keys: appServices, ref: services },
          { keys: appConfigMaps, ref: configMaps },
        ]),
    ],
    [15, () => renewLease(ctx, nodeLeases)],
    [5, () => rotateSecret(ctx, appSecrets)],
    [5, () => lifecycle.step()],
  ];
  const total = weighted.reduce((sum, [weight]) => sum + weight, 0);

  function pickAction(): Action {
    // Pods a scale-up created start soon after, before most other changes.
    if (ctx.pending.length > 0 && ctx.random.chance(0.5)) return () => startPendingPod(ctx);
    let roll = ctx.random.next() * total;
    for (const [weight, action] of weighted) {
      roll -= weight;
      if (roll < 0) return action;
    }
    return weighted[0]?.[1] ?? (() => {});
  }

  return {
    stats: ctx.stats,
    step() {
      try {
        pickAction()();
      } catch (error) {
        // Conflicts and vanished objects are normal under concurrent writers: note and go on.
        ctx.noteError(error);
      }
    },
  };
}
