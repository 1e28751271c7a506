import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";

/** Which Host headers a server answers: the defence against DNS rebinding. */
export interface HostPolicy {
  /** Host names besides loopback names and IP addresses; ".example.com" allows it and its subdomains. */
  allowedHosts: readonly string[];
  /** With a token, every host is answered: a rebinding page can carry neither the token nor its cookie. */
  tokenRequired: boolean;
}

/** The host name of a Host header, without port, brackets or a trailing dot, in lower case. */
export function hostNameOf(header: string): string {
  const value = header.trim().toLowerCase();
  if (value.startsWith("[")) {
    const end = value.indexOf("]");
    return end < 0 ? value : value.slice(1, end);
  }
  const colon = value.lastIndexOf(":");
  const name = colon < 0 ? value : value.slice(0, colon);
  return name.endsWith(".") ? name.slice(0, -1) : name;
}

function isLoopbackName(name: string): boolean {
  return name === "localhost" || name.endsWith(".localhost");
}

function listed(name: string, allowedHosts: readonly string[]): boolean {
  return allowedHosts.some((entry) => {
    const allowed = entry.toLowerCase();
    if (!allowed.startsWith(".")) return name === allowed;
    return name === allowed.slice(1) || name.endsWith(allowed);
  });
}

/**
 * Whether a request's Host names this server. A DNS rebinding page is served from the attacker's
 * name, which the attacker then points at 127.0.0.1: its requests reach the server with
 * `Host: evil.example`, and its Origin matches that Host, so neither CORS nor a same-origin check
 * stops it. Without a token the server therefore answers only loopback names, IP addresses (a
 * rebinding needs a name: an address in the URL bar is the page's own origin) and the names the
 * operator listed, as Vite's dev server does. A request without a Host header does not come from a
 * browser and is answered.
 */
export function hostAllowed(request: IncomingMessage, policy: HostPolicy): boolean {
  if (policy.tokenRequired) return true;
  const header = request.headers.host;
  if (header === undefined) return true;
  const name = hostNameOf(header);
  return isLoopbackName(name) || isIP(name) !== 0 || listed(name, policy.allowedHosts);
}
