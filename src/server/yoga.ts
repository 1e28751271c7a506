import { GraphQLError } from "graphql";
import { createYoga, type Plugin, type YogaServerInstance } from "graphql-yoga";
import type { Logger } from "pino";
import { type ApiContext, ErrorCode, schema, stringifyWithRawJson } from "../api/index.js";
import { useBoundedErrors } from "./error-excerpts.js";
import { useQueryLimits } from "./limits-plugin.js";
import type { ServerLimits } from "./options.js";

export const graphqlPath = "/graphql";

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

/** HTTP results are written as the other transports write theirs: stored objects spliced in as text. */
const rawJsonResults: Plugin = {
  onResultProcess({ result, setResult }) {
    if (Array.isArray(result) || Symbol.asyncIterator in result) return;
    setResult({ ...result, stringify: stringifyWithRawJson });
  },
};

export interface YogaOptions {
  context: ApiContext;
  limits: ServerLimits;
  logger: Logger;
  /** Origins that may read responses cross-origin (CORS); none when absent. */
  allowedOrigins: readonly string[] | undefined;
  plugins: NonNullable<Parameters<typeof createYoga>[0]["plugins"]>;
}

/** graphql-yoga over the API schema: HTTP POST/GET, and the envelop both subscription transports reuse. */
export function createMeshsyncYoga(options: YogaOptions): MeshsyncYoga {
  return createYoga<Record<string, unknown>, ApiContext>({
    schema,
    graphqlEndpoint: graphqlPath,
    context: () => options.context,
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
      rawJsonResults,
    ],
  });
}
