// Packs the stored text of objects that have gone cold: deflated against a dictionary made of an object
// of the same type, since objects of one type repeat most of their field names and many values. A
// scenario pod's 3 KB of text packs to about 350 bytes; reading it back costs one inflate (about 15 us).
// Packing runs in slices of a few milliseconds with a turn of the event loop between them, well after
// an object was written: what changes often is mostly rewritten before it would be packed.
import { deflateRawSync, inflateRawSync } from "node:zlib";

/** Text that is not worth a packed copy: its deflate stream and the buffer around it take as much. */
const minPackedLength = 256;
/**
 * The compression window (2^14 = 16 KiB) and hash memory (memLevel 6): about 100 KiB of scratch per
 * call instead of zlib's default 256 KiB, and enough to reach back over a dictionary of this size
 * into a typical object. zlib keeps only the last window's worth of a dictionary anyway.
 */
const zlibOptions = { windowBits: 14, memLevel: 6, level: 4 } as const;
const maxDictionaryBytes = 8 * 1024;
/** Writes within this many milliseconds that make a bulk write (a list's pages), which packing waits out. */
const bulkWindowMs = 100;
const bulkWrites = 100;
/** The longest packing waits for writes to calm down. */
const maxDeferMs = 60_000;
/** What a PackedText costs besides its bytes: itself and its string's header. */
const packedOverheadBytes = 40;

/**
 * A stored text, deflated; `text` inflates it again. The deflated bytes are kept as a one-byte string
 * (latin1, a byte a character), not a Buffer: a string lives in V8's heap, which compacts, where a
 * hundred thousand small Buffers are as many small blocks of the C heap between the large ones that
 * every list page and zlib call come and go in, which then never return to the system.
 */
export class PackedText {
  constructor(
    private readonly bytes: string,
    private readonly dictionary: Buffer,
  ) {}

  get text(): string {
    return inflateRawSync(Buffer.from(this.bytes, "latin1"), {
      dictionary: this.dictionary,
      windowBits: zlibOptions.windowBits,
    }).toString("utf8");
  }

  get heapSize(): number {
    return this.bytes.length + packedOverheadBytes;
  }
}

/** What the packer packs: an object's stored text, which it may replace with a packed copy. */
export interface Packable {
  readonly key: string;
  readonly typeName: string;
  readonly storedAtMs: number;
  /** The text as stored now, or undefined once it is packed (or not worth packing). */
  readonly unpackedText: string | undefined;
  pack(packed: PackedText): void;
}

export interface BodyPackerOptions {
  /** How long after it was stored an object's text is packed (10 s by default; 0 packs at the next turn). */
  coldAfterMs?: number;
  /** Time on the event loop a slice of packing may take (4 ms by default). */
  sliceMs?: number;
  /** Whether the object is still the graph's current version: a superseded one is not worth packing. */
  isCurrent: (item: Packable) => boolean;
  now?: () => number;
}

export class BodyPacker {
  private readonly coldAfterMs: number;
  private readonly sliceMs: number;
  private readonly isCurrent: (item: Packable) => boolean;
  private readonly now: () => number;
  /** In the order stored, so the coldest is first. */
  private queue: Packable[] = [];
  private head = 0;
  private readonly dictionaries = new Map<string, Buffer>();
  private timer: NodeJS.Timeout | undefined;
  private slicing = false;
  private waiters: (() => void)[] = [];
  private windowStart = 0;
  private windowWrites = 0;
  private lastWindowWrites = 0;
  /** Objects packed so far, and the characters of text they no longer keep. */
  packed = 0;
  savedChars = 0;

  constructor(options: BodyPackerOptions) {
    this.coldAfterMs = options.coldAfterMs ?? 10_000;
    this.sliceMs = options.sliceMs ?? 4;
    this.isCurrent = options.isCurrent;
    this.now = options.now ?? Date.now;
  }

  /** Queues a newly stored object's text to be packed once it is cold. */
  add(item: Packable): void {
    this.countWrite();
    const text = item.unpackedText;
    if (text === undefined || text.length < minPackedLength) return;
    this.queue.push(item);
    this.schedule();
  }

  /** Resolves once every queued text is packed (or found superseded): what memory settles to. */
  settled(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  get pending(): number {
    return this.queue.length - this.head;
  }

  private schedule(): void {
    if (this.slicing || this.timer !== undefined || this.pending === 0) return;
    const first = this.queue[this.head]!;
    this.retryAfter(Math.max(0, first.storedAtMs + this.coldAfterMs - this.now()));
  }

  private retryAfter(ms: number): void {
    if (this.timer !== undefined) return;
    // Unref'd: a graph that nobody uses any more must not keep its process alive to pack.
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.slice();
    }, ms);
    this.timer.unref();
  }

  private countWrite(): void {
    const now = performance.now();
    if (now - this.windowStart > bulkWindowMs) {
      this.lastWindowWrites = now - this.windowStart > 2 * bulkWindowMs ? 0 : this.windowWrites;
      this.windowStart = now;
      this.windowWrites = 0;
    }
    this.windowWrites++;
  }

  /** Whether the graph takes writes at a list's pace now (over 1,000 a second). */
  private writingInBulk(): boolean {
    if (performance.now() - this.windowStart > 2 * bulkWindowMs) return false;
    return Math.max(this.windowWrites, this.lastWindowWrites) >= bulkWrites;
  }

  /** Cold for long enough that it is packed even while writes pour in (a steady churn never stops). */
  private overdue(item: Packable): boolean {
    return item.storedAtMs + this.coldAfterMs + maxDeferMs <= this.now();
  }

  private slice(): void {
    const first = this.queue[this.head];
    if (first !== undefined && this.writingInBulk() && !this.overdue(first)) {
      // A list streaming in: packing would take its turns from it. It waits, but not for ever.
      this.retryAfter(bulkWindowMs);
      return;
    }
    const deadline = performance.now() + this.sliceMs;
    const coldBefore = this.now() - this.coldAfterMs;
    while (this.pending > 0) {
      const item = this.queue[this.head]!;
      if (item.storedAtMs > coldBefore) break;
      this.head++;
      this.packOne(item);
      if (performance.now() >= deadline) break;
    }
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.pending === 0) {
      this.queue = [];
      this.head = 0;
      for (const resolve of this.waiters.splice(0)) resolve();
      return;
    }
    const next = this.queue[this.head]!;
    if (next.storedAtMs <= this.now() - this.coldAfterMs) {
      this.slicing = true;
      setImmediate(() => {
        this.slicing = false;
        this.slice();
      });
    } else this.schedule();
  }

  private packOne(item: Packable): void {
    const text = item.unpackedText;
    if (text === undefined || !this.isCurrent(item)) return;
    const dictionary = this.dictionaryFor(item.typeName, text);
    const deflated = deflateRawSync(text, { ...zlibOptions, dictionary });
    // A text that does not shrink by half is kept as it is: reading it back would cost for little.
    if (deflated.length + packedOverheadBytes > text.length / 2) return;
    // Copied out: what zlib returns is a view of its 16 KiB output chunk, which it would keep alive.
    item.pack(new PackedText(deflated.toString("latin1"), dictionary));
    this.packed++;
    this.savedChars += text.length;
  }

  /** The type's dictionary: the first text of the type packed, which the ones after it resemble. */
  private dictionaryFor(typeName: string, text: string): Buffer {
    let dictionary = this.dictionaries.get(typeName);
    if (dictionary === undefined) {
      const bytes = Buffer.from(text, "utf8");
      const kept =
        bytes.length > maxDictionaryBytes ? bytes.subarray(bytes.length - maxDictionaryBytes) : bytes;
      // Its own memory, not a view of Buffer's shared pool: it lives as long as the graph.
      dictionary = Buffer.allocUnsafeSlow(kept.length);
      kept.copy(dictionary);
      this.dictionaries.set(typeName, dictionary);
    }
    return dictionary;
  }
}
