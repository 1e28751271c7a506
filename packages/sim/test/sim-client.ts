// Shared by the simulator tests: a simulator on a free port, JSON requests over real sockets, and a
// watch reader.
import { type RunningSimulator, type SimulatorOptions, startSimulator } from "../src/index.js";

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/**
 * An empty simulator serving the API alone: no controller reacts to what a test creates, so the
 * API server's own behaviour is all there is to see.
 */
export async function startEmpty(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  return startSimulator({ scenario: "empty", controllers: false, ...options });
}

/**
 * An empty simulator whose default namespace holds no ConfigMap, for tests that count the ones
 * they make: the root CA bundle every namespace gets is removed.
 */
export async function startBare(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const sim = await startEmpty(options);
  sim.api.delete("", "v1", "configmaps", "default", "kube-root-ca.crt");
  return sim;
}

export async function request(
  sim: RunningSimulator,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  const init: RequestInit = { method, headers: { accept: "application/json", ...headers } };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)["content-type"] ??= "application/json";
  }
  const response = await fetch(`${sim.url}${path}`, init);
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { text };
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

export const get = (sim: RunningSimulator, path: string, headers?: Record<string, string>) =>
  request(sim, "GET", path, undefined, headers);

export function configMap(
  name: string,
  labels: Record<string, string> = {},
  data: Record<string, string> = {},
) {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, labels }, data };
}

export interface WatchEvent {
  type: string;
  object: Record<string, unknown> & { metadata?: Record<string, unknown> };
}

/** An open watch stream read line by line, as a client would. */
export class WatchReader {
  private buffer = "";
  private readonly events: WatchEvent[] = [];
  private waiters: (() => void)[] = [];
  ended = false;
  status = 0;
  contentType = "";
  private readonly controller = new AbortController();

  static async open(
    sim: RunningSimulator,
    path: string,
    headers: Record<string, string> = {},
  ): Promise<WatchReader> {
    const reader = new WatchReader();
    const response = await fetch(`${sim.url}${path}`, { headers, signal: reader.controller.signal });
    reader.status = response.status;
    reader.contentType = response.headers.get("content-type") ?? "";
    void reader.pump(response);
    return reader;
  }

  private async pump(response: Response): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        this.buffer += decoder.decode(chunk, { stream: true });
        let newline = this.buffer.indexOf("\n");
        while (newline >= 0) {
          const line = this.buffer.slice(0, newline);
          this.buffer = this.buffer.slice(newline + 1);
          if (line.trim()) this.events.push(JSON.parse(line) as WatchEvent);
          newline = this.buffer.indexOf("\n");
        }
        this.wake();
      }
    } catch {
      // An aborted or cut stream simply ends.
    }
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }

  /** Waits until at least n events arrived (or the stream ended) and returns them all. */
  async next(count: number, timeoutMs = 5000): Promise<WatchEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.events.length < count && !this.ended && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return [...this.events];
  }

  /** Waits for the stream to end. */
  async end(timeoutMs = 5000): Promise<WatchEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return [...this.events];
  }

  get received(): WatchEvent[] {
    return [...this.events];
  }

  close(): void {
    this.controller.abort();
  }
}

export function namesOf(events: WatchEvent[]): string[] {
  return events.map((event) => `${event.type}:${String(event.object.metadata?.name ?? "")}`);
}
