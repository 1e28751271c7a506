import WebSocket from "ws";

export interface RawMessage {
  type: string;
  id?: string;
  payload?: unknown;
}

/**
 * A graphql-transport-ws client written by hand, for what the real client hides: reading the close
 * code, pausing the socket like a consumer that stops reading, sending several operations.
 */
export class RawGraphqlSocket {
  readonly messages: RawMessage[] = [];
  closeCode: number | undefined;
  readonly closed: Promise<number>;
  private readonly waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      this.messages.push(JSON.parse(String(data)) as RawMessage);
      this.wake();
    });
    this.closed = new Promise((resolve) => {
      ws.on("close", (code) => {
        this.closeCode = code;
        this.wake();
        resolve(code);
      });
    });
    ws.on("error", () => this.wake());
  }

  static async open(url: string, headers: Record<string, string> = {}): Promise<RawGraphqlSocket> {
    const ws = new WebSocket(url.replace(/^http/, "ws"), "graphql-transport-ws", { headers });
    const socket = new RawGraphqlSocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("unexpected-response", (_request, response) =>
        reject(new Error(`upgrade refused: ${response.statusCode}`)),
      );
      ws.once("error", reject);
    });
    return socket;
  }

  /** Opens the socket, sends connection_init, and waits for the ack. */
  static async connect(url: string, connectionParams?: Record<string, unknown>): Promise<RawGraphqlSocket> {
    const socket = await RawGraphqlSocket.open(url);
    socket.send({ type: "connection_init", ...(connectionParams ? { payload: connectionParams } : {}) });
    await socket.waitFor((m) => m.type === "connection_ack");
    return socket;
  }

  send(message: RawMessage): void {
    this.ws.send(JSON.stringify(message));
  }

  subscribe(id: string, query: string, variables: Record<string, unknown> = {}): void {
    this.send({ type: "subscribe", id, payload: { query, variables } });
  }

  /** Resolves with the first message (seen or to come) that matches; rejects if the socket closes first. */
  async waitFor(predicate: (m: RawMessage) => boolean, timeoutMs = 15_000): Promise<RawMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(predicate);
      if (found !== undefined) return found;
      if (this.closeCode !== undefined)
        throw new Error(`socket closed (${this.closeCode}) before the message came`);
      if (Date.now() > deadline) throw new Error("the message did not come in time");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    if (this.closeCode !== undefined) return;
    this.ws.close(1000);
    await this.closed;
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}
