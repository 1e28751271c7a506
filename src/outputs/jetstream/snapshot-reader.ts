// Reading a cluster's snapshot stream to its end. The snapshot mirrors the change stream keeping each
// object's last message, under the change stream's own sequences. Read in order while it goes on
// growing, it gives the state as of the last message read, E: a message removed before the reader
// reached it was replaced by a later one of the same object, which the reader reaches before the end.
// So the objects read, deletions applied, are the state at change sequence S = E (or the snapshot's
// last sequence when that is higher: its last messages were deletions since pruned).
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
  for (;;) {
    if (stopped()) throw new Error(`stopped while reading ${snapshotStream}`);
    let reachedEnd = false;
    let got = 0;
    const batch = await consumer.fetch({ max_messages: fetchBatch, expires: fetchExpiresMs });
    for await (const message of batch) {
      got++;
      read++;
      last = message.seq;
      applier.apply(snapshotStream, message.seq, message.data);
      if (message.info.pending === 0) reachedEnd = true;
    }
    if (reachedEnd) break;
    if (got === 0) {
      // Nothing came: whatever was left has been pruned meanwhile, or the end was already read.
      const now = await clients.jsm.streams.info(snapshotStream);
      if (now.state.messages === 0 || now.state.last_seq <= last) break;
    }
  }
  return { sequence: Math.max(last, lastAtStart), messages: read };
}
