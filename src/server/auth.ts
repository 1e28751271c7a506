import { timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

/** The cookie a browser (GraphiQL, Meshery UI) can carry the token in, since it cannot set upgrade headers. */
export const tokenCookie = "meshsync_token";

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `Bearer T` → T; the bare token is accepted too, as connectionParams often carry it. */
function bearerToken(value: string): string {
  const match = /^Bearer\s+(.+)$/i.exec(value.trim());
  return match ? match[1]!.trim() : value.trim();
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export type Credential = "valid" | "invalid" | "absent";

/** Judges the credential an HTTP request or WebSocket upgrade carries: Authorization header, then cookie. */
export function credentialOfHeaders(headers: IncomingHttpHeaders, token: string): Credential {
  const authorization = headers.authorization;
  if (authorization !== undefined) return sameSecret(bearerToken(authorization), token) ? "valid" : "invalid";
  const cookie = cookieValue(headers.cookie, tokenCookie);
  if (cookie !== undefined) return sameSecret(cookie, token) ? "valid" : "invalid";
  return "absent";
}

/** Judges graphql-ws connectionParams: `authorization` (or `Authorization`) as `Bearer T` or T. */
export function credentialOfConnectionParams(params: unknown, token: string): Credential {
  if (params === null || typeof params !== "object") return "absent";
  const record = params as Record<string, unknown>;
  const value = record.authorization ?? record.Authorization;
  if (value === undefined) return "absent";
  return typeof value === "string" && sameSecret(bearerToken(value), token) ? "valid" : "invalid";
}
