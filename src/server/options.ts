import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { type ApiLimits, type ApiResourceInfo, defaultApiLimits } from "../api/index.js";
import type { ResourceGraph } from "../graph/index.js";
import type { TypeSyncStatus } from "../kube/index.js";
import type { QueryLimits } from "./query-limits.js";

export interface Readiness {
  ready: boolean;
  /** Why not ready, shown by /readyz. */
  reason?: string;
}

export interface ServerLimits extends QueryLimits, ApiLimits {
  /** Characters in one GraphQL document, checked before it is parsed. */
  maxDocumentChars: number;
  /** Lexical tokens in one document; stops the parser early on a huge document. */
  maxTokens: number;
  /** Bytes in one HTTP request body or WebSocket message. */
  maxRequestBytes: number;
  /** Concurrent operations on one WebSocket. */
  maxSubscriptionsPerSocket: number;
  /** Open WebSockets; an upgrade past this is answered 503. */
  maxConnections: number;
}

export const defaultServerLimits: ServerLimits = {
  maxDepth: 15,
  maxAliases: 30,
  maxFields: 1500,
  maxDocumentChars: 64 * 1024,
  maxTokens: 5000,
  maxRequestBytes: 1024 * 1024,
  maxSubscriptionsPerSocket: 100,
  maxConnections: 1000,
  ...defaultApiLimits,
};

export interface ServerOptions {
  graph: ResourceGraph;
  host: string;
  /** 0 picks a free port; the returned url shows the real one. */
  port: number;
  /** When set, /graphql on both transports requires `Authorization: Bearer <token>`. */
  token?: string | undefined;
  /** Serve without a token on a non-loopback address; refused otherwise. */
  allowUnauthenticated?: boolean | undefined;
  readiness: () => Readiness;
  apiResources?: (() => readonly ApiResourceInfo[]) | undefined;
  syncStatus?: (() => readonly TypeSyncStatus[]) | undefined;
  resync?: ((clusterId: string) => boolean | Promise<boolean>) | undefined;
  logger: Logger;
  /** Browser origins allowed to open the WebSocket; any origin when absent. */
  allowedOrigins?: readonly string[] | undefined;
  limits?: Partial<ServerLimits> | undefined;
  /** Where the server's metrics go, so the engine can add its own beside them; a fresh registry when absent. */
  registry?: Registry | undefined;
}
