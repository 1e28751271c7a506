// The `meshsync` command line: parses arguments and hands each command to src/commands. The commands
// (and the engine, server and simulator behind them) are imported only once one runs, so that
// --help, --version and a mistyped flag answer in the time Node takes to start.
import { Command, CommanderError, Option } from "commander";
import type { SimFlags, SnapshotFlags } from "./commands/index.js";
import type { ServeFlags } from "./config/index.js";
import { packageVersion } from "./version.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Exit status for a mistake in what the user gave (flags, environment, config file), as commander's usage errors. */
const usageStatus = 2;

const commands = () => import("./commands/index.js");

const program = new Command()
  .name("meshsync")
  .description("Keeps a live, typed picture of Kubernetes clusters and serves it over GraphQL.")
  .version(packageVersion(), "-V, --version", "print the version")
  // Commander's own mistakes (an unknown option, a missing value) are reported below, as one line.
  .exitOverride()
  .configureOutput({ outputError: () => {} });

/** MeshSync's own flag spellings, which Meshery's deployments pass; each stores what its kebab twin does. */
const meshSyncSpellings = [
  "--outputNamespaces <names>",
  "--outputResources <kinds>",
  "--outputFile <path>",
  "--stopAfter <duration>",
];

const serve = program
  .command("serve")
  .description(
    "Sync one or more clusters and serve them: /graphql (GraphiQL in a browser, graphql-ws on the same path), " +
      "/healthz, /readyz, /metrics. With no kubeconfig (and not in a pod) it serves the embedded simulator.",
  )
  .option(
    "--kubeconfig <path>",
    "kubeconfig file (default: KUBECONFIG, then ~/.kube/config, then in-cluster)",
  )
  .option(
    "--context <name>",
    "a kubeconfig context to sync; repeat for several (default: the current one)",
    collect,
  )
  .option("--all-contexts", "sync every context in the kubeconfig")
  .option("--sim", "serve the embedded Kubernetes simulator even when a kubeconfig exists")
  .option("--sim-churn <n>", "changes a second the embedded simulator makes (default 3, 0 for none)")
  .option("--host <host>", "address to bind (default 127.0.0.1; others need --token or --insecure)")
  .option("--port <port>", "port to bind, 0 for a free one (default 8080)")
  .option("--token <token>", "require `Authorization: Bearer <token>` on /graphql (env MESHSYNC_TOKEN)")
  .option("--insecure", "allow a non-loopback bind without a token")
  .option("--reveal-secrets", "keep Secret data in the graph (redacted by default)")
  .option(
    "--retained-change-bytes <n>",
    "bytes of heap the window of recent changes (resume, changes, history) may keep alive (default 64 MiB)",
  )
  .option("--retained-changes <n>", "the most changes that window holds, a safety bound (default 5,000,000)")
  .option(
    "--allowed-origin <origin>",
    "also accept browsers from this Origin (same-origin always works); repeatable",
    collect,
  )
  .option(
    "--allowed-host <host>",
    "without a token, also answer requests for this host name (loopback names and IP addresses always " +
      'work; ".example.com" allows its subdomains); repeatable',
    collect,
  )
  .option("--log-level <level>", "trace, debug, info, warn or error (env MESHSYNC_LOG_LEVEL)")
  .option(
    "--log-format <format>",
    "json or pretty (env MESHSYNC_LOG_FORMAT; default: pretty on a terminal, JSON otherwise)",
  )
  .option("--whitelist <types>", "watch only these types, e.g. pods.v1.,deployments.v1.apps")
  .option("--blacklist <types>", "watch everything but these types")
  .option("--include-events", "also watch Events (left out by default: high churn, little state)")
  .option(
    "--output-namespaces <names>",
    "keep only namespaced objects in these namespaces (comma-separated; also --outputNamespaces)",
  )
  .option(
    "--output-resources <kinds>",
    "keep only these types, e.g. pod,deployment (comma-separated; also --outputResources)",
  )
  .option(
    "--output <mode>",
    "also publish to NATS for Meshery Server (broker: needs --broker-url or BROKER_URL), or write a " +
      "YAML snapshot of what was synced when the run ends (file)",
  )
  .option(
    "--output-file <path>",
    "file mode's snapshot (default meshery-cluster-snapshot-YYYYMMDD-NN.yaml; also --outputFile)",
  )
  .option("--stop-after <duration>", "end the run after this long, e.g. 8s or 5m (also --stopAfter)")
  .option("--broker-url <urls>", "NATS server(s) for broker mode, comma-separated (env BROKER_URL)")
  .option("--health-port <port>", "broker mode's /healthz and /readyz port (default 11000, 0 for a free one)")
  .option(
    "--broker-content-dedup",
    "publish an object to NATS only when its content changed (env MESHSYNC_BROKER_CONTENT_DEDUP)",
  )
  .option(
    "--to-nats <urls>",
    "replicate this watcher's one cluster into a NATS JetStream stream, for gateways (env MESHSYNC_TO_NATS)",
  )
  .option(
    "--leader-elect",
    "with --to-nats: only the holder of a coordination.k8s.io Lease watches and publishes; standbys serve the stream",
  )
  .option("--lease-name <name>", "the Lease to elect over (default meshsync)")
  .option(
    "--lease-namespace <namespace>",
    "the Lease's namespace (default: the pod's, else the kubeconfig context's, else default)",
  )
  .option(
    "--identity <id>",
    "this replica's holder identity (default: POD_NAME, else host name and a random suffix)",
  )
  .option(
    "--lease-duration <duration>",
    "how long a standby waits before taking an unrenewed Lease (default 15s)",
  )
  .option("--renew-deadline <duration>", "how long a leader keeps leading without renewing (default 10s)")
  .option("--retry-period <duration>", "how often the Lease is renewed or tried (default 2s)")
  .option("--stream-replicas <n>", "copies a clustered JetStream keeps of the cluster's streams (default 1)")
  .option(
    "--from-nats <urls>",
    "gateway: build the graph from the clusters' JetStream streams, watch nothing (env MESHSYNC_FROM_NATS)",
  )
  .option(
    "--max-lag <duration>",
    "a gateway or standby further than this behind its stream answers /readyz with 503 (default 10s)",
  )
  .option(
    "--stall-timeout <seconds>",
    "restart a watch that has sent nothing, not even a bookmark, for this long",
  )
  .option("--config <file>", "YAML file with any of these options (flags win over it)");
for (const spelling of meshSyncSpellings) serve.addOption(new Option(spelling).hideHelp());
serve.action(async (flags: ServeFlags) => (await commands()).runServe(flags));

program
  .command("snapshot")
  .description(
    "Sync once, write every object as MeshSync's YAML snapshot (KubernetesResource documents), and exit. " +
      "With no kubeconfig (and not in a pod) it snapshots the embedded simulator.",
  )
  .option(
    "--kubeconfig <path>",
    "kubeconfig file (default: KUBECONFIG, then ~/.kube/config, then in-cluster)",
  )
  .option("--context <name>", "a kubeconfig context to snapshot; repeat for several", collect)
  .option("--all-contexts", "snapshot every context in the kubeconfig")
  .option("--sim", "snapshot the embedded Kubernetes simulator even when a kubeconfig exists")
  .option("--output <file>", "the snapshot file (default meshery-cluster-snapshot-YYYYMMDD-NN.yaml)")
  .option("--timeout <duration>", "give up when the first sync takes longer, e.g. 90s (default 10m)")
  .option("--reveal-secrets", "keep Secret data (redacted by default; env MESHSYNC_REDACT_SECRETS=false)")
  .option("--whitelist <types>", "snapshot only these types, e.g. pods.v1.,deployments.v1.apps")
  .option("--blacklist <types>", "snapshot everything but these types")
  .option("--output-namespaces <names>", "keep only namespaced objects in these namespaces (comma-separated)")
  .option("--output-resources <kinds>", "keep only these types, e.g. pod,deployment (comma-separated)")
  .option("--log-level <level>", "trace, debug, info, warn or error (env MESHSYNC_LOG_LEVEL)")
  .option("--log-format <format>", "json or pretty (env MESHSYNC_LOG_FORMAT)")
  .option("--config <file>", "YAML file with serve's options (flags win over it)")
  .action(async (flags: SnapshotFlags) => (await commands()).runSnapshot(flags));

program
  .command("sim")
  .description("Run the Kubernetes API simulator on its own; kubectl and meshsync can both talk to it.")
  .option("--host <host>", "address to bind", "127.0.0.1")
  .option("--port <port>", "port to bind, 0 for a free one", "0")
  .option(
    "--scenario <name|file>",
    "cluster to generate: a scenario name or a YAML/JSON file of objects",
    "demo",
  )
  .option("--seed <n>", "seed for the generated cluster", "1")
  .option("--churn <n>", "changes per second across kinds, as controllers would make them", "0")
  .option("--kubeconfig-out <path>", "write a kubeconfig that points kubectl at the simulator")
  .option(
    "--fault <json>",
    'inject a fault from the start, e.g. \'{"action":"fail","status":500,"count":5}\'; repeatable. ' +
      "At run time: POST the same JSON to /sim/faults",
    collect,
  )
  .action(async (flags: SimFlags) => (await commands()).runSim(flags));

try {
  await program.parseAsync(goFlagSpellings(process.argv));
} catch (error) {
  const failure = await describeFailure(error);
  if (failure.text !== "") process.stderr.write(`meshsync: ${failure.text}\n`);
  process.exit(failure.status);
}

/**
 * One line for the user's mistakes (status 2) and for failures the environment explains, such as a
 * port in use (status 1); a stack only for what is a bug in meshsync.
 */
async function describeFailure(error: unknown): Promise<{ text: string; status: number }> {
  if (error instanceof CommanderError) {
    // --help and --version end here too, with status 0 and their text already printed.
    if (error.exitCode === 0) return { text: "", status: 0 };
    return { text: oneLine(error.message.replace(/^error: /, "")), status: usageStatus };
  }
  // Any other failure comes from a command, which has loaded the settings module already.
  const { ConfigError } = await import("./config/index.js");
  if (error instanceof ConfigError) return { text: oneLine(error.message), status: usageStatus };
  if (error instanceof Error && typeof (error as NodeJS.ErrnoException).code === "string")
    return { text: oneLine(error.message), status: 1 };
  if (error instanceof Error) return { text: error.stack ?? error.message, status: 1 };
  return { text: String(error), status: 1 };
}

/**
 * Go's flag package takes `-output broker` and `-outputFile=x` with one dash, and MeshSync's manifests
 * spell them so; commander needs two. Only MeshSync's own long names are rewritten.
 */
function goFlagSpellings(argv: string[]): string[] {
  const goNames = /^-(output|outputFile|outputNamespaces|outputResources|stopAfter|broker-url)(=.*)?$/;
  return argv.map((arg, i) => (i >= 2 && goNames.test(arg) ? `-${arg}` : arg));
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}
