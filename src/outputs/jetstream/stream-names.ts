// What a cluster's replication streams are called, and the subjects its changes go to. A cluster id is
// the uid of its kube-system namespace, so normally safe as it is; anything else is made safe here.
import { createHash } from "node:crypto";

/** Characters kept as they are in a stream name or a subject token. */
const safeCharacters = /[^A-Za-z0-9_-]/g;
/** The longest token kept whole: stream names end up as directory names on the server. */
const maxTokenLength = 64;
/** Characters of the original kept before the hash when a token had to be shortened. */
const keptPrefixLength = 48;

function shortHash(text: string, length: number): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}

/**
 * A token safe in stream names and subjects: the text itself when it is safe and short, else its safe
 * characters (others as `_`), cut short, with a hash of the whole text so two texts never share one.
 */
export function safeToken(text: string): string {
  const safe = text.replace(safeCharacters, "_");
  if (safe === text && text.length > 0 && text.length <= maxTokenLength) return text;
  return `${safe.slice(0, keptPrefixLength)}_${shortHash(text, 10)}`;
}

/** The streams and subjects of one cluster's replication. */
export interface ClusterStreamNames {
  /** The cluster id made safe: what the names below are built from. */
  readonly token: string;
  /** Every committed change, one message each: `MESHSYNC_<token>`. */
  readonly changeStream: string;
  /** The change stream's last message per object, kept by the server: `MESHSYNC_<token>_SNAPSHOT`. */
  readonly snapshotStream: string;
  /** What the change stream captures: `meshsync.replica.<token>.obj.*`. */
  readonly subjects: string;
}

export function clusterStreamNames(clusterId: string): ClusterStreamNames {
  const token = safeToken(clusterId);
  return {
    token,
    changeStream: `MESHSYNC_${token}`,
    snapshotStream: `MESHSYNC_${token}_SNAPSHOT`,
    subjects: `meshsync.replica.${token}.obj.*`,
  };
}

/** The subject of one object's changes: one per object, so the snapshot keeps each one's last. */
export function objectSubject(names: ClusterStreamNames, uid: string): string {
  return `meshsync.replica.${names.token}.obj.${safeToken(uid)}`;
}

/**
 * The cursor epoch of a change stream: its name and the time the server created it, hashed. Every
 * replica reading the stream derives the same one; a stream deleted and created again gets another,
 * so cursors handed out before are foreign (RESYNC) instead of pointing into different changes.
 */
export function streamEpoch(changeStream: string, created: string): string {
  return shortHash(`${changeStream}\n${created}`, 12);
}
