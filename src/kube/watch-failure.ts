// What to do when a watch fails, after client-go's Reflector (watch, handleWatch and
// isWatchErrorRetriable): only failures that say the server is busy or briefly down are worth
// re-watching from the same resourceVersion; anything else may mean that resourceVersion will never
// work again, and a relist is the only way to know the picture is whole.
import {
  isConnectionRefused,
  isGone,
  isInternalError,
  isTooLargeResourceVersion,
  isTooManyRequests,
  KubeApiError,
} from "./errors.js";

/**
 * - relist: the resourceVersion is unusable; list again (the reflector decides whether to wait).
 * - rewatch: wait, then watch again from the same resourceVersion.
 * - relist-after-wait: wait, then list again.
 */
export type WatchRecovery = "relist" | "rewatch" | "relist-after-wait";

export type WatchFailureKind =
  | "expired"
  | "too-many-requests"
  | "internal-error"
  | "connection-refused"
  | "connection-lost"
  | "other";

export interface WatchFailureContext {
  /** Whether the watch had opened (the failure came from its stream, not its request). */
  opened: boolean;
  /** InternalError re-watches in a row so far, with nothing delivered in between. */
  internalErrorRetries: number;
}

// client-go retries internal errors only for a bounded stretch; past it the server is not having a
// passing hiccup and a relist is the safer way back.
export const MAX_INTERNAL_ERROR_RETRIES = 3;

/** A stream that closed cleanly the moment it opened, with nothing in it: the server refusing to watch. */
export class ShortWatchError extends Error {
  override name = "ShortWatchError";
}

export function classifyWatchFailure(error: unknown, context: WatchFailureContext): WatchFailureKind {
  if (isGone(error) || isTooLargeResourceVersion(error)) return "expired";
  if (isTooManyRequests(error)) return "too-many-requests";
  if (isInternalError(error)) return "internal-error";
  if (!context.opened && isConnectionRefused(error)) return "connection-refused";
  // A stream cut mid-way is how a connection ends (a proxy timeout, a server restart); the
  // resourceVersion it stopped at is still good.
  if (context.opened && !(error instanceof KubeApiError) && !(error instanceof ShortWatchError)) {
    return "connection-lost";
  }
  return "other";
}

export function watchRecovery(kind: WatchFailureKind, context: WatchFailureContext): WatchRecovery {
  switch (kind) {
    case "expired":
      return "relist";
    case "too-many-requests":
    case "connection-refused":
    case "connection-lost":
      return "rewatch";
    case "internal-error":
      return context.internalErrorRetries < MAX_INTERNAL_ERROR_RETRIES ? "rewatch" : "relist-after-wait";
    case "other":
      return "relist-after-wait";
  }
}
