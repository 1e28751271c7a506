import { describe, expect, it } from "vitest";
import { describeProgress, ProgressReporter, StatusLine } from "../../src/commands/progress/index.js";
import type { SyncProgress } from "../../src/kube/index.js";

const start: SyncProgress = {
  clustersDiscovered: 0,
  clustersTotal: 1,
  typesSynced: 0,
  typesForbidden: 0,
  typesTotal: 0,
  objects: 0,
};

/** A sync the test moves by hand, on a clock the test moves by hand. */
function scripted() {
  const state = { now: 1_000_000, progress: { ...start }, finished: false };
  const logged: { fields: Record<string, unknown>; message: string }[] = [];
  const logger = {
    info: (fields: object, message: string) => logged.push({ fields: { ...fields }, message }),
  };
  const options = {
    progress: () => state.progress,
    finished: () => state.finished,
    logger,
    since: state.now,
    now: () => state.now,
  };
  const advance = (ms: number, progress: Partial<SyncProgress>) => {
    state.now += ms;
    state.progress = { ...state.progress, ...progress };
  };
  return { state, logged, options, advance };
}

/** What a terminal shows: every write, in order. */
function terminal(columns = 200) {
  const writes: string[] = [];
  const line = new StatusLine({ write: (text: string) => writes.push(text) }, () => columns);
  return { writes, line };
}

describe("the progress reporter, logging (no terminal)", () => {
  it("logs counts and the rate over the last five seconds, then one line when the sync is done", () => {
    const { state, logged, options, advance } = scripted();
    const reporter = new ProgressReporter(options);

    advance(5_000, { clustersDiscovered: 1, typesTotal: 40, typesSynced: 10, objects: 20_000 });
    reporter.tick();
    advance(5_000, { typesSynced: 30, objects: 30_000 });
    reporter.tick();
    advance(2_500, { typesSynced: 40, objects: 31_000 });
    state.finished = true;
    reporter.tick();
    advance(5_000, {});
    reporter.tick();

    expect(logged).toEqual([
      {
        message: "sync progress",
        fields: {
          clustersDiscovered: 1,
          clustersTotal: 1,
          typesSynced: 10,
          typesForbidden: 0,
          typesTotal: 40,
          objects: 20_000,
          objectsPerSecond: 4_000,
        },
      },
      {
        message: "sync progress",
        fields: {
          clustersDiscovered: 1,
          clustersTotal: 1,
          typesSynced: 30,
          typesForbidden: 0,
          typesTotal: 40,
          objects: 30_000,
          objectsPerSecond: 2_000,
        },
      },
      {
        message: "first sync finished",
        fields: {
          clustersDiscovered: 1,
          clustersTotal: 1,
          typesSynced: 40,
          typesForbidden: 0,
          typesTotal: 40,
          objects: 31_000,
          seconds: 12.5,
          objectsPerSecond: 2_480,
        },
      },
    ]);
  });

  it("looks often but logs every five seconds, and says the end when it comes", () => {
    const { state, logged, options, advance } = scripted();
    const reporter = new ProgressReporter(options);
    advance(0, { clustersDiscovered: 1, typesTotal: 4 });
    for (let i = 0; i < 23; i++) {
      advance(250, { objects: (i + 1) * 100 });
      reporter.tick();
    }
    expect(logged.map((entry) => [entry.message, entry.fields.objects])).toEqual([["sync progress", 2000]]);
    state.finished = true;
    advance(250, { typesSynced: 4 });
    reporter.tick();
    expect(logged.at(-1)).toMatchObject({ message: "first sync finished", fields: { seconds: 6 } });
  });

  it("stays quiet until discovery has named the types", () => {
    const { logged, options, advance } = scripted();
    const reporter = new ProgressReporter(options);
    advance(5_000, {});
    reporter.tick();
    advance(5_000, { clustersDiscovered: 1, typesTotal: 3 });
    reporter.tick();
    expect(logged.map((entry) => [entry.message, entry.fields.typesTotal])).toEqual([["sync progress", 3]]);
  });

  it("says nothing more once stopped at shutdown", () => {
    const { logged, options, advance } = scripted();
    const reporter = new ProgressReporter(options);
    reporter.stop();
    advance(5_000, { clustersDiscovered: 1, typesTotal: 3 });
    reporter.tick();
    expect(logged).toEqual([]);
  });
});

describe("the progress reporter on a terminal", () => {
  it("draws one line in place, erased before each update, and takes it away when the sync is done", () => {
    const { state, logged, options, advance } = scripted();
    const { writes, line } = terminal();
    const reporter = new ProgressReporter({ ...options, statusLine: line });

    advance(250, {});
    reporter.tick();
    advance(250, { clustersDiscovered: 1, typesTotal: 130 });
    reporter.tick();
    advance(4_500, { typesSynced: 57, objects: 120_345 });
    reporter.tick();
    state.finished = true;
    advance(250, { typesSynced: 130, objects: 240_000 });
    reporter.tick();

    expect(writes).toEqual([
      "\r\x1b[2Ksyncing: discovering resource types",
      "\r\x1b[2Ksyncing: 0/130 types listed, 0 objects, 0 objects/s",
      "\r\x1b[2Ksyncing: 57/130 types listed, 120,345 objects, 24,069 objects/s",
      "\r\x1b[2K",
    ]);
    // Logs go through the logger, which writes above the line; the reporter logs only the end.
    expect(logged.map((entry) => entry.message)).toEqual(["first sync finished"]);
  });
});

describe("describeProgress", () => {
  const sample = { ...start, clustersDiscovered: 1, typesTotal: 10, typesSynced: 4, objectsPerSecond: 1_500 };

  it("says what is being waited for before there are types to count", () => {
    expect(describeProgress({ ...sample, clustersTotal: 0, clustersDiscovered: 0, typesTotal: 0 })).toBe(
      "syncing: waiting for a cluster to answer",
    );
    expect(describeProgress({ ...sample, clustersDiscovered: 0, typesTotal: 0 })).toBe(
      "syncing: discovering resource types",
    );
  });

  it("names forbidden types and clusters still being discovered when there are any", () => {
    expect(describeProgress({ ...sample, typesForbidden: 2, clustersTotal: 3, objects: 1_234_567 })).toBe(
      "syncing: 4/10 types listed, 1,234,567 objects, 1,500 objects/s, 2 forbidden, 1/3 clusters discovered",
    );
  });
});

describe("StatusLine", () => {
  it("writes log lines above the line it shows, drawing it again below them", () => {
    const { writes, line } = terminal();
    line.write("first log line\n");
    line.show("syncing: 1/2 types listed");
    line.write("a log line\n");
    line.clear();
    line.clear();
    line.write("after\n");
    expect(writes).toEqual([
      "first log line\n",
      "\r\x1b[2Ksyncing: 1/2 types listed",
      "\r\x1b[2Ka log line\nsyncing: 1/2 types listed",
      "\r\x1b[2K",
      "after\n",
    ]);
  });

  it("cuts the line to the terminal's width, so that it never wraps", () => {
    const { writes, line } = terminal(12);
    line.show("syncing: 57/130 types listed");
    expect(writes).toEqual(["\r\x1b[2Ksyncing: 5…"]);
    expect("syncing: 5…".length).toBeLessThan(12);
  });

  it("takes a terminal that gives no width for 80 columns", () => {
    const { writes, line } = terminal(0);
    line.show("x".repeat(100));
    expect(writes).toEqual([`\r\x1b[2K${"x".repeat(78)}…`]);
  });
});
