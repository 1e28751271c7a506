// Errors the engine tells apart, because each calls for a different reaction: 410 (or a
// resourceVersion the server has not reached) means relist, 429 means wait as long as the server
// asks, everything else means back off and retry.

/** One entry of a Status's details.causes. */
export interface StatusCause {
  reason?: string;
  message?: string;
}

/** A non-2xx answer from the API server, with what the Status body said when it said anything. */
export class KubeApiError extends Error {
  readonly status: number;
  readonly reason: string | undefined;
  /** Seconds from Retry-After (header or Status details), when the server gave one. */
  readonly retryAfterSeconds: number | undefined;
  readonly causes: readonly StatusCause[];

  constructor(
    status: number,
    message: string,
    reason?: string,
    retryAfterSeconds?: number,
    causes: readonly StatusCause[] = [],
  ) {
    super(message);
    this.name = "KubeApiError";
    this.status = status;
    this.reason = reason;
    this.retryAfterSeconds = retryAfterSeconds;
    this.causes = causes;
  }
}

/** A watch stream that has nothing to replay from our resourceVersion: only a relist recovers. */
export function isGone(error: unknown): boolean {
  return error instanceof KubeApiError && (error.status === 410 || error.reason === "Expired");
}

/**
 * We asked to watch from a resourceVersion the server has not reached (e.g. after it was restored
 * from a backup): waiting will not help, only a fresh list. Old servers say so only in the text.
 */
export function isTooLargeResourceVersion(error: unknown): boolean {
  if (!(error instanceof KubeApiError)) return false;
  if (error.causes.some((cause) => cause.reason === "ResourceVersionTooLarge")) return true;
  if (error.status !== 504 && error.reason !== "Timeout") return false;
  const text = "Too large resource version";
  return error.causes.some((cause) => cause.message === text) || error.message.includes(text);
}

export function isTooManyRequests(error: unknown): boolean {
  return error instanceof KubeApiError && (error.status === 429 || error.reason === "TooManyRequests");
}

/** A 500 with no reason is what a server (or proxy) sends for an internal error without a Status. */
export function isInternalError(error: unknown): boolean {
  if (!(error instanceof KubeApiError)) return false;
  return error.reason === "InternalError" || (error.status === 500 && error.reason === undefined);
}

/** Nothing listens at the server's address: it is most likely restarting. */
export function isConnectionRefused(error: unknown, depth = 0): boolean {
  // The depth bound guards against a cause chain that loops back on itself.
  if (!isRecord(error) || depth > 4) return false;
  if (error.code === "ECONNREFUSED") return true;
  // Connecting to every address of a host fails as an AggregateError, a wrapped failure as its cause.
  if (Array.isArray(error.errors) && error.errors.some((inner) => isConnectionRefused(inner, depth + 1))) {
    return true;
  }
  return isConnectionRefused(error.cause, depth + 1);
}

/**
 * The request got no answer at all: refused, reset, cut mid-stream, timed out, unresolvable, or the
 * TLS handshake failed. Node marks each of these with a code somewhere in the cause chain; our own
 * aborts (ABORT_ERR) are not failures, and an HTTP status is an answer.
 */
export function isTransportFailure(error: unknown, depth = 0): boolean {
  if (error instanceof KubeApiError || !isRecord(error) || depth > 4) return false;
  if (typeof error.code === "string" && error.code !== "ABORT_ERR") return true;
  if (Array.isArray(error.errors) && error.errors.some((inner) => isTransportFailure(inner, depth + 1))) {
    return true;
  }
  return isTransportFailure(error.cause, depth + 1);
}

export function retryAfterMs(error: unknown): number | undefined {
  if (error instanceof KubeApiError && error.retryAfterSeconds !== undefined) {
    return error.retryAfterSeconds * 1000;
  }
  return undefined;
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Reads a Kubernetes Status object (from a body or an ERROR watch event) into a KubeApiError. */
export function kubeErrorFromStatus(
  status: unknown,
  fallbackCode: number,
  retryAfterHeader?: string,
): KubeApiError {
  const record = isRecord(status) ? status : {};
  const code = typeof record.code === "number" ? record.code : fallbackCode;
  const reason = typeof record.reason === "string" ? record.reason : undefined;
  const message =
    typeof record.message === "string" && record.message !== ""
      ? record.message
      : `API server answered ${code}${reason ? ` (${reason})` : ""}`;
  const details = isRecord(record.details) ? record.details : {};
  let retryAfter = parseRetryAfter(retryAfterHeader);
  if (retryAfter === undefined && typeof details.retryAfterSeconds === "number") {
    retryAfter = details.retryAfterSeconds;
  }
  return new KubeApiError(code, message, reason, retryAfter, causesOf(details.causes));
}

function causesOf(value: unknown): StatusCause[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isRecord).map((cause) => ({
    reason: typeof cause.reason === "string" ? cause.reason : undefined,
    message: typeof cause.message === "string" ? cause.message : undefined,
  }));
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
