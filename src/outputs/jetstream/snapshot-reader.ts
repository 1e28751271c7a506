// Reading a cluster's snapshot stream. The snapshot mirrors the change stream keeping each object's
// last message, under the change stream's own sequences. It is read in order up to the last sequence it
// had when the read began (or, if it runs dry first, to its end), and stops at E, the last message read.
// Every object that exists at E has a message at or before E unless that message was replaced by a later
// one (and removed) while the read went on; the later one comes after E, in the change stream, which
// the follower replays from E + 1. So the snapshot and the replay together give every object; an object
// whose snapshot message was replaced arrives in the replay, as an addition.
//
// The read does not chase the end: under churn the mirror grows as fast as it is read, and nats-server
// 2.9's num_pending on a stream with many interior deletions (what max_msgs_per_subject leaves) does
// not reliably reach 0, so "read until nothing is pending" can read forever.
import { DeliverPolicy } from "@nats-io/jetstream";
import type { ChangeApplier } from "./change-applier.js";
import type { JetStreamClients } from "./replication-link.js";

/** Messages asked for per fetch, and how long a fetch waits for them. */
const fetchBatch = 256;
const fetchExpiresMs = 1_000;

export interface SnapshotRead {
  /** The change sequence the state read is the state at. */
  readonly sequence: number;
  /** Messages read (objects and deletions alike). */
  readonly messages: number;
}

/** Reads the snapshot stream through `applier`; `stopped` is asked between batches. */
export async function readSnapshot(
  clients: JetStreamClients,
  snapshotStream: string,
  applier: ChangeApplier,
  stopped: () => boolean,
): Promise<SnapshotRead> {
  const info = await clients.jsm.streams.info(snapshotStream);
  const lastAtStart = info.state.last_seq;
  if (info.state.messages === 0) return { sequence: lastAtStart, messages: 0 };
  const consumer = await clients.js.consumers.get(snapshotStream, { deliver_policy: DeliverPolicy.All });
  let last = 0;
  let read = 0;
  while (last < lastAtStart) {
    if (stopped()) throw new Error(`stopped while reading ${snapshotStream}`);
    let got = 0;
    const batch = await consumer.fetch({ max_messages: fetchBatch, expires: fetchExpiresMs });
    for await (const message of batch) {
      got++;
      read++;
      last = message.seq;
      applier.apply(snapshotStream, message.seq, message.data);
    }
    // Nothing came within a fetch's wait: the consumer is at the end (what was left was pruned meanwhile).
    if (got === 0) break;
  }
  return { sequence: Math.max(last, lastAtStart), messages: read };
}
