import type { Logger } from "../../kube/index.js";
import type { PublishQueue } from "./publish-queue.js";
import type { LogRequest } from "./request.js";
import { textChunks } from "./text-chunks.js";
import type { PodLogSource } from "./types.js";
import { logChunkMessage, logsSubject } from "./wire.js";

interface RunningLog {
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

/**
 * log-stream requests (meshsync/logstream.go): one stream per pod container, keyed
 * `logs.<namespace>.<pod>.<container>` as Go keys it, so a second request for the same container while
 * one runs starts nothing, and a stop request with the same names ends it. Each chunk read goes to
 * meshery.meshsync.logs with the request's id; a stream ends with its log (or, with follow, at stop).
 */
export class LogStreams {
  private readonly running = new Map<string, RunningLog>();
  private closed = false;

  constructor(
    private readonly queue: PublishQueue,
    private readonly podLogs: PodLogSource,
    private readonly maxStreams: number,
    private readonly chunkChars: number,
    private readonly logger: Logger,
  ) {}

  get size(): number {
    return this.running.size;
  }

  ids(): string[] {
    return [...this.running.keys()];
  }

  handle(requests: readonly LogRequest[]): void {
    for (const request of requests) {
      const key = `logs.${request.namespace}.${request.name}.${request.container}`;
      if (request.stop) {
        this.running.get(key)?.controller.abort();
        continue;
      }
      if (this.closed || this.running.has(key)) continue;
      if (this.running.size >= this.maxStreams) {
        this.logger.warn(
          { stream: key, maxStreams: this.maxStreams },
          "log-stream refused: too many log streams running",
        );
        continue;
      }
      const controller = new AbortController();
      const done = this.stream(key, request, controller.signal).finally(() => {
        if (this.running.get(key)?.controller === controller) this.running.delete(key);
      });
      this.running.set(key, { controller, done });
    }
  }

  private async stream(key: string, request: LogRequest, signal: AbortSignal): Promise<void> {
    const decoder = new TextDecoder();
    const publish = (text: string) => {
      for (const piece of textChunks(text, this.chunkChars))
        this.queue.enqueue({
          kind: "message",
          subject: logsSubject,
          payload: logChunkMessage(request.id, piece, request.name, request.container),
          estimate: piece.length * 3 + 256,
          replay: false,
        });
    };
    try {
      const chunks = this.podLogs({
        namespace: request.namespace,
        pod: request.name,
        container: request.container,
        follow: request.follow,
        previous: request.previous,
        // Go MeshSync always sends its TailLines pointer, so an absent taillines asks for 0 lines.
        tailLines: request.tailLines,
        timestamps: true,
        signal,
      });
      for await (const chunk of chunks) {
        if (signal.aborted) break;
        publish(decoder.decode(chunk, { stream: true }));
      }
      if (!signal.aborted) publish(decoder.decode());
    } catch (error) {
      if (!signal.aborted)
        this.logger.warn({ stream: key, error: (error as Error).message }, "log stream failed");
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.running.values()];
    for (const log of all) log.controller.abort();
    await Promise.allSettled(all.map((log) => log.done));
  }
}
