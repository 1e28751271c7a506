// Creating a cluster's two replication streams, and finding the clusters that have them. The change
// stream holds every committed change for a while; the snapshot stream mirrors it keeping one message
// per object, so the server itself keeps the latest state and it cannot disagree with the changes.
//
// The snapshot is a mirror, not a stream that sources the change stream: nats-server 2.9 checks the
// Nats-Expected-Last-Sequence header of every sourced message against the sourcing stream's own last
// sequence, and a source whose check fails stalls without a word (stream-design.test.ts shows it).
// A mirror keeps the change stream's sequences and is not checked.
import {
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
  type StreamInfo,
} from "@nats-io/jetstream";
import { nanos } from "@nats-io/transport-node";
import type { ClusterRef } from "../../kube/index.js";
import { resolveBounds } from "./bounds.js";
import { type ClusterStreamNames, clusterStreamNames, streamEpoch } from "./stream-names.js";

/** How long and how much of the change history a cluster's change stream keeps. */
export interface ReplicationStreamLimits {
  /** The oldest change kept, in milliseconds (1 h by default). */
  maxAgeMs?: number;
  /** Bytes the change stream may hold; the oldest changes go first (1 GiB by default). */
  maxBytes?: number;
  /** How long a publish retried after a lost acknowledgement is recognised as one (2 min by default). */
  duplicateWindowMs?: number;
  /** Copies the servers keep of each stream (1 by default; a clustered NATS can keep 3). */
  replicas?: number;
}

export const defaultReplicationStreamLimits: Required<ReplicationStreamLimits> = {
  maxAgeMs: 60 * 60 * 1000,
  maxBytes: 1024 * 1024 * 1024,
  duplicateWindowMs: 2 * 60 * 1000,
  replicas: 1,
};

/** One cluster's replication streams, as a replica finds them. */
export interface ClusterStreams {
  readonly cluster: ClusterRef;
  readonly names: ClusterStreamNames;
  /** The cursor epoch every replica of this change stream uses (streamEpoch). */
  readonly epoch: string;
}

/** Thrown when a stream by our name is not ours, or the server refuses to set the streams up. */
export class ReplicationStreamError extends Error {
  override name = "ReplicationStreamError";
}

const changePrefix = "meshsync replication of cluster ";
const snapshotPrefix = "meshsync replication snapshot ";
/** nats-server's longest description (JSMaxDescriptionLen). */
const maxDescriptionLength = 4096;
const maxClusterIdLength = 1024;
const maxClusterNameLength = 512;
/** The most streams a listing reads before it stops. */
const maxListedStreams = 10_000;

function isCluster(value: unknown): value is ClusterRef {
  if (typeof value !== "object" || value === null) return false;
  const { id, name } = value as Record<string, unknown>;
  return (
    typeof id === "string" &&
    id.length > 0 &&
    id.length <= maxClusterIdLength &&
    typeof name === "string" &&
    name.length <= maxClusterNameLength
  );
}

function parseDescription(
  description: string | undefined,
  prefix: string,
): Record<string, unknown> | undefined {
  if (
    description === undefined ||
    description.length > maxDescriptionLength ||
    !description.startsWith(prefix)
  )
    return undefined;
  try {
    const parsed: unknown = JSON.parse(description.slice(prefix.length));
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The cluster a change stream replicates, from its description; undefined for a stream that is not one. */
export function clusterOfChangeStream(info: StreamInfo): ClusterRef | undefined {
  const parsed = parseDescription(info.config.description, changePrefix);
  return isCluster(parsed?.cluster) ? { id: parsed.cluster.id, name: parsed.cluster.name } : undefined;
}

/** The epoch of the change stream a snapshot stream was made for; undefined for one that is not ours. */
export function epochOfSnapshotStream(info: StreamInfo): string | undefined {
  const parsed = parseDescription(info.config.description, snapshotPrefix);
  return typeof parsed?.epoch === "string" ? parsed.epoch : undefined;
}

function changeDescription(cluster: ClusterRef): string {
  return `${changePrefix}${JSON.stringify({ cluster: { id: cluster.id, name: cluster.name } })}`;
}

function snapshotDescription(cluster: ClusterRef, epoch: string): string {
  return `${snapshotPrefix}${JSON.stringify({ cluster: { id: cluster.id, name: cluster.name }, epoch })}`;
}

function resolveStreamLimits(given: ReplicationStreamLimits): Required<ReplicationStreamLimits> {
  const limits = resolveBounds(defaultReplicationStreamLimits, given, "replication stream limit", true);
  if (limits.duplicateWindowMs > limits.maxAgeMs)
    throw new RangeError("replication stream duplicateWindowMs must not exceed maxAgeMs");
  return limits;
}

function isStreamNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound;
}

async function infoOrUndefined(jsm: JetStreamManager, name: string): Promise<StreamInfo | undefined> {
  try {
    return await jsm.streams.info(name);
  } catch (error) {
    if (isStreamNotFound(error)) return undefined;
    throw error;
  }
}

/** Adds a stream; when another replica added it meanwhile, what it added. */
async function addOrRead(
  jsm: JetStreamManager,
  config: Partial<StreamConfig> & { name: string },
): Promise<StreamInfo> {
  try {
    return await jsm.streams.add(config);
  } catch (error) {
    const existing = await infoOrUndefined(jsm, config.name);
    if (existing !== undefined) return existing;
    throw error;
  }
}

function changeStreamConfig(
  names: ClusterStreamNames,
  cluster: ClusterRef,
  limits: Required<ReplicationStreamLimits>,
): Partial<StreamConfig> & { name: string } {
  return {
    name: names.changeStream,
    description: changeDescription(cluster),
    subjects: [names.subjects],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_age: nanos(limits.maxAgeMs),
    max_bytes: limits.maxBytes,
    max_msgs: -1,
    max_msgs_per_subject: -1,
    duplicate_window: nanos(limits.duplicateWindowMs),
    num_replicas: limits.replicas,
  };
}

function snapshotStreamConfig(
  names: ClusterStreamNames,
  cluster: ClusterRef,
  epoch: string,
  replicas: number,
): Partial<StreamConfig> & { name: string } {
  return {
    name: names.snapshotStream,
    description: snapshotDescription(cluster, epoch),
    mirror: { name: names.changeStream },
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_msgs_per_subject: 1,
    max_msgs: -1,
    max_bytes: -1,
    max_age: 0,
    num_replicas: replicas,
  };
}

/** The fields of a config that differ from what is wanted, as an update would set them. */
function differences(
  current: StreamConfig,
  wanted: Partial<StreamConfig>,
): Partial<StreamConfig> | undefined {
  const changed: Partial<StreamConfig> = {};
  let any = false;
  for (const [key, value] of Object.entries(wanted) as [keyof StreamConfig, unknown][]) {
    if (key === "name" || key === "mirror" || key === "storage" || key === "retention") continue;
    if (JSON.stringify(current[key]) !== JSON.stringify(value)) {
      (changed as Record<string, unknown>)[key] = value;
      any = true;
    }
  }
  return any ? changed : undefined;
}

/** Whether a mirror made now would hold every object: the change stream still has its whole history. */
function historyComplete(info: StreamInfo): boolean {
  return info.state.last_seq === 0 || info.state.first_seq === 1;
}

async function ensureChangeStream(
  jsm: JetStreamManager,
  names: ClusterStreamNames,
  cluster: ClusterRef,
  limits: Required<ReplicationStreamLimits>,
): Promise<StreamInfo> {
  const wanted = changeStreamConfig(names, cluster, limits);
  const existing = await infoOrUndefined(jsm, names.changeStream);
  if (existing === undefined) return addOrRead(jsm, wanted);
  const owner = clusterOfChangeStream(existing);
  if (owner === undefined || owner.id !== cluster.id)
    throw new ReplicationStreamError(
      `stream ${names.changeStream} exists but is not the replication stream of cluster ${cluster.id}`,
    );
  const changed = differences(existing.config, wanted);
  return changed === undefined
    ? existing
    : jsm.streams.update(names.changeStream, { ...existing.config, ...changed });
}

/**
 * Creates a cluster's change and snapshot streams, or brings them to these limits and this cluster
 * name; safe to call from every replica at once. A snapshot made for an earlier change stream of the
 * same name is made again. When the snapshot is missing and the change stream no longer holds its
 * whole history (a mirror made now would miss objects), both streams start again: a new epoch, whose
 * followers resync.
 */
export async function ensureClusterStreams(
  jsm: JetStreamManager,
  cluster: ClusterRef,
  limits: ReplicationStreamLimits = {},
): Promise<ClusterStreams> {
  if (cluster.id.length === 0 || cluster.id.length > maxClusterIdLength)
    throw new RangeError(`cluster id must have 1 to ${maxClusterIdLength} characters`);
  const ref = { id: cluster.id, name: cluster.name.slice(0, maxClusterNameLength) };
  const resolved = resolveStreamLimits(limits);
  const names = clusterStreamNames(ref.id);
  let change = await ensureChangeStream(jsm, names, ref, resolved);
  let epoch = streamEpoch(names.changeStream, change.created);
  const snapshot = await infoOrUndefined(jsm, names.snapshotStream);
  const snapshotEpoch = snapshot === undefined ? undefined : epochOfSnapshotStream(snapshot);
  if (snapshot !== undefined && snapshotEpoch === undefined)
    throw new ReplicationStreamError(
      `stream ${names.snapshotStream} exists but is not the replication snapshot of cluster ${ref.id}`,
    );
  if (snapshot === undefined || snapshotEpoch !== epoch) {
    if (snapshot !== undefined) await jsm.streams.delete(names.snapshotStream).catch(() => false);
    if (!historyComplete(change)) {
      await jsm.streams.delete(names.changeStream).catch(() => false);
      change = await addOrRead(jsm, changeStreamConfig(names, ref, resolved));
      epoch = streamEpoch(names.changeStream, change.created);
    }
    const made = await addOrRead(jsm, snapshotStreamConfig(names, ref, epoch, resolved.replicas));
    if (epochOfSnapshotStream(made) !== epoch)
      throw new ReplicationStreamError(
        `stream ${names.snapshotStream} was made for another change stream meanwhile; set up again`,
      );
    return { cluster: ref, names, epoch };
  }
  const changed = differences(snapshot.config, snapshotStreamConfig(names, ref, epoch, resolved.replicas));
  if (changed !== undefined)
    await jsm.streams.update(names.snapshotStream, { ...snapshot.config, ...changed });
  return { cluster: ref, names, epoch };
}

/** A cluster's streams as they are now, or undefined when its change stream is missing or not ours. */
export async function readClusterStreams(
  jsm: JetStreamManager,
  clusterId: string,
): Promise<ClusterStreams | undefined> {
  const names = clusterStreamNames(clusterId);
  const info = await infoOrUndefined(jsm, names.changeStream);
  const cluster = info === undefined ? undefined : clusterOfChangeStream(info);
  if (info === undefined || cluster === undefined || cluster.id !== clusterId) return undefined;
  return { cluster, names, epoch: streamEpoch(names.changeStream, info.created) };
}

/** Every cluster that has a replication change stream on this server: what a gateway follows. */
export async function listClusterStreams(jsm: JetStreamManager): Promise<ClusterStreams[]> {
  const found: ClusterStreams[] = [];
  let read = 0;
  for await (const info of jsm.streams.list()) {
    if (++read > maxListedStreams) break;
    const cluster = clusterOfChangeStream(info);
    if (cluster === undefined) continue;
    const names = clusterStreamNames(cluster.id);
    if (names.changeStream !== info.config.name) continue;
    found.push({ cluster, names, epoch: streamEpoch(names.changeStream, info.created) });
  }
  return found;
}
