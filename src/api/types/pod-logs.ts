// Subscription.podLogs: one container's log, a line an event, as `kubectl logs [-f]` shows it. A line
// an event (not a chunk of bytes) because that is what a person reading GraphiQL's result pane wants
// to see, and what a program wants to parse: each event is whole, numbered, and never splits a
// character. The log travels through the same fan-out as changes do: identical subscriptions share
// one stream, a slow reader is told how many lines it missed (SKIPPED) rather than slowing the stream,
// and a log that ends says so (END), since the fan-out has no `complete` of its own.
import { GraphQLError } from "graphql";
import { FilterError, quoteExcerpt, type StoredResource } from "../../graph/index.js";
import { builder } from "../builder.js";
import { ErrorCode } from "../codes.js";
import type { ApiContext, PodLogRequest } from "../context.js";
import { costOf } from "../cost.js";
import { badInput } from "../errors.js";
import {
  type FanoutEvent,
  type ResumePoint,
  type SequencedFeed,
  SharedSubscription,
} from "../fanout-source.js";
import { oneCluster } from "../meshery/cluster-ids.js";
import { readSource } from "../meshery/source-iterator.js";

export type PodLogKind = "LINE" | "SKIPPED" | "END";

/** One entry of a log's feed: a line, the end of the log, or the failure that ended it. */
export interface LogEntry {
  readonly sequence: number;
  readonly kind: PodLogKind | "ERROR";
  /** LINE: its number, from 1; SKIPPED: the last line not sent; END and ERROR: the lines there were. */
  readonly number: number;
  readonly text: string;
  readonly truncated: boolean;
  readonly error?: GraphQLError | undefined;
}

/** How long a stream asked for may wait to be read before its room is given back (it joined an identical one). */
const unreadReservationMs = 10_000;
/** Kubernetes names: a DNS subdomain at most. */
const maxNameLength = 253;
const defaultContainerAnnotation = "kubectl.kubernetes.io/default-container";

/** The text cut to at most `maxBytes` UTF-8 bytes, never inside a character. */
export function cutToBytes(text: string, maxBytes: number): { text: string; truncated: boolean } {
  if (text.length <= maxBytes / 3 || Buffer.byteLength(text) <= maxBytes) return { text, truncated: false };
  const cut = Buffer.from(text).subarray(0, maxBytes).toString("utf8");
  // A character the cut split decodes as U+FFFD: drop it.
  return { text: cut.endsWith("\uFFFD") ? cut.slice(0, -1) : cut, truncated: true };
}

/** What a failure of the provider tells the client: the API server's own message, coded by its status. */
export function logError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const status = (error as { status?: unknown } | null)?.status;
  const code =
    status === 429 || status === 503
      ? ErrorCode.ServerBusy
      : typeof status === "number" && status >= 400 && status < 500
        ? ErrorCode.BadUserInput
        : undefined;
  return new GraphQLError(
    `reading the log failed: ${message}`,
    code === undefined ? {} : { extensions: { code } },
  );
}

interface LogFeedOptions {
  /** Opens the log; iterated once, by the first listener. */
  open: (signal: AbortSignal) => AsyncIterable<string>;
  maxLineBytes: number;
  retained: number;
  /** Gives the stream's room back; called once, when the stream ends or is never read. */
  release: () => void;
}

/**
 * One log as a feed: read from the provider while someone listens (the first listener starts it, the
 * last one to leave stops it), its latest `retained` entries kept for subscribers that join later.
 */
export class PodLogFeed implements SequencedFeed<LogEntry> {
  private last = 0;
  private lines = 0;
  private readonly ring: (LogEntry | undefined)[];
  private readonly listeners = new Set<(entry: LogEntry) => void>();
  private readonly abort = new AbortController();
  private started = false;
  private ended: LogEntry | undefined;
  private readonly unread: NodeJS.Timeout;

  constructor(private readonly options: LogFeedOptions) {
    this.ring = new Array<LogEntry | undefined>(Math.max(1, options.retained));
    this.unread = setTimeout(() => {
      if (!this.started) this.stop();
    }, unreadReservationMs);
    this.unread.unref();
  }

  get sequence(): number {
    return this.last;
  }

  /** The entry that ended the log (END or ERROR), once it has. */
  get terminal(): LogEntry | undefined {
    return this.ended;
  }

  cursor(sequence = this.last): string {
    return String(sequence);
  }

  parseCursor(): number | undefined {
    return undefined;
  }

  changeAt(sequence: number): LogEntry | undefined {
    const entry = this.ring[sequence % this.ring.length];
    return entry?.sequence === sequence ? entry : undefined;
  }

  subscribe(listener: (entry: LogEntry) => void): () => void {
    this.listeners.add(listener);
    if (!this.started) {
      this.started = true;
      clearTimeout(this.unread);
      void this.read();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  /** Whether the provider is still being read. */
  get reading(): boolean {
    return this.started && this.ended === undefined && !this.abort.signal.aborted;
  }

  private stop(): void {
    clearTimeout(this.unread);
    this.abort.abort();
    this.options.release();
  }

  private async read(): Promise<void> {
    const signal = this.abort.signal;
    try {
      for await (const line of this.options.open(signal)) {
        if (signal.aborted) return;
        const { text, truncated } = cutToBytes(line, this.options.maxLineBytes);
        this.lines++;
        this.append({ kind: "LINE", number: this.lines, text, truncated });
      }
      if (!signal.aborted)
        this.append({ kind: "END", number: this.lines, text: "end of log", truncated: false });
    } catch (error) {
      if (!signal.aborted) {
        const failure = logError(error);
        this.append({
          kind: "ERROR",
          number: this.lines,
          text: failure.message,
          truncated: false,
          error: failure,
        });
      }
    } finally {
      this.options.release();
    }
  }

  private append(entry: Omit<LogEntry, "sequence">): void {
    const full: LogEntry = { ...entry, sequence: ++this.last };
    if (full.kind === "END" || full.kind === "ERROR") this.ended = full;
    this.ring[full.sequence % this.ring.length] = full;
    for (const listener of this.listeners) {
      try {
        listener(full);
      } catch {
        // A listener's failure is its own.
      }
    }
  }
}

/** podLogs for the fan-out: a member that joins an identical subscription reads its log from the start. */
export class PodLogSubscription extends SharedSubscription<LogEntry> implements AsyncIterable<unknown> {
  readonly evaluations = 0;

  constructor(
    readonly feed: PodLogFeed,
    readonly capacity: number,
  ) {
    super();
  }

  start(): ResumePoint {
    // Read against the group's feed: for its first member nothing is there yet, for a later one it is
    // the retained log so far (a SKIPPED first when the start has been dropped).
    return { kind: "backlog", from: 1 };
  }

  project(entry: LogEntry): FanoutEvent {
    return { root: entry, key: undefined };
  }

  catchUp(at: number): readonly LogEntry[] {
    const skippedTo = Math.min(at, this.lineCountAt(at));
    const skipped: LogEntry = {
      sequence: at,
      kind: "SKIPPED",
      number: skippedTo,
      text: `lines up to ${skippedTo} were skipped: this client read slower than the log was written`,
      truncated: false,
    };
    const terminal = this.feed.terminal;
    return terminal !== undefined && terminal.sequence <= at ? [skipped, terminal] : [skipped];
  }

  [Symbol.asyncIterator](): AsyncIterator<unknown> {
    return readSource(this, (root) => {
      const kind = (root as LogEntry).kind;
      return kind === "END" || kind === "ERROR";
    });
  }

  /** Lines are entries 1…n, so the lines up to an entry are its sequence, or n for the entry that ended the log. */
  private lineCountAt(at: number): number {
    const terminal = this.feed.terminal;
    return terminal !== undefined && at >= terminal.sequence ? terminal.number : at;
  }
}

function checkName(what: string, value: string): string {
  if (value === "" || value.length > maxNameLength || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(value)) {
    throw badInput(`${what} ${quoteExcerpt(value)} is not a Kubernetes name`);
  }
  return value;
}

const allContainerLists = ["containers", "initContainers", "ephemeralContainers"] as const;

/** The names of the pod's containers in these lists of its spec (every kind whose log can be read, by default). */
function containerNamesOf(
  pod: StoredResource,
  lists: readonly (typeof allContainerLists)[number][] = allContainerLists,
): string[] {
  const spec = (pod.object as { spec?: Record<string, unknown> }).spec ?? {};
  const names: string[] = [];
  for (const list of lists) {
    const containers = spec[list];
    if (!Array.isArray(containers)) continue;
    for (const container of containers) {
      const name = (container as { name?: unknown } | null)?.name;
      if (typeof name === "string") names.push(name);
    }
  }
  return names;
}

/**
 * The container to read, checked against the pod as the graph holds it, so that a wrong name is refused
 * at subscribe as `kubectl logs` refuses it. Undefined when the graph does not hold Pods (the API server
 * then judges) or leaves the choice to the server.
 */
function containerToRead(
  context: ApiContext,
  clusterId: string,
  namespace: string,
  podName: string,
  container: string | undefined,
): string | undefined {
  let pod: StoredResource | undefined;
  try {
    pod = context.graph.find({ clusterId, apiVersion: "v1", kind: "Pod", namespace, name: podName });
  } catch (error) {
    if (error instanceof FilterError) return container;
    throw error;
  }
  if (pod === undefined) {
    throw badInput(`pod ${quoteExcerpt(`${namespace}/${podName}`)} does not exist in cluster ${clusterId}`);
  }
  const names = containerNamesOf(pod);
  if (container !== undefined) {
    if (!names.includes(container)) {
      throw badInput(
        `container ${quoteExcerpt(container)} is not in pod ${quoteExcerpt(`${namespace}/${podName}`)}; its containers are ${names.join(", ")}`,
      );
    }
    return container;
  }
  const annotated = pod.annotations[defaultContainerAnnotation];
  if (annotated !== undefined && names.includes(annotated)) return annotated;
  // As the API server does, a pod's only app container is its default; init containers must be named.
  const main = containerNamesOf(pod, ["containers"]);
  if (main.length === 1) return main[0];
  throw badInput(
    `pod ${quoteExcerpt(`${namespace}/${podName}`)} has ${main.length} containers: name one of ${main.join(", ")}`,
  );
}

const PodLogKindEnum = builder.enumType("PodLogKind", {
  values: {
    LINE: { description: "A line of the log." },
    SKIPPED: {
      description: "Lines up to `number` were not sent: the client read slower than the log was written.",
    },
    END: { description: "The log ended (not following, or the container stopped): nothing follows." },
  } as const,
});

const PodLogLineObject = builder.objectRef<LogEntry>("PodLogLine").implement({
  description: "One line of a pod's log, or what a reader must know between lines.",
  fields: (t) => ({
    kind: t.field({ type: PodLogKindEnum, resolve: (entry) => entry.kind as PodLogKind }),
    number: t.exposeInt("number", {
      description:
        "LINE: its number in this stream, from 1. SKIPPED: the last line not sent. END: the lines sent.",
    }),
    text: t.exposeString("text", {
      description: "The line, without its newline; for SKIPPED and END, a note saying so.",
    }),
    truncated: t.exposeBoolean("truncated", {
      description: "The line was longer than the server sends, and was cut.",
    }),
  }),
});

builder.subscriptionField("podLogs", (t) =>
  t.field({
    type: PodLogLineObject,
    description:
      "A container's log, a line an event, as `kubectl logs` reads it: the last tailLines lines (at most the server's " +
      "bound, which is also the default), then with follow what the container writes. Ends with END; a wrong pod " +
      "or container is refused at subscribe (BAD_USER_INPUT). Identical subscriptions share one stream.",
    extensions: costOf({}),
    args: {
      cluster: t.arg.string({
        description: "The cluster's id or context name; may be left out when one is synced.",
      }),
      namespace: t.arg.string({ required: true }),
      pod: t.arg.string({ required: true }),
      container: t.arg.string({
        description: "Needed when the pod has several (and no default-container annotation).",
      }),
      follow: t.arg.boolean({ description: "Keep reading as the container writes. Default false." }),
      tailLines: t.arg.int({ description: "Only the last this many lines." }),
      previous: t.arg.boolean({ description: "The previous, terminated instance of the container." }),
    },
    subscribe: (_root, args, context) => {
      const { limits } = context;
      const provider = context.podLogs;
      if (provider === undefined) {
        throw new GraphQLError("pod logs are not available on this server", {
          extensions: { code: ErrorCode.Unsupported },
        });
      }
      const namespace = checkName("namespace", args.namespace);
      const pod = checkName("pod", args.pod);
      const container =
        args.container === null || args.container === undefined
          ? undefined
          : checkName("container", args.container);
      const tailLines = args.tailLines ?? limits.maxLogTailLines;
      if (tailLines < 0 || tailLines > limits.maxLogTailLines) {
        throw badInput(`tailLines must be between 0 and ${limits.maxLogTailLines}; got ${tailLines}`);
      }
      const cluster = oneCluster(context, "cluster", args.cluster ?? "");
      const counts = context.logStreams;
      if (counts !== undefined && counts.total >= limits.maxLogStreams) {
        throw new GraphQLError(
          `the server has ${counts.total} log streams open, its limit; try again later`,
          {
            extensions: { code: ErrorCode.ServerBusy },
          },
        );
      }
      if (counts !== undefined && counts.of(context.client) >= limits.maxLogStreamsPerClient) {
        throw new GraphQLError(
          `at most ${limits.maxLogStreamsPerClient} log streams may be open at once on one connection`,
          { extensions: { code: ErrorCode.TooManySubscriptions } },
        );
      }
      const request: PodLogRequest = {
        clusterId: cluster.id,
        namespace,
        pod,
        container: containerToRead(context, cluster.id, namespace, pod, container),
        follow: args.follow ?? false,
        tailLines,
        previous: args.previous ?? false,
      };
      const release = counts?.take(context.client) ?? (() => {});
      const feed = new PodLogFeed({
        open: (signal) => provider(request, signal),
        maxLineBytes: limits.maxLogLineBytes,
        retained: limits.retainedLogLines,
        release,
      });
      return new PodLogSubscription(feed, context.limits.subscriptionQueueSize);
    },
    resolve: (entry) => {
      const root = entry as LogEntry;
      if (root.kind === "ERROR") throw root.error ?? badInput(root.text);
      return root;
    },
  }),
);
