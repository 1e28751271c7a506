// The part of a coordination.k8s.io/v1 Lease that leader election reads and writes, and the bodies it
// sends. Only the spec fields of client-go's LeaderElectionRecord are kept; the metadata read is sent
// back on an update, so labels, annotations and owners someone else set survive a renewal.
import { isRecord } from "./errors.js";

export interface LeaseRecord {
  /** Undefined when the Lease names no holder (never taken, or released). */
  holderIdentity: string | undefined;
  /** Undefined when absent or not a positive whole number. */
  leaseDurationSeconds: number | undefined;
  acquireTime: string | undefined;
  renewTime: string | undefined;
  leaseTransitions: number;
}

/** A Lease as the server last answered with it. */
export interface StoredLease {
  record: LeaseRecord;
  resourceVersion: string;
  /** The metadata to send back on an update: as read, without managedFields. */
  metadata: Record<string, unknown>;
}

const LEASES = "/apis/coordination.k8s.io/v1/namespaces";

export function leaseCollectionPath(namespace: string): string {
  return `${LEASES}/${encodeURIComponent(namespace)}/leases`;
}

export function leasePath(namespace: string, name: string): string {
  return `${leaseCollectionPath(namespace)}/${encodeURIComponent(name)}`;
}

/** Reads a server's answer as a Lease; anything else is a broken server, not a record. */
export function leaseFromObject(value: unknown): StoredLease {
  if (!isRecord(value) || !isRecord(value.metadata)) throw new Error("the API server answered with no Lease");
  const { managedFields: _managedFields, ...metadata } = value.metadata;
  const resourceVersion = metadata.resourceVersion;
  if (typeof resourceVersion !== "string" || resourceVersion === "") {
    throw new Error("the API server answered with a Lease without a resourceVersion");
  }
  const spec = isRecord(value.spec) ? value.spec : {};
  const holder = spec.holderIdentity;
  const duration = spec.leaseDurationSeconds;
  const transitions = spec.leaseTransitions;
  return {
    resourceVersion,
    metadata,
    record: {
      holderIdentity: typeof holder === "string" && holder !== "" ? holder : undefined,
      leaseDurationSeconds:
        typeof duration === "number" && Number.isInteger(duration) && duration > 0 ? duration : undefined,
      acquireTime: typeof spec.acquireTime === "string" ? spec.acquireTime : undefined,
      renewTime: typeof spec.renewTime === "string" ? spec.renewTime : undefined,
      leaseTransitions:
        typeof transitions === "number" && Number.isInteger(transitions) && transitions >= 0
          ? transitions
          : 0,
    },
  };
}

/** Equal for equal records: a change of it is what resets a standby's view of the holder's expiry. */
export function recordKey(record: LeaseRecord): string {
  return JSON.stringify([
    record.holderIdentity ?? "",
    record.leaseDurationSeconds ?? 0,
    record.acquireTime ?? "",
    record.renewTime ?? "",
    record.leaseTransitions,
  ]);
}

/**
 * The Lease to create or to replace `basis` with. The basis's resourceVersion goes along, so an
 * update made from a stale read is refused with 409 instead of overwriting someone else's.
 */
export function leaseBody(
  namespace: string,
  name: string,
  record: LeaseRecord,
  basis?: StoredLease,
): unknown {
  const spec: Record<string, unknown> = {
    // An empty holder, not an absent one, is how client-go writes a released Lease.
    holderIdentity: record.holderIdentity ?? "",
    leaseTransitions: record.leaseTransitions,
  };
  if (record.leaseDurationSeconds !== undefined) spec.leaseDurationSeconds = record.leaseDurationSeconds;
  if (record.acquireTime !== undefined) spec.acquireTime = record.acquireTime;
  if (record.renewTime !== undefined) spec.renewTime = record.renewTime;
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: { ...(basis?.metadata ?? {}), name, namespace },
    spec,
  };
}

/** A MicroTime: RFC 3339 in UTC with six fractional digits, as the API server writes them. */
export function microTime(epochMs: number): string {
  const wholeMs = Math.floor(epochMs);
  const extraMicros = Math.min(999, Math.floor((epochMs - wholeMs) * 1000));
  const iso = new Date(wholeMs).toISOString();
  return `${iso.slice(0, 23)}${String(extraMicros).padStart(3, "0")}Z`;
}
