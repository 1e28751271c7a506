import { describe, expect, it } from "vitest";
import {
  OrderedWriter,
  type OrderedWriterEvents,
  type WriteTarget,
} from "../../src/server/ordered-writer.js";
import { chunkChars } from "../../src/server/result-chunks.js";

/** A transport that records what reaches it, and fills up when told to. */
class FakeTarget implements WriteTarget {
  readonly writes: string[] = [];
  unsentBytes = 0;
  highWater = Number.POSITIVE_INFINITY;
  gone = false;
  private drainWaiters: (() => void)[] = [];

  whole(text: string, onWritten?: () => void): void {
    this.writes.push(`whole:${text}`);
    this.unsentBytes += text.length;
    onWritten?.();
  }
  chunk(bytes: Buffer, first: boolean, last: boolean, onWritten?: () => void): void {
    this.writes.push(`chunk${first ? "<" : ""}${last ? ">" : ""}:${bytes.length}`);
    this.unsentBytes += bytes.length;
    onWritten?.();
  }
  full(): boolean {
    return this.unsentBytes >= this.highWater;
  }
  drained(): Promise<void> {
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }
  stopped(): boolean {
    return this.gone;
  }
  unsent(): number {
    return this.unsentBytes;
  }
  /** The reader took everything. */
  drain(): void {
    this.unsentBytes = 0;
    for (const waiter of this.drainWaiters.splice(0)) waiter();
  }
}

function recorder(): OrderedWriterEvents & { seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    stalled: (unsent) => seen.push(`stalled:${unsent}`),
    overflowed: () => seen.push("overflowed"),
    idle: () => seen.push("idle"),
  };
}

const limits = { maxWaiting: 10, stallMs: 60_000 };
const long = (marker: string) => [`{"${marker}":"`, "x".repeat(chunkChars * 2), '"}'];
const turn = () => new Promise((resolve) => setImmediate(resolve));

/** Turns the event loop until `condition` holds, for two seconds at most. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!condition() && Date.now() < deadline) await turn();
  expect(condition()).toBe(true);
}

describe("the writes of one connection, in order", () => {
  it("writes short messages and writes whole, at once", () => {
    const target = new FakeTarget();
    const writer = new OrderedWriter(target, limits, recorder());
    const written: string[] = [];
    writer.message(["{", '"a":1', "}"], () => written.push("a"));
    writer.write(() => target.whole("pong"));
    expect(target.writes).toEqual(['whole:{"a":1}', "whole:pong"]);
    expect(written).toEqual(["a"]);
    expect(writer.busy).toBe(false);
  });

  it("writes a long message a chunk a turn, first and last marked, and holds what comes after it", async () => {
    const target = new FakeTarget();
    const events = recorder();
    const writer = new OrderedWriter(target, limits, events);
    const written: string[] = [];
    writer.message(long("a"), () => written.push("a"));
    writer.write(() => target.whole("complete-a"));
    writer.message(["short"], () => written.push("short"));
    // Only the first chunk went in this turn; the rest waits behind it.
    expect(target.writes).toEqual([`chunk<:${chunkChars}`]);
    expect(writer.busy).toBe(true);
    await until(() => !writer.busy);
    expect(target.writes).toEqual([
      `chunk<:${chunkChars}`,
      `chunk:${chunkChars}`,
      "chunk>:8",
      "whole:complete-a",
      "whole:short",
    ]);
    expect(written).toEqual(["a", "short"]);
    expect(events.seen).toEqual(["idle"]);
  });

  it("writes two long messages one after the other, never mixed", async () => {
    const target = new FakeTarget();
    const writer = new OrderedWriter(target, limits, recorder());
    writer.message(long("a"));
    writer.message(long("b"));
    await until(() => !writer.busy);
    expect(target.writes.map((w) => w.split(":")[0])).toEqual([
      "chunk<",
      "chunk",
      "chunk>",
      "chunk<",
      "chunk",
      "chunk>",
    ]);
  });

  it("waits for the transport to drain when it is full, and goes on when it does", async () => {
    const target = new FakeTarget();
    target.highWater = chunkChars;
    const writer = new OrderedWriter(target, limits, recorder());
    writer.message(long("a"));
    for (let i = 0; i < 20; i++) await turn();
    expect(target.writes).toHaveLength(1);
    target.drain();
    await until(() => target.writes.length === 2);
    target.drain();
    await until(() => !writer.busy);
    expect(target.writes).toHaveLength(3);
  });

  it("gives up on a reader that takes nothing for the stall time, and says how much is unsent", async () => {
    const target = new FakeTarget();
    target.highWater = chunkChars;
    const events = recorder();
    const writer = new OrderedWriter(target, { maxWaiting: 10, stallMs: 30 }, events);
    let written = 0;
    writer.message(long("a"), () => written++);
    await until(() => !writer.busy);
    expect(events.seen).toEqual([`stalled:${chunkChars}`, "idle"]);
    expect(target.writes).toHaveLength(1);
    // Whoever waited for the message to be written is told, though it was cut short.
    expect(written).toBe(1);
  });

  it("stops writing a long message when the transport goes, and still answers those who wait", async () => {
    const target = new FakeTarget();
    const writer = new OrderedWriter(target, limits, recorder());
    const written: string[] = [];
    writer.message(long("a"), () => written.push("a"));
    writer.message(long("b"), () => written.push("b"));
    target.gone = true;
    await until(() => !writer.busy);
    expect(target.writes).toHaveLength(1);
    expect(written).toEqual(["a", "b"]);
  });

  it("bounds what waits behind a long message", () => {
    const target = new FakeTarget();
    const events = recorder();
    const writer = new OrderedWriter(target, { maxWaiting: 3, stallMs: 60_000 }, events);
    let told = 0;
    writer.message(long("a"));
    for (let i = 0; i < 3; i++) writer.write(() => target.whole(`w${i}`));
    expect(events.seen).toEqual([]);
    writer.message(["one too many"], () => told++);
    expect(events.seen).toEqual(["overflowed"]);
    expect(told).toBe(1);
  });
});
