import type { KubeObject, ObjectMeta, OwnerReference } from "../object-api.js";
import { Random } from "../random.js";

/** What every object factory needs: randomness, unique ids and the time "now" is. */
export interface Stamp {
  readonly random: Random;
  uid(): string;
  /** An RFC 3339 timestamp with seconds precision, as the API server writes them. */
  timestamp(): string;
}

/** Formats epoch milliseconds the way the API server does ("2026-01-05T09:00:00Z"). */
export function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

// A fixed start keeps generated clusters identical for a given seed.
const clusterBirth = Date.UTC(2026, 0, 5, 9, 0, 0);

/** Collects a scenario's objects; time moves forward a little with each object, as a cluster grows. */
export class ScenarioBuilder implements Stamp {
  readonly random: Random;
  readonly objects: KubeObject[] = [];
  private clock = clusterBirth;
  // Most consecutive objects share a second; formatting it once saves a Date per object.
  private formattedSecond = -1;
  private formatted = "";

  constructor(seed: number) {
    this.random = new Random(seed);
  }

  uid(): string {
    return this.random.uuid();
  }

  timestamp(): string {
    this.clock += this.random.int(0, 2000);
    const second = Math.floor(this.clock / 1000);
    if (second !== this.formattedSecond) {
      this.formattedSecond = second;
      this.formatted = formatTime(second * 1000);
    }
    return this.formatted;
  }

  /** Jumps the clock, e.g. between the control plane coming up and apps being deployed. */
  advance(seconds: number): void {
    this.clock += seconds * 1000;
  }

  add<T extends KubeObject>(object: T): T {
    this.objects.push(object);
    return object;
  }
}

/** Churn's stamp: real time, seeded randomness. */
export class LiveStamp implements Stamp {
  readonly random: Random;

  constructor(seed: number) {
    // A stream of its own: with the scenario's seed it would repeat the scenario's names and uids.
    this.random = new Random(seed).fork("live");
  }

  uid(): string {
    return this.random.uuid();
  }

  timestamp(): string {
    return formatTime(Date.now());
  }
}

export interface MetaOptions {
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  generateName?: string;
  generation?: number;
}

const noOptions: MetaOptions = {};

/** Fresh metadata with a uid and creation time; the store fills resourceVersion. */
export function objectMeta(stamp: Stamp, name: string, options: MetaOptions = noOptions): ObjectMeta {
  const meta: ObjectMeta = { name };
  if (options.generateName !== undefined) meta.generateName = options.generateName;
  if (options.namespace !== undefined) meta.namespace = options.namespace;
  meta.uid = stamp.uid();
  if (options.generation !== undefined) meta.generation = options.generation;
  meta.creationTimestamp = stamp.timestamp();
  if (options.labels) meta.labels = options.labels;
  if (options.annotations) meta.annotations = options.annotations;
  if (options.ownerReferences) meta.ownerReferences = options.ownerReferences;
  return meta;
}

/** A controller owner reference to an object, as controllers set them. */
export function controllerRef(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion ?? "v1",
    kind: owner.kind ?? "",
    name: owner.metadata?.name ?? "",
    uid: owner.metadata?.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}
