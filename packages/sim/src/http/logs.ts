// pods/log: generated but stable lines per container, with tailLines, timestamps, limitBytes,
// sinceSeconds/sinceTime, previous and follow (a new line every so often until the client goes
// away or the pod is deleted).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { KubeObject } from "../object-api.js";
import { isPlainObject } from "../store/object-meta.js";
import { badRequest } from "../store/status-error.js";

export interface LogOptions {
  container?: string;
  follow: boolean;
  tailLines?: number;
  timestamps: boolean;
  limitBytes?: number;
  /** Only lines at or after this time (ms since the epoch), from sinceSeconds or sinceTime. */
  since?: number;
  /** The previous (terminated) instance's log, which exists only after a restart. */
  previous: boolean;
  /** How often a followed log gets a new line. */
  followIntervalMs: number;
  /** True while the pod still exists; a followed log ends when it is gone. */
  podExists(): boolean;
}

const HISTORY_LINES = 50;
const messages = [
  "GET /healthz 200",
  "handled request",
  "reconciled state",
  "cache synced",
  "connection accepted",
  "GET /metrics 200",
];

function restartCount(pod: KubeObject, container: string): number {
  const status = isPlainObject(pod.status) ? pod.status : {};
  const all = [
    ...(Array.isArray(status.containerStatuses) ? status.containerStatuses : []),
    ...(Array.isArray(status.initContainerStatuses) ? status.initContainerStatuses : []),
  ];
  const entry = all.find((candidate) => isPlainObject(candidate) && candidate.name === container);
  return isPlainObject(entry) && typeof entry.restartCount === "number" ? entry.restartCount : 0;
}

/** Which container's log to read, failing as the real server does when it is ambiguous or unknown. */
export function resolveContainer(pod: KubeObject, requested: string | undefined): string {
  const spec = isPlainObject(pod.spec) ? pod.spec : {};
  const names = (key: string) =>
    (Array.isArray(spec[key]) ? spec[key] : [])
      .map((container) =>
        isPlainObject(container) && typeof container.name === "string" ? container.name : "",
      )
      .filter(Boolean);
  const containers = names("containers");
  const all = [...names("initContainers"), ...containers, ...names("ephemeralContainers")];
  const podName = pod.metadata?.name ?? "";
  if (requested) {
    if (!all.includes(requested)) {
      throw badRequest(`container ${requested} is not valid for pod ${podName}`);
    }
    return requested;
  }
  if (containers.length === 1) return containers[0]!;
  const defaulted = pod.metadata?.annotations?.["kubectl.kubernetes.io/default-container"];
  if (defaulted && containers.includes(defaulted)) return defaulted;
  if (containers.length === 0) throw badRequest(`pod ${podName} has no containers`);
  throw badRequest(
    `a container name must be specified for pod ${podName}, choose one of: [${containers.join(" ")}]`,
  );
}

function line(pod: KubeObject, container: string, index: number, at: Date, timestamps: boolean): string {
  const text = `${container} ${messages[index % messages.length]} seq=${index} pod=${pod.metadata?.name ?? ""}`;
  return timestamps ? `${at.toISOString().replace("Z", "000000Z")} ${text}\n` : `${text}\n`;
}

export function serveLogs(
  req: IncomingMessage,
  res: ServerResponse,
  pod: KubeObject,
  options: LogOptions,
): void {
  const container = resolveContainer(pod, options.container);
  if (options.previous && restartCount(pod, container) === 0) {
    throw badRequest(
      `previous terminated container "${container}" in pod "${pod.metadata?.name ?? ""}" not found`,
    );
  }
  // The history ends now and starts no earlier than the pod itself.
  const now = Date.now();
  const created = Date.parse(pod.metadata?.creationTimestamp ?? "") || now - HISTORY_LINES * 1000;
  const started = Math.min(now, Math.max(created, now - HISTORY_LINES * 1000));
  const step = (now - started) / HISTORY_LINES;
  const count =
    options.tailLines === undefined ? HISTORY_LINES : Math.min(HISTORY_LINES, Math.max(0, options.tailLines));
  let text = "";
  for (let i = HISTORY_LINES - count; i < HISTORY_LINES; i++) {
    const at = Math.round(started + (i + 1) * step);
    if (options.since !== undefined && at < options.since) continue;
    text += line(pod, container, i, new Date(at), options.timestamps);
  }
  if (options.limitBytes !== undefined)
    text = Buffer.from(text).subarray(0, options.limitBytes).toString("utf8");
  res.writeHead(200, {
    "Content-Type": "text/plain",
    "Cache-Control": "no-cache, private",
    "Transfer-Encoding": "chunked",
  });
  if (!options.follow) {
    res.end(text);
    return;
  }
  res.write(text);
  let next = HISTORY_LINES;
  const timer = setInterval(() => {
    if (!options.podExists()) {
      clearInterval(timer);
      res.end();
      return;
    }
    res.write(line(pod, container, next++, new Date(), options.timestamps));
  }, options.followIntervalMs);
  timer.unref();
  req.on("close", () => clearInterval(timer));
  res.on("close", () => clearInterval(timer));
}
