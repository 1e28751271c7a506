import { IncomingMessage } from "node:http";
import type { GraphQLSchema } from "graphql";
import { GraphQLError } from "graphql";
import { createYoga, type Plugin, type YogaServerInstance } from "graphql-yoga";
import type { Logger } from "pino";
import { type ApiContext, ErrorCode, jsonPieces, schema } from "../api/index.js";
import { useBoundedErrors } from "./error-excerpts.js";
import { useQueryLimits } from "./limits-plugin.js";
import type { ServerLimits } from "./options.js";
import { bytesInTurns, isLong } from "./result-chunks.js";

export const graphqlPath = "/graphql";

/**
 * Where Meshery's UI and server spoke GraphQL (HTTP and graphql-ws): the schema older Meshery versions
 * use (src/api/meshery) is served there, behind the same token, Origin rule, limits and fan-out.
 */
export const mesheryGraphqlPath = "/api/system/graphql/query";

export type MeshsyncYoga = YogaServerInstance<Record<string, unknown>, ApiContext>;

type LogLevel = "debug" | "info" | "warn" | "error";

/** Yoga logs console-style (message or error, then details); pino wants an object and a message. */
function yogaLogger(logger: Logger): Record<LogLevel, (...args: unknown[]) => void> {
  const forward =
    (level: LogLevel) =>
    (first?: unknown, ...details: unknown[]): void => {
      const fields = details.length > 0 ? { details } : {};
      if (first instanceof Error) logger[level]({ ...fields, err: first }, first.message);
      else logger[level](fields, typeof first === "string" ? first : JSON.stringify(first));
    };
  return { debug: forward("debug"), info: forward("info"), warn: forward("warn"), error: forward("error") };
}

/**
 * Subscriptions travel only over the two transports that enforce the fan-out's bounds; yoga's own SSE
 * and multipart paths would bypass them. Operations on those transports never reach yoga's subscribe.
 */
const subscriptionsOverHttpOff: Plugin = {
  onSubscribe({ setResultAndStopExecution }) {
    setResultAndStopExecution({
      errors: [
        new GraphQLError(
          "subscriptions are served over graphql-ws, and over graphql-sse with Accept: text/event-stream",
          { extensions: { code: ErrorCode.Unsupported } },
        ),
      ],
    });
  },
};

/** The node request yoga's node adapter puts in the server context. */
function nodeRequestOf(serverContext: unknown): IncomingMessage | undefined {
  const request = (serverContext as { req?: unknown } | null | undefined)?.req;
  return request instanceof IncomingMessage ? request : undefined;
}

/**
 * A body that takes the next chunk when the client has read the last (the socket drained); `started`
 * runs when the first is taken.
 */
function streamOf(chunks: AsyncGenerator<Buffer>, started: () => void): ReadableStream<Uint8Array> {
  let first = true;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (first) {
          first = false;
          started();
        }
        const next = await chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      async cancel() {
        await chunks.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * HTTP results are written as the other transports write theirs: stored objects spliced in as text,
 * and a long result a chunk a turn. Yoga builds the response (status, headers) from the result's text;
 * a long one is given yoga as nothing, and its response's body is then replaced by a stream of chunks,
 * which node writes as the client reads (chunked transfer encoding).
 */
function rawJsonResults(idleSocketTimeoutMs: number): Plugin {
  const longResults = new WeakMap<Request, readonly string[]>();
  return {
    onResultProcess({ request, result, setResult }) {
      if (Array.isArray(result) || Symbol.asyncIterator in result) return;
      setResult({
        ...result,
        // Yoga calls it with the result it sends: internal error extensions already taken out.
        stringify: (sent) => {
          const pieces = jsonPieces(sent);
          if (!isLong(pieces)) return pieces.join("");
          longResults.set(request, pieces);
          return "";
        },
      });
    },
    onResponse({ request, response, serverContext, setResponse, fetchAPI }) {
      const pieces = longResults.get(request);
      if (pieces === undefined) return;
      longResults.delete(request);
      // The adapter that writes a streamed body to node's response turns its socket's timeout off: a
      // client that stops reading must still be cut after idleSocketTimeoutMs, as for any response.
      const socket = nodeRequestOf(serverContext)?.socket;
      const keepIdleTimeout = () => socket?.setTimeout(idleSocketTimeoutMs);
      const headers = new fetchAPI.Headers(response.headers);
      headers.delete("content-length");
      setResponse(
        new fetchAPI.Response(streamOf(bytesInTurns(pieces), keepIdleTimeout), {
          status: response.status,
          statusText: response.statusText,
          headers,
        }),
      );
    },
  };
}

export interface YogaOptions {
  context: ApiContext;
  limits: ServerLimits;
  logger: Logger;
  /** Origins that may read responses cross-origin (CORS); none when absent. */
  allowedOrigins: readonly string[] | undefined;
  plugins: NonNullable<Parameters<typeof createYoga>[0]["plugins"]>;
  /** The schema and path served; meshsync's own at /graphql when absent. */
  schema?: GraphQLSchema | undefined;
  endpoint?: string | undefined;
}

/**
 * graphql-yoga over an API schema: HTTP POST/GET, and the envelop both subscription transports reuse.
 * Each operation's context is the shared one plus the socket it came on, which per-connection bounds
 * (podLogs) count by.
 */
export function createMeshsyncYoga(options: YogaOptions): MeshsyncYoga {
  return createYoga<Record<string, unknown>, ApiContext>({
    schema: options.schema ?? schema,
    graphqlEndpoint: options.endpoint ?? graphqlPath,
    context: (initial): ApiContext => ({
      ...options.context,
      client: nodeRequestOf(initial)?.socket,
    }),
    // GraphiQL is served by http-routes from graphiql/: yoga's own page loads its scripts from a CDN.
    graphiql: false,
    landingPage: false,
    // Yoga's default CORS reflects any origin with credentials, which would let any page read the graph
    // with a visitor's token cookie; only the configured origins get CORS headers.
    cors:
      options.allowedOrigins === undefined
        ? false
        : { origin: [...options.allowedOrigins], credentials: true, methods: ["GET", "POST"] },
    logging: yogaLogger(options.logger),
    maxRequestBodySize: options.limits.maxRequestBytes,
    // The caller's plugins (metrics) come first, so that they also see what the limits refuse.
    plugins: [
      ...options.plugins,
      useBoundedErrors(),
      useQueryLimits(options.limits, (filter) => options.context.graph.scanSize(filter)),
      subscriptionsOverHttpOff,
      rawJsonResults(options.limits.idleSocketTimeoutMs),
    ],
  });
}
