// The NATS output as Prometheus gauges, read from its status at scrape time: whether Meshery's broker
// is reachable, what waits for it, and what was dropped, so an outage shows before Meshery notices.
import { Gauge, type Registry } from "prom-client";
import type { NatsOutput, NatsOutputStatus } from "./types.js";

const gauges: readonly [name: string, help: string, value: (status: NatsOutputStatus) => number][] = [
  ["meshsync_nats_connected", "1 while the connection to a NATS server is up.", (s) => (s.connected ? 1 : 0)],
  [
    "meshsync_nats_buffered_messages",
    "Messages waiting for NATS (while it is away or slow).",
    (s) => s.buffered,
  ],
  ["meshsync_nats_buffered_bytes", "Bytes of the messages waiting for NATS.", (s) => s.bufferedBytes],
  ["meshsync_nats_unconfirmed_messages", "Messages handed to NATS and not yet confirmed.", (s) => s.inFlight],
  ["meshsync_nats_published_messages", "Messages published since start.", (s) => s.published],
  [
    "meshsync_nats_dropped_messages",
    "Messages dropped: the buffer overflowed, or one was too large.",
    (s) => s.dropped,
  ],
  [
    "meshsync_nats_overflows",
    "Times the buffer overflowed and Meshery was sent a RESYNC.",
    (s) => s.overflows,
  ],
  [
    "meshsync_nats_deduplicated_changes",
    "Changes not published because their content had not changed.",
    (s) => s.deduplicated,
  ],
  ["meshsync_nats_reconnects", "Times the connection came back after a loss.", (s) => s.reconnects],
  ["meshsync_nats_log_streams", "Pod log streams relayed to NATS now.", (s) => s.logStreams],
  ["meshsync_nats_exec_sessions", "Exec sessions relayed to NATS now.", (s) => s.execSessions],
];

export function registerNatsMetrics(registry: Registry, output: NatsOutput): void {
  // One status per scrape, so the gauges agree with each other.
  let scraped: NatsOutputStatus | undefined;
  let scrapedAt = -1;
  const status = () => {
    const now = Date.now();
    if (scraped === undefined || now - scrapedAt > 50) {
      scraped = output.status();
      scrapedAt = now;
    }
    return scraped;
  };
  for (const [name, help, value] of gauges) {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(value(status()));
      },
    });
  }
}
