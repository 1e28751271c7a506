// Requests to one API server. client-node supplies credentials and TLS (every auth kind it knows,
// refreshed per request so expiring tokens keep working) and the transport pools connections;
// node:http/https carry the bytes, so a watch body can be read line by line as it arrives instead
// of after it ends.
import http from "node:http";
import https from "node:https";
import { StringDecoder } from "node:string_decoder";
import type { KubeConfig } from "@kubernetes/client-node";
import { KubeApiError, kubeErrorFromStatus } from "./errors.js";
import { ClusterTransport } from "./transport.js";

export type QueryValue = string | number | boolean | undefined;
export type Query = Record<string, QueryValue>;

/** A response body read as it arrives, one line at a time (watch streams are newline-delimited). */
export interface LineStream extends AsyncIterable<string> {
  /** Ends the stream and frees its socket; safe to call more than once. */
  close(): void;
}

/** A response body read as it arrives, chunk by chunk and unchanged. */
export interface ByteStream extends AsyncIterable<Buffer> {
  /** Ends the stream and frees its socket; safe to call more than once. */
  close(): void;
}

/** What the rest of src/kube needs from an API server; tests can hand in their own. */
export interface KubeRequester {
  readonly server: string;
  getJson(path: string, query?: Query, signal?: AbortSignal): Promise<unknown>;
  /**
   * A GET answered with JSON, as text, for a caller that decodes it itself (a list page). `onHead` is
   * shown the text received so far as it arrives, until it returns true: a list's continue token is in
   * its first bytes, long before the page's end.
   */
  getText(
    path: string,
    query?: Query,
    signal?: AbortSignal,
    onHead?: (head: string) => boolean,
  ): Promise<string>;
  openLines(path: string, query?: Query, signal?: AbortSignal): Promise<LineStream>;
  /** For bodies that are text rather than JSON lines (a pod's log): nothing trimmed or dropped. */
  openBytes(path: string, query?: Query, signal?: AbortSignal): Promise<ByteStream>;
  /**
   * Agent, TLS and fresh credentials for a connection the caller makes itself (a WebSocket upgrade
   * for exec), so it reaches the server exactly as every other request does.
   */
  connectionOptions(): Promise<https.RequestOptions>;
  /**
   * A write (POST or PUT) of one JSON object, answered with the object the server stored; a refusal
   * is a KubeApiError carrying the HTTP status, so a 409 Conflict can be told from other failures.
   */
  sendJson(method: WriteMethod, path: string, body: unknown, signal?: AbortSignal): Promise<unknown>;
}

export type WriteMethod = "POST" | "PUT";

export interface KubeHttpClientOptions {
  /** For plain requests (not streams): give up on an answer that takes longer. */
  requestTimeoutMs?: number;
  /** A single line longer than this is a broken or hostile server, not an object. */
  maxLineBytes?: number;
}

interface JsonRequest {
  method: "GET" | WriteMethod;
  path: string;
  query: Query;
  body?: string;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;
// An error body is only read to explain the failure; never hold more than this of it.
const MAX_ERROR_BODY_BYTES = 64 * 1024;

export class KubeHttpClient implements KubeRequester {
  readonly server: string;
  private readonly requestTimeoutMs: number;
  private readonly maxLineBytes: number;
  private readonly transport: ClusterTransport;

  constructor(kubeConfig: KubeConfig, options: KubeHttpClientOptions = {}) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error(`kubeconfig context "${kubeConfig.getCurrentContext()}" has no cluster`);
    this.server = cluster.server.replace(/\/+$/, "");
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.transport = new ClusterTransport(kubeConfig);
  }

  getJson(path: string, query: Query = {}, signal?: AbortSignal): Promise<unknown> {
    return this.exchangeJson({ method: "GET", path, query }, signal);
  }

  sendJson(method: WriteMethod, path: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
    return this.exchangeJson({ method, path, query: {}, body: JSON.stringify(body) }, signal);
  }

  private async exchangeJson(request: JsonRequest, signal: AbortSignal | undefined): Promise<unknown> {
    const { body, status } = await this.exchange(request, signal);
    try {
      return JSON.parse(body);
    } catch {
      throw new KubeApiError(status, `${request.method} ${request.path}: answer is not JSON`);
    }
  }

  getText(
    path: string,
    query: Query = {},
    signal?: AbortSignal,
    onHead?: (head: string) => boolean,
  ): Promise<string> {
    return this.exchange({ method: "GET", path, query }, signal, onHead).then((answer) => answer.body);
  }

  private async exchange(
    request: JsonRequest,
    signal: AbortSignal | undefined,
    onHead?: (head: string) => boolean,
  ): Promise<{ body: string; status: number }> {
    const { method, path } = request;
    // A timer and listener of our own, cleared on return: AbortSignal.timeout/any would keep the
    // caller's signal (and all it reaches) alive until the timeout fires.
    const controller = new AbortController();
    const timer = setTimeout(() => {
      // ETIMEDOUT, as a socket timeout would say: no answer is a transport failure, not the server's.
      const timeout = Object.assign(
        new Error(`${method} ${path}: no answer within ${this.requestTimeoutMs} ms`),
        {
          code: "ETIMEDOUT",
        },
      );
      controller.abort(timeout);
    }, this.requestTimeoutMs);
    const forwardAbort = () => controller.abort(signal?.reason);
    if (signal?.aborted) forwardAbort();
    signal?.addEventListener("abort", forwardAbort, { once: true });
    try {
      const response = await this.send(path, request.query, controller.signal, "application/json", request);
      const body = await readAnswer(response, `${method} ${path}`, onHead);
      return { body, status: response.statusCode ?? 0 };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", forwardAbort);
    }
  }

  async openLines(path: string, query: Query = {}, signal?: AbortSignal): Promise<LineStream> {
    const response = await this.send(path, query, signal);
    return new ResponseLines(response, this.maxLineBytes);
  }

  async openBytes(path: string, query: Query = {}, signal?: AbortSignal): Promise<ByteStream> {
    // A log is text/plain; the JSON is only what an error answers with.
    const response = await this.send(path, query, signal, "text/plain, application/json");
    return {
      close: () => response.destroy(),
      async *[Symbol.asyncIterator]() {
        try {
          for await (const chunk of response) yield chunk as Buffer;
        } finally {
          response.destroy();
        }
      },
    };
  }

  connectionOptions(): Promise<https.RequestOptions> {
    return this.transport.requestOptions();
  }

  /**
   * Resolves with a 2xx response; anything else becomes a KubeApiError carrying the server's Status.
   * A GET unless the call names another method and a body.
   */
  private async send(
    path: string,
    query: Query,
    signal?: AbortSignal,
    accept = "application/json",
    call: { method: string; body?: string } = { method: "GET" },
  ): Promise<http.IncomingMessage> {
    const url = new URL(this.server + path);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const options = await this.transport.requestOptions();
    options.method = call.method;
    const bodyHeaders =
      call.body === undefined
        ? {}
        : { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(call.body) };
    options.headers = { ...options.headers, Accept: accept, ...bodyHeaders };
    const transport = url.protocol === "http:" ? http : https;

    const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const request = transport.request(url, { ...options, signal }, resolve);
      request.on("error", reject);
      request.end(call.body);
    });
    const status = response.statusCode ?? 0;
    if (status >= 200 && status < 300) return response;

    throw await refusalOf(response, `${call.method} ${url.pathname}`);
  }
}

/**
 * A response that is not a success, as a KubeApiError: its Status when the body is one, else the start
 * of the body (a proxy's page, a kubelet's plain text), read only as far as an explanation needs.
 */
export async function refusalOf(response: http.IncomingMessage, request: string): Promise<KubeApiError> {
  const status = response.statusCode ?? 0;
  const text = await readBody(response, MAX_ERROR_BODY_BYTES).catch(() => "");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const said = text.trim().slice(0, 200);
    parsed = { message: `${request} answered ${status}${said ? `: ${said}` : ""}` };
  }
  const retryAfter = response.headers["retry-after"];
  return kubeErrorFromStatus(parsed, status, Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
}

async function readBody(response: http.IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response) {
    const buffer = chunk as Buffer;
    if (size < limit) chunks.push(buffer);
    size += buffer.length;
  }
  const body = Buffer.concat(chunks);
  return (body.length > limit ? body.subarray(0, limit) : body).toString("utf8");
}

/**
 * The most a JSON answer may hold. V8's longest string is about 512 MiB (2^29 characters); an answer
 * past this is refused with a clear error before it gets there. A list page of 500 objects is a few MB.
 */
export const MAX_ANSWER_BYTES = 256 * 1024 * 1024;
/** How far into an answer its head is looked for. */
const MAX_HEAD_BYTES = 64 * 1024;

async function readAnswer(
  response: http.IncomingMessage,
  request: string,
  onHead: ((head: string) => boolean) | undefined,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  let watchingHead = onHead !== undefined;
  for await (const chunk of response) {
    const buffer = chunk as Buffer;
    chunks.push(buffer);
    size += buffer.length;
    if (size > MAX_ANSWER_BYTES) {
      response.destroy();
      throw new KubeApiError(
        0,
        `${request}: answer longer than ${MAX_ANSWER_BYTES} bytes; ask for smaller pages (limit)`,
      );
    }
    if (watchingHead) {
      // A multi-byte character cut at the chunk's end decodes as a replacement: harmless in a head.
      watchingHead = !onHead!(Buffer.concat(chunks).toString("utf8")) && size < MAX_HEAD_BYTES;
    }
  }
  return Buffer.concat(chunks, size).toString("utf8");
}

class ResponseLines implements LineStream {
  constructor(
    private readonly response: http.IncomingMessage,
    private readonly maxLineBytes: number,
  ) {}

  close(): void {
    this.response.destroy();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<string> {
    const decoder = new StringDecoder("utf8");
    // The unfinished line, kept as the pieces it arrived in and joined once when it ends: rescanning
    // and re-concatenating the whole of it per chunk would make one long line quadratic to read.
    const pieces: string[] = [];
    let pendingLength = 0;
    const takeLine = (end: string): string => {
      pieces.push(end);
      const line = pieces.join("").trim();
      pieces.length = 0;
      pendingLength = 0;
      return line;
    };
    try {
      for await (const chunk of this.response) {
        const text = decoder.write(chunk as Buffer);
        let start = 0;
        let newline = text.indexOf("\n");
        while (newline >= 0) {
          const line = takeLine(text.slice(start, newline));
          start = newline + 1;
          if (line !== "") yield line;
          newline = text.indexOf("\n", start);
        }
        if (start < text.length) {
          pieces.push(text.slice(start));
          pendingLength += text.length - start;
        }
        if (pendingLength > this.maxLineBytes) {
          throw new Error(`watch line longer than ${this.maxLineBytes} bytes; closing the stream`);
        }
      }
      const last = takeLine(decoder.end());
      if (last !== "") yield last;
    } finally {
      this.response.destroy();
    }
  }
}
