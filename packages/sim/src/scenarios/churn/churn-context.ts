import type { KubeObject, ObjectApi } from "../../object-api.js";
import { LiveStamp } from "../stamp.js";
import { ClusterIndex } from "./cluster-index.js";

/** group, version, plural resource. */
export type ResourceRef = readonly [group: string, version: string, resource: string];

export const pods: ResourceRef = ["", "v1", "pods"];
export const nodes: ResourceRef = ["", "v1", "nodes"];
export const namespaces: ResourceRef = ["", "v1", "namespaces"];
export const services: ResourceRef = ["", "v1", "services"];
export const endpoints: ResourceRef = ["", "v1", "endpoints"];
export const configMaps: ResourceRef = ["", "v1", "configmaps"];
export const serviceAccounts: ResourceRef = ["", "v1", "serviceaccounts"];
export const secrets: ResourceRef = ["", "v1", "secrets"];
export const deployments: ResourceRef = ["apps", "v1", "deployments"];
export const replicaSets: ResourceRef = ["apps", "v1", "replicasets"];
export const endpointSlices: ResourceRef = ["discovery.k8s.io", "v1", "endpointslices"];
export const leases: ResourceRef = ["coordination.k8s.io", "v1", "leases"];
export const events: ResourceRef = ["", "v1", "events"];

/** Events kept before the oldest are removed, standing in for the API server's event TTL. */
const maxEvents = 500;

export interface ChurnStats {
  creates: number;
  updates: number;
  deletes: number;
  /** Store errors (conflicts, not found, ...) that an action met and stepped over. */
  errors: number;
  /** The last such error's message, for logs. */
  lastError?: string;
}

export interface PodKey {
  namespace: string;
  name: string;
}

/** The churner's view of the store: counted writes, and copies of what it reads to edit. */
export class ChurnContext {
  readonly stats: ChurnStats = { creates: 0, updates: 0, deletes: 0, errors: 0 };
  /** Pods created Pending by a scale-up, waiting for their "kubelet" to start them. */
  readonly pending: PodKey[] = [];
  readonly stamp: LiveStamp;
  readonly index: ClusterIndex;
  private readonly ipCursor = new Map<string, number>();
  private readonly recorded: PodKey[] = [];

  constructor(
    readonly api: ObjectApi,
    seed: number,
    private readonly leaveAlone: (object: KubeObject) => boolean = () => false,
  ) {
    this.stamp = new LiveStamp(seed);
    const refs = { pods, endpointslices: endpointSlices, services, replicasets: replicaSets };
    this.index = new ClusterIndex((resource, namespace) => this.list(refs[resource], namespace));
  }

  get random() {
    return this.stamp.random;
  }

  /** Not the churn's to change: what others run, and pods no controller owns (someone's own). */
  leftAlone(object: KubeObject): boolean {
    if (object.kind === "Pod" && !object.metadata?.ownerReferences?.some((ref) => ref.controller))
      return true;
    return this.leaveAlone(object);
  }

  list(ref: ResourceRef, namespace?: string): KubeObject[] {
    return this.api.list(ref[0], ref[1], ref[2], namespace);
  }

  /** A private copy to edit: the store may hand out the object it keeps. */
  read(ref: ResourceRef, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.api.get(ref[0], ref[1], ref[2], namespace, name);
    return found === undefined ? undefined : structuredClone(found);
  }

  create(ref: ResourceRef, object: KubeObject): KubeObject {
    const created = this.api.create(ref[0], ref[1], ref[2], object);
    this.stats.creates++;
    this.index.created(ref[2], created);
    return created;
  }

  update(ref: ResourceRef, object: KubeObject): KubeObject {
    const updated = this.api.update(ref[0], ref[1], ref[2], object);
    this.stats.updates++;
    return updated;
  }

  /** A controller's status write, through the status subresource where the store has one. */
  updateStatus(ref: ResourceRef, object: KubeObject): KubeObject {
    const updated = this.api.updateStatus
      ? this.api.updateStatus(ref[0], ref[1], ref[2], object)
      : this.api.update(ref[0], ref[1], ref[2], object);
    this.stats.updates++;
    return updated;
  }

  delete(ref: ResourceRef, namespace: string | undefined, name: string): void {
    this.api.delete(ref[0], ref[1], ref[2], namespace, name);
    this.stats.deletes++;
    this.index.deleted(ref[2], namespace, name);
  }

  /** Deletes, treating "already gone" as done. */
  deleteIfPresent(ref: ResourceRef, namespace: string | undefined, name: string): void {
    try {
      this.delete(ref, namespace, name);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      this.index.deleted(ref[2], namespace, name);
    }
  }

  /** Records an event; the oldest go once there are too many, as if their TTL ran out. */
  recordEvent(event: KubeObject): void {
    this.create(events, event);
    this.recorded.push({ namespace: event.metadata?.namespace ?? "", name: event.metadata?.name ?? "" });
    while (this.recorded.length > maxEvents) {
      const oldest = this.recorded.shift();
      if (oldest) this.deleteIfPresent(events, oldest.namespace, oldest.name);
    }
  }

  noteError(error: unknown): void {
    this.stats.errors++;
    this.stats.lastError = errorMessage(error);
  }

  /** A pod IP from the node's range, above the addresses the generated cluster used. */
  nextPodIp(podCidr: string): string {
    const prefix = podCidr.slice(0, podCidr.lastIndexOf(".") + 1);
    const last = this.ipCursor.get(prefix) ?? 120;
    this.ipCursor.set(prefix, last >= 254 ? 120 : last + 1);
    return `${prefix}${last}`;
  }
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "object" && error !== null && "message" in error) return String(error.message);
  return String(error);
}

/** True for a Status-like AlreadyExists error (409 with reason AlreadyExists). */
export function isAlreadyExists(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  return (error as { reason?: unknown }).reason === "AlreadyExists";
}

/** True for a Status-like NotFound error (code 404 or reason NotFound), whatever its class. */
export function isNotFound(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const status = error as { code?: unknown; reason?: unknown; statusCode?: unknown };
  return status.code === 404 || status.statusCode === 404 || status.reason === "NotFound";
}
