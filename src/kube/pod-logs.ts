// A pod's log (GET pods/{name}/log) read as it arrives, one line at a time: what `kubectl logs`
// shows, for relaying to Meshery and to GraphQL subscribers. A wrong pod or container fails as the
// server's Status says it (KubeApiError); a followed log runs until the pod goes or the caller stops.
import { StringDecoder } from "node:string_decoder";
import { KubeApiError } from "./errors.js";
import type { KubeRequester, Query } from "./http-client.js";

export interface PodLogOptions {
  /** Needed when the pod has more than one container (and no default-container annotation). */
  container?: string;
  /** Keep the stream open and deliver lines as the container writes them. */
  follow?: boolean;
  /** The log of the previous, terminated instance of the container. */
  previous?: boolean;
  /** Only the last this many lines (then, when following, what comes after). */
  tailLines?: number;
  /** The server stops after this many bytes. */
  limitBytes?: number;
  /** Only lines written in the last this many seconds. */
  sinceSeconds?: number;
  /** Each line begins with the RFC 3339 time it was written, as the server puts it. */
  timestamps?: boolean;
  /** Stops the stream (the iteration then ends quietly). */
  signal?: AbortSignal;
  /**
   * A longer line arrives cut into pieces of at most this many bytes (about; cut at a character
   * boundary), so a container that never writes a newline cannot make us hold its whole output.
   * Default 256 KiB.
   */
  maxLineBytes?: number;
}

/** A log being read: iterate for lines (without their newline); close to stop early. */
export interface PodLogStream extends AsyncIterable<string> {
  /** Stops reading and frees the connection; safe to call more than once. */
  close(): void;
}

const DEFAULT_MAX_LINE_BYTES = 256 * 1024;
/** Bounds the numeric options to what a caller could mean; the server refuses worse itself. */
const MAX_COUNT = 2 ** 31 - 1;

/**
 * Opens a pod's log. Resolves once the server has answered (so a missing pod or a wrong container
 * rejects here, with the server's message), then yields lines as they arrive.
 */
export async function openPodLogs(
  client: KubeRequester,
  namespace: string,
  pod: string,
  options: PodLogOptions = {},
): Promise<PodLogStream> {
  requireName("namespace", namespace);
  requireName("pod", pod);
  if (options.container !== undefined) requireName("container", options.container);
  const query: Query = {
    container: options.container,
    follow: options.follow ? true : undefined,
    previous: options.previous ? true : undefined,
    timestamps: options.timestamps ? true : undefined,
    tailLines: count("tailLines", options.tailLines, 0),
    limitBytes: count("limitBytes", options.limitBytes, 1),
    sinceSeconds: count("sinceSeconds", options.sinceSeconds, 1),
  };
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  if (!Number.isInteger(maxLineBytes) || maxLineBytes < 1) throw new Error("maxLineBytes must be at least 1");
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`;
  const body = await client.openBytes(path, query, options.signal);
  const signal = options.signal;
  return {
    close: () => body.close(),
    async *[Symbol.asyncIterator]() {
      try {
        yield* splitLines(body, maxLineBytes);
      } catch (error) {
        // Our own stop is the end of the log, not a failure.
        if (signal?.aborted) return;
        throw error;
      } finally {
        body.close();
      }
    },
  };
}

/** Lines as they arrive, each without its "\n" (and "\r\n"); an over-long line in pieces. */
export async function* splitLines(
  chunks: AsyncIterable<Buffer>,
  maxLineBytes: number,
): AsyncGenerator<string> {
  const decoder = new StringDecoder("utf8");
  // The unfinished line as the pieces it came in, joined once it ends: rejoining per chunk would
  // make a long line quadratic to read.
  const pieces: string[] = [];
  let pendingBytes = 0;
  const take = (): string => {
    const text = pieces.join("");
    pieces.length = 0;
    pendingBytes = 0;
    return text;
  };
  for await (const chunk of chunks) {
    const text = decoder.write(chunk);
    let start = 0;
    let newline = text.indexOf("\n");
    while (newline >= 0) {
      pieces.push(text.slice(start, newline));
      yield* cutToSize(withoutCarriageReturn(take()), maxLineBytes);
      start = newline + 1;
      newline = text.indexOf("\n", start);
    }
    if (start < text.length) {
      const rest = text.slice(start);
      pieces.push(rest);
      pendingBytes += Buffer.byteLength(rest);
    }
    while (pendingBytes > maxLineBytes) {
      const whole = take();
      const cut = cutAt(whole, maxLineBytes);
      yield whole.slice(0, cut);
      const rest = whole.slice(cut);
      if (rest !== "") {
        pieces.push(rest);
        pendingBytes = Buffer.byteLength(rest);
      }
    }
  }
  const last = take() + decoder.end();
  if (last !== "") yield* cutToSize(withoutCarriageReturn(last), maxLineBytes);
}

function* cutToSize(line: string, maxBytes: number): Generator<string> {
  let rest = line;
  while (Buffer.byteLength(rest) > maxBytes) {
    const cut = cutAt(rest, maxBytes);
    yield rest.slice(0, cut);
    rest = rest.slice(cut);
  }
  yield rest;
}

/** The largest string index whose prefix fits in maxBytes of UTF-8, never splitting a surrogate pair. */
function cutAt(text: string, maxBytes: number): number {
  let bytes = 0;
  let index = 0;
  while (index < text.length) {
    const code = text.codePointAt(index) ?? 0;
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (bytes + size > maxBytes) break;
    bytes += size;
    index += code >= 0x10000 ? 2 : 1;
  }
  // A limit below one character's size still has to make progress.
  return Math.max(index, Math.min(text.length, text.codePointAt(0)! >= 0x10000 ? 2 : 1));
}

function withoutCarriageReturn(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}

function requireName(what: string, value: string): void {
  // Object names are DNS labels or subdomains: at most 253 characters, never empty, never a path.
  if (value === "" || value.length > 253 || value.includes("/")) {
    throw new KubeApiError(400, `invalid ${what} name ${JSON.stringify(value.slice(0, 64))}`, "BadRequest");
  }
}

function count(what: string, value: number | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min || value > MAX_COUNT) {
    throw new KubeApiError(400, `${what} must be a whole number from ${min} to ${MAX_COUNT}`, "BadRequest");
  }
  return value;
}
