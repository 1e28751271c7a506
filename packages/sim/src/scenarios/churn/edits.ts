import { type ChurnContext, configMaps, leases, secrets } from "./churn-context.js";
import { microTime } from "./fields.js";
import type { KeyCache } from "./key-cache.js";

/** Someone edits an application's configuration. */
export function editConfigMap(ctx: ChurnContext, configMapKeys: KeyCache): void {
  const key = configMapKeys.pick(ctx.random);
  const configMap = key ? ctx.read(configMaps, key.namespace, key.name) : undefined;
  if (!configMap) return;
  const data = (configMap.data ?? {}) as Record<string, string>;
  data.LOG_LEVEL = ctx.random.pick(["debug", "info", "warn"]);
  data.UPSTREAM_TIMEOUT = `${ctx.random.int(1, 30)}s`;
  configMap.data = data;
  ctx.update(configMaps, configMap);
}

/** Credentials are rotated: a new password in an application's Opaque secret. */
export function rotateSecret(ctx: ChurnContext, secretKeys: KeyCache): void {
  const key = secretKeys.pick(ctx.random);
  const secret = key ? ctx.read(secrets, key.namespace, key.name) : undefined;
  if (secret?.type !== "Opaque") return;
  const data = (secret.data ?? {}) as Record<string, string>;
  data.password = Buffer.from(ctx.random.hex(24)).toString("base64");
  secret.data = data;
  ctx.update(secrets, secret);
}

/** Relabels an object, as an operator or a tool (a rollout, a cost tagger) would. */
export function changeLabels(
  ctx: ChurnContext,
  targets: readonly { keys: KeyCache; ref: readonly [string, string, string] }[],
): void {
  const target = ctx.random.pick(targets);
  const key = target.keys.pick(ctx.random);
  const object = key ? ctx.read(target.ref, key.namespace, key.name) : undefined;
  if (!object?.metadata) return;
  const labels = object.metadata.labels ?? {};
  if (labels.tier && ctx.random.chance(0.3)) delete labels.tier;
  else labels.tier = ctx.random.pick(["frontend", "backend", "batch", "data"]);
  object.metadata.labels = labels;
  ctx.update(target.ref, object);
}

/** A kubelet renews its heartbeat lease. */
export function renewLease(ctx: ChurnContext, leaseKeys: KeyCache): void {
  const key = leaseKeys.pick(ctx.random);
  const lease = key ? ctx.read(leases, key.namespace, key.name) : undefined;
  if (!lease) return;
  const spec = (lease.spec ?? {}) as Record<string, unknown>;
  spec.renewTime = microTime();
  lease.spec = spec;
  ctx.update(leases, lease);
}
