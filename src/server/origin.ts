import type { IncomingMessage } from "node:http";
import { type HostPolicy, hostAllowed } from "./host.js";

/**
 * Whether a browser origin may use /graphql. Requests without an Origin (curl, servers, the test client)
 * and same-origin requests (GraphiQL served from here) always may; other origins only when listed.
 * With no list, no other origin may: CORS does not guard a WebSocket, so any page the operator opened
 * could otherwise read the whole graph over ws://127.0.0.1. "Same origin" compares Origin with the Host
 * header, which a DNS rebinding page controls, so the Host must pass the host policy first.
 */
export function originAllowed(
  request: IncomingMessage,
  allowedOrigins: readonly string[] | undefined,
  hosts: HostPolicy,
): boolean {
  if (!hostAllowed(request, hosts)) return false;
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (allowedOrigins?.includes(origin)) return true;
  const host = request.headers.host;
  return host !== undefined && (origin === `http://${host}` || origin === `https://${host}`);
}
