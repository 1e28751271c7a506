import type { IncomingMessage } from "node:http";

/**
 * Whether a browser origin may use /graphql. Requests without an Origin (curl, servers, the test client)
 * and same-origin requests (GraphiQL served from here) always may; other origins only when listed.
 * With no list configured any origin may (cross-origin reads are still closed by CORS).
 */
export function originAllowed(
  request: IncomingMessage,
  allowedOrigins: readonly string[] | undefined,
): boolean {
  const origin = request.headers.origin;
  if (allowedOrigins === undefined || origin === undefined) return true;
  if (allowedOrigins.includes(origin)) return true;
  const host = request.headers.host;
  return host !== undefined && (origin === `http://${host}` || origin === `https://${host}`);
}
