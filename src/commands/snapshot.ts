// `meshsync snapshot`: one full sync, then MeshSync's YAML snapshot of every object, then exit.
import {
  ConfigError,
  checkText,
  resolveServeOptions,
  type ServeFlags,
  settingTypes,
} from "../config/index.js";
import { writeSnapshotFile } from "../outputs/index.js";
import { openConsole } from "./console.js";
import { startSyncSession } from "./sync-session.js";

/** serve's cluster and selection flags, with --output naming the file as MeshSync's --outputFile does. */
export interface SnapshotFlags
  extends Pick<
    ServeFlags,
    | "kubeconfig"
    | "context"
    | "allContexts"
    | "sim"
    | "revealSecrets"
    | "whitelist"
    | "blacklist"
    | "outputNamespaces"
    | "outputResources"
    | "logLevel"
    | "logFormat"
    | "config"
  > {
  output?: unknown;
  timeout?: unknown;
}

/** A cluster that never finishes its first list would keep a snapshot waiting for ever. */
const defaultTimeoutMs = 10 * 60_000;
const timeoutType = settingTypes.duration(24 * 3_600_000);

export async function runSnapshot(flags: SnapshotFlags): Promise<void> {
  const { output, timeout, ...rest } = flags;
  const limitMs = timeout === undefined ? defaultTimeoutMs : checkText(timeoutType, timeout, "--timeout");
  const options = resolveServeOptions({
    ...rest,
    // Still, so that what is written is one moment of the demo cluster when that is what runs.
    simChurn: "0",
    output: "file",
    ...(output === undefined ? {} : { outputFile: output }),
  });
  const { logger } = openConsole(options);
  const session = await startSyncSession(options, logger);
  if (session.source.notice) logger.info(session.source.notice);
  try {
    const timer = AbortSignal.timeout(limitMs);
    await session.firstSync(timer).catch(() => {
      throw new ConfigError(
        `no snapshot: the first sync did not finish within ${limitMs / 1000} s (${session.connector.notReadyReason() ?? "unknown"})`,
      );
    });
    const written = await writeSnapshotFile(session.graph.all(), {
      ...(options.outputFile === undefined ? {} : { path: options.outputFile }),
    });
    process.stdout.write(`snapshot of ${written.objects} objects written to ${written.path}\n`);
  } finally {
    await session.stop();
  }
}
