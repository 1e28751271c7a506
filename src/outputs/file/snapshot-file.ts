// MeshSync's file mode: the cluster as YAML documents of KubernetesResource, one per object.
//
// Follows meshery/meshsync: internal/file/yaml_writer.go (sigs.k8s.io/yaml of each object, each
// document followed by "---\n"), internal/file/file.go (GenerateUniqueFileNameForSnapshot: the
// first free meshery-cluster-snapshot-YYYYMMDD-NN.yaml, NN from 00 to 1023, relative to the working
// directory, the date in local time), internal/output/inmemory_deduplicator_streaming.go (the first
// event seen for a metadata.uid is written, whatever its type; later ADDED, MODIFIED and DELETED
// events for it are dropped) and pkg/lib/meshsync/meshsync.go (which wires those for --output file).
//
// Where this departs from Go: the file is written whole, through a temporary file renamed into
// place, so a reader never sees half of it; Go appends to the file as events arrive, and so appends
// to a file an earlier run left at an --outputFile path, where this replaces it. Objects are keyed by
// cluster and uid (Go syncs one cluster; its key is the uid).

import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { type FileHandle, link, lstat, open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { stringify } from "yaml";
import { type KubernetesResource, type StoredResource, toKubernetesResource } from "../../graph/index.js";

export class SnapshotFileError extends Error {
  override name = "SnapshotFileError";
}

export interface SnapshotFileOptions {
  /** Where to write (Go's --outputFile); without it (or when ""), the first free default name in `directory`. */
  path?: string;
  /** Where a default name goes: the working directory unless given, as Go's relative name does. */
  directory?: string;
  /** The time whose local date the default name carries. */
  now?: Date;
}

export interface SnapshotFileResult {
  /** The file written, resolved. */
  path: string;
  /** The documents in it. */
  objects: number;
}

/** How many default names a day has before Go gives up with "no unique name available". */
export const snapshotNamesPerDay = 1024;

/** Go's name for the `index`th snapshot of the day: meshery-cluster-snapshot-YYYYMMDD-NN.yaml. */
export function defaultSnapshotName(now: Date, index: number): string {
  const date = `${now.getFullYear()}${String(now.getMonth() + 1).padStart(2, "0")}${String(now.getDate()).padStart(2, "0")}`;
  return `meshery-cluster-snapshot-${date}-${String(index).padStart(2, "0")}.yaml`;
}

const documentDelimiter = "---\n";

/** One document as the file holds it, delimiter included. Keys sorted, as sigs.k8s.io/yaml writes them. */
export function snapshotDocument(resource: KubernetesResource): string {
  return (
    stringify(resource, {
      sortMapEntries: true,
      indentSeq: false,
      lineWidth: 0,
      aliasDuplicateObjects: false,
    }) + documentDelimiter
  );
}

/** Documents are written in pieces of about this many characters, so a large snapshot is never one string. */
const writeChunkChars = 1 << 20;

async function writeAll(handle: FileHandle, text: string): Promise<void> {
  const bytes = Buffer.from(text, "utf8");
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    offset += bytesWritten;
  }
}

async function writeDocuments(handle: FileHandle, objects: Iterable<KubernetesResource>): Promise<number> {
  let count = 0;
  let chunk: string[] = [];
  let chunkChars = 0;
  for (const object of objects) {
    const document = snapshotDocument(object);
    chunk.push(document);
    chunkChars += document.length;
    count++;
    if (chunkChars >= writeChunkChars) {
      await writeAll(handle, chunk.join(""));
      chunk = [];
      chunkChars = 0;
    }
  }
  if (chunk.length > 0) await writeAll(handle, chunk.join(""));
  return count;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isCode(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === code;
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if (isCode(error, "ENOENT")) return false;
    // Go's os.Stat check treats any error but "does not exist" as taken, and moves on.
    return true;
  }
}

/**
 * Moves the finished temporary file to the first free default name. A hard link claims a name
 * without ever replacing a file another process made meanwhile; where the file system has no hard
 * links, the name is checked and then renamed onto.
 */
async function claimDefaultName(temporary: string, directory: string, now: Date): Promise<string> {
  let links = true;
  for (let index = 0; index < snapshotNamesPerDay; index++) {
    const candidate = join(directory, defaultSnapshotName(now, index));
    if (links) {
      try {
        await link(temporary, candidate);
        await unlink(temporary);
        return candidate;
      } catch (error) {
        if (isCode(error, "EEXIST")) continue;
        if (!["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EXDEV"].some((code) => isCode(error, code)))
          throw error;
        links = false;
      }
    }
    if (await exists(candidate)) continue;
    await rename(temporary, candidate);
    return candidate;
  }
  throw new SnapshotFileError(
    `no unique name available: ${defaultSnapshotName(now, 0)} to -${snapshotNamesPerDay - 1} all exist in ${directory}`,
  );
}

/** Writes KubernetesResource documents to a snapshot file, whole or not at all. */
export async function writeKubernetesResources(
  objects: Iterable<KubernetesResource>,
  options: SnapshotFileOptions = {},
): Promise<SnapshotFileResult> {
  // An empty path is no path, as Go's empty --outputFile means the default name.
  const target = options.path === undefined || options.path === "" ? undefined : resolve(options.path);
  const directory = target === undefined ? resolve(options.directory ?? ".") : dirname(target);
  const stem = target === undefined ? "meshery-cluster-snapshot" : basename(target);
  const temporary = join(directory, `.${stem}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  const described = target ?? join(directory, defaultSnapshotName(options.now ?? new Date(), 0));
  let handle: FileHandle | undefined;
  try {
    handle = await open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
    const count = await writeDocuments(handle, objects);
    await handle.sync();
    await handle.close();
    handle = undefined;
    if (target === undefined) {
      return {
        path: await claimDefaultName(temporary, directory, options.now ?? new Date()),
        objects: count,
      };
    }
    await rename(temporary, target);
    return { path: target, objects: count };
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
    if (error instanceof SnapshotFileError) throw error;
    throw new SnapshotFileError(`cannot write the snapshot ${described}: ${errorText(error)}`);
  }
}

/** The first version of each object among `resources`, converted; later ones are dropped, as Go drops them. */
function* firstSeen(resources: Iterable<StoredResource>): Generator<KubernetesResource> {
  const seen = new Set<string>();
  for (const resource of resources) {
    if (seen.has(resource.key)) continue;
    seen.add(resource.key);
    yield toKubernetesResource(resource);
  }
}

/** A one-shot snapshot: every object among `resources` (the first version of each), written to one file. */
export function writeSnapshotFile(
  resources: Iterable<StoredResource>,
  options: SnapshotFileOptions = {},
): Promise<SnapshotFileResult> {
  return writeKubernetesResources(firstSeen(resources), options);
}
