import type { ResourceChange } from "../../graph/index.js";
import { NatsLink } from "./connection.js";
import { ContentDedup } from "./content-dedup.js";
import { ExecSessions } from "./exec-sessions.js";
import { resolveLimits } from "./limits.js";
import { LogStreams } from "./log-streams.js";
import { PublishQueue } from "./publish-queue.js";
import { changeEstimate, renderChange } from "./render.js";
import {
  parseExecRequests,
  parseLogRequests,
  parseRequest,
  RequestError,
  replySubjectOf,
} from "./request.js";
import { ResyncDebounce } from "./resync-debounce.js";
import { snapshotStream } from "./snapshot-stream.js";
import { storeBatch } from "./store-batches.js";
import type { NatsOutput, NatsOutputOptions, NatsOutputStatus } from "./types.js";
import { coreSubject, metaMessage, metaSubject, requestQueueGroup, requestSubject } from "./wire.js";

/** informer-store requests waiting for the first sync at once; more for the same reply subject coalesce. */
const maxWaitingStoreRequests = 16;
/** How long close() waits for what is buffered to reach NATS. */
const closeSettleMs = 3_000;

/**
 * The MeshSync broker output: every committed change on meshery.meshsync.core, and the answers to
 * Meshery's requests on meshery.meshsync.request. Never throws for an unreachable NATS: it keeps trying.
 */
export function startNatsOutput(options: NatsOutputOptions): NatsOutput {
  const limits = resolveLimits(options.limits);
  const { graph, logger } = options;
  const dedup = options.contentDedup ? new ContentDedup() : undefined;
  let deduplicated = 0;
  const skipped = () => {
    deduplicated++;
  };

  // The queue and the link refer to each other: the link says when it is up, the queue sends on it.
  let queue: PublishQueue | undefined;
  const link = new NatsLink({
    servers: options.servers,
    name: options.connectionName ?? "meshsync",
    reconnectMinMs: limits.reconnectMinMs,
    reconnectMaxMs: limits.reconnectMaxMs,
    logger,
    onUp: () => queue?.connected(),
    onDown: () => queue?.disconnected(),
  });
  const publishQueue = new PublishQueue(link, limits, logger, () => dedup?.clear());
  queue = publishQueue;

  const enqueueChange = (change: ResourceChange) => {
    const { type, resource } = change;
    publishQueue.enqueue({
      kind: "message",
      subject: coreSubject,
      payload: () => renderChange(type, resource, dedup, skipped),
      estimate: changeEstimate(resource),
      replay: true,
      ...(dedup !== undefined ? { onDropped: () => dedup.forget(resource.key) } : {}),
    });
  };

  // What the graph already holds when the output starts goes out as ADDED, as Go's informers announce
  // every listed object; the subscription starts in the same turn, so no change falls between.
  if (graph.size > 0)
    publishQueue.enqueue(
      snapshotStream(
        graph,
        coreSubject,
        (objects, from) => ({ text: renderChange("ADDED", objects[from]!, dedup, skipped), taken: 1 }),
        true,
        graph.log.sequence,
      ),
    );
  const unsubscribeChanges = graph.log.subscribe(enqueueChange);

  const logStreams = new LogStreams(
    publishQueue,
    options.podLogs,
    limits.maxLogStreams,
    limits.logChunkBytes,
    logger,
  );
  const execSessions: ExecSessions = new ExecSessions(
    link,
    publishQueue,
    options.podExec,
    limits.maxExecSessions,
    limits.execChunkBytes,
    logger,
    (): string[] => [...execSessions.ids(), ...logStreams.ids()],
  );
  const resync = new ResyncDebounce(
    () => {
      logger.info({ requests: resync.requests }, "resync-discovery: relisting every cluster");
      options.resync();
    },
    limits.resyncDebounceMs,
    limits.resyncMaxDelayMs,
    (error) => logger.error({ error: error.message }, "resync-discovery failed"),
  );

  let closed = false;
  const waitingStores = new Set<string>();
  let activeTicker: NodeJS.Timeout | undefined;

  const replyWithStore = (reply: string) => {
    publishQueue.enqueue(
      snapshotStream(
        graph,
        reply,
        (objects, from, maxBytes) => storeBatch(objects, from, limits.storeBatchSize, maxBytes),
        true,
      ),
    );
  };

  const answerStore = (reply: string) => {
    if (options.firstSyncDone()) {
      replyWithStore(reply);
      return;
    }
    // Only a full store is an answer: a request before the first sync waits for it, for a while.
    if (waitingStores.has(reply)) return;
    if (waitingStores.size >= maxWaitingStoreRequests) {
      logger.warn({ reply }, "informer-store refused: too many requests waiting for the first sync");
      return;
    }
    waitingStores.add(reply);
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), limits.storeWaitMs);
    });
    void Promise.race([options.whenFirstSyncDone.then(() => true), waited]).then((synced) => {
      clearTimeout(timer);
      waitingStores.delete(reply);
      if (closed) return;
      if (!synced)
        logger.warn(
          { reply, waitedMs: limits.storeWaitMs },
          "informer-store: the first sync has not finished; answering with what is stored",
        );
      replyWithStore(reply);
    });
  };

  const onRequest = (data: Uint8Array) => {
    if (closed) return;
    try {
      const { entity, payload } = parseRequest(data, limits.maxRequestBytes);
      switch (entity) {
        case "informer-store":
          answerStore(replySubjectOf(payload));
          break;
        case "resync-discovery":
          resync.request();
          break;
        case "meshsync-meta":
          publishQueue.enqueue({
            kind: "message",
            subject: metaSubject,
            payload: metaMessage(options.version),
            estimate: 256,
            replay: false,
          });
          break;
        case "log-stream":
          logStreams.handle(parseLogRequests(payload, limits.maxRequestEntries));
          break;
        case "exec-request":
          execSessions.handle(parseExecRequests(payload, limits.maxRequestEntries));
          break;
        case "active-exec":
          // Go starts a 10 s ticker per request; one is enough, and the list goes out at once too.
          execSessions.publishActive();
          activeTicker ??= setInterval(() => execSessions.publishActive(), limits.activeSessionsIntervalMs);
          activeTicker.unref();
          break;
        default:
          logger.debug({ entity }, "request for an entity meshsync does not serve: ignored");
      }
    } catch (error) {
      if (!(error instanceof RequestError)) throw error;
      logger.warn({ error: error.message }, "NATS request refused");
    }
  };

  const unsubscribeRequests = link.subscribe(requestSubject, requestQueueGroup, (msg) => onRequest(msg.data));
  link.start();

  const status = (): NatsOutputStatus => ({
    connected: link.isUp,
    buffered: publishQueue.buffered,
    bufferedBytes: publishQueue.bufferedBytes,
    inFlight: publishQueue.unconfirmed,
    published: publishQueue.counters.published,
    dropped: publishQueue.counters.dropped,
    overflows: publishQueue.counters.overflows,
    deduplicated,
    reconnects: link.reconnects,
    logStreams: logStreams.size,
    execSessions: execSessions.size,
  });

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      closed = true;
      unsubscribeChanges();
      unsubscribeRequests();
      resync.close();
      if (activeTicker !== undefined) clearInterval(activeTicker);
      await Promise.allSettled([logStreams.close(), execSessions.close()]);
      if (link.isUp) await publishQueue.settle(closeSettleMs);
      publishQueue.close();
      await link.close();
    })();
    return closing;
  };

  return { status, close };
}
