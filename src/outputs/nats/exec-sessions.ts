import type { Logger } from "../../kube/index.js";
import type { NatsLink } from "./connection.js";
import type { PublishQueue } from "./publish-queue.js";
import { type ExecRequest, execInputOf, validSubject } from "./request.js";
import { textChunks } from "./text-chunks.js";
import type { PodExecOpener, PodExecSession } from "./types.js";
import { activeSessionsMessage, activeSessionsSubject, execErrorMessage, execOutputMessage } from "./wire.js";

interface RunningExec {
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

/** Keystrokes held for a session whose shell has not started yet. */
const maxEarlyInputBytes = 64 * 1024;
/** Bytes of one exec-input message accepted. */
const maxInputMessageBytes = 64 * 1024;

const encoder = new TextEncoder();

/**
 * exec-request sessions as Go MeshSync runs them (meshsync/exec.go): the id is
 * `exec.<namespace>.<pod>.<container>.<request id>`, and it is also the subject the shell's output
 * goes to (`exec-output` messages, or one `error` message when the shell cannot start); what is
 * published on `input.<id>` as an `exec-input` message is typed into /bin/sh with a newline after it.
 * A session ends when the shell ends, at a stop request with the same names and id, or at close. The
 * list of running sessions goes to active_sessions.exec when one starts and on the active-exec ticker.
 */
export class ExecSessions {
  private readonly running = new Map<string, RunningExec>();
  private closed = false;

  constructor(
    private readonly link: NatsLink,
    private readonly queue: PublishQueue,
    private readonly podExec: PodExecOpener,
    private readonly maxSessions: number,
    private readonly chunkChars: number,
    private readonly logger: Logger,
    /** Every running session id, exec and log alike, as Go lists them. */
    private readonly activeIds: () => string[],
  ) {}

  get size(): number {
    return this.running.size;
  }

  ids(): string[] {
    return [...this.running.keys()];
  }

  publishActive(): void {
    this.queue.enqueue({
      kind: "message",
      subject: activeSessionsSubject,
      payload: () => activeSessionsMessage(this.activeIds()),
      estimate: 1024,
      replay: false,
    });
  }

  handle(requests: readonly ExecRequest[]): void {
    for (const request of requests) {
      const id = `exec.${request.namespace}.${request.name}.${request.container}.${request.id}`;
      if (request.stop) {
        this.running.get(id)?.controller.abort();
        continue;
      }
      if (this.closed || this.running.has(id)) continue;
      if (!validSubject(id)) {
        this.logger.warn({ session: id }, "exec-request refused: its names do not make a NATS subject");
        continue;
      }
      if (this.running.size >= this.maxSessions) {
        this.logger.warn(
          { session: id, maxSessions: this.maxSessions },
          "exec-request refused: too many exec sessions running",
        );
        continue;
      }
      const controller = new AbortController();
      const done = this.run(id, request, controller.signal).finally(() => {
        if (this.running.get(id)?.controller === controller) this.running.delete(id);
      });
      this.running.set(id, { controller, done });
      this.publishActive();
    }
  }

  private publish(id: string, payload: string): void {
    this.queue.enqueue({
      kind: "message",
      subject: id,
      payload,
      estimate: payload.length * 3,
      replay: false,
    });
  }

  private async run(id: string, request: ExecRequest, signal: AbortSignal): Promise<void> {
    let session: PodExecSession | undefined;
    let early: Uint8Array[] = [];
    let earlyBytes = 0;
    const unsubscribe = this.link.subscribe(`input.${id}`, undefined, (msg) => {
      const text = execInputOf(msg.data, maxInputMessageBytes);
      if (text === undefined) return;
      const data = encoder.encode(`${text}\n`);
      if (session !== undefined) session.write(data);
      else if (earlyBytes + data.length <= maxEarlyInputBytes) {
        early.push(data);
        earlyBytes += data.length;
      }
    });
    const onAbort = () => session?.close();
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      session = await this.podExec({
        namespace: request.namespace,
        pod: request.name,
        container: request.container,
        command: ["/bin/sh"],
        tty: true,
        signal,
      });
      if (signal.aborted) return;
      for (const data of early) session.write(data);
      early = [];
      const decoder = new TextDecoder();
      for await (const chunk of session.output) {
        for (const piece of textChunks(decoder.decode(chunk, { stream: true }), this.chunkChars))
          this.publish(id, execOutputMessage(piece));
        if (signal.aborted) break;
      }
      const rest = decoder.decode();
      if (rest !== "") this.publish(id, execOutputMessage(rest));
    } catch (error) {
      if (!signal.aborted) {
        const reason = (error as Error).message;
        this.logger.warn({ session: id, error: reason }, "exec session failed");
        this.publish(id, execErrorMessage(reason));
      }
    } finally {
      signal.removeEventListener("abort", onAbort);
      unsubscribe();
      session?.close();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.running.values()];
    for (const exec of all) exec.controller.abort();
    await Promise.allSettled(all.map((exec) => exec.done));
  }
}
