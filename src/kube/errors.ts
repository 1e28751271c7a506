// Errors the engine tells apart, because each calls for a different reaction: 410 means relist,
// 429 means wait as long as the server asks, everything else means back off and retry.

/** A non-2xx answer from the API server, with what the Status body said when it said anything. */
export class KubeApiError extends Error {
  readonly status: number;
  readonly reason: string | undefined;
  /** Seconds from Retry-After (header or Status details), when the server gave one. */
  readonly retryAfterSeconds: number | undefined;

  constructor(status: number, message: string, reason?: string, retryAfterSeconds?: number) {
    super(message);
    this.name = "KubeApiError";
    this.status = status;
    this.reason = reason;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A watch stream that has nothing to replay from our resourceVersion: only a relist recovers. */
export function isGone(error: unknown): boolean {
  return error instanceof KubeApiError && (error.status === 410 || error.reason === "Expired");
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
  return new KubeApiError(code, message, reason, retryAfter);
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
