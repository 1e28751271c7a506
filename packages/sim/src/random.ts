// A seeded pseudo-random source, so a scenario or a churn run can be reproduced from its seed.

/** The alphabet Kubernetes uses for generated name suffixes: no vowels, no look-alike characters. */
const kubeAlphabet = "bcdfghjklmnpqrstvwxz2456789";
const hexDigits = "0123456789abcdef";
/** Two hex digits per byte value, so a 32-bit draw becomes eight digits with four lookups. */
const byteHex = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

export class Random {
  private state: number;

  constructor(seed: number) {
    // Mix the seed so that neighbouring seeds do not start with neighbouring states.
    this.state = (Math.imul(seed | 0, 0x9e3779b1) ^ 0x6d2b79f5) >>> 0;
  }

  /** mulberry32: a uniform unsigned 32-bit integer. */
  uint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A uniform float in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with the given probability. */
  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("cannot pick from an empty list");
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** A lower-case hex string of the given length. */
  hex(length: number): string {
    let out = "";
    // Eight digits per draw: ids for a 150,000-pod cluster are drawn on the hot path.
    while (out.length < length) {
      const n = this.uint32();
      out +=
        (byteHex[n >>> 24] as string) +
        byteHex[(n >>> 16) & 255] +
        byteHex[(n >>> 8) & 255] +
        byteHex[n & 255];
    }
    return out.length === length ? out : out.slice(0, length);
  }

  /** A suffix like Kubernetes' generateName ones ("x2k4p"). */
  suffix(length = 5): string {
    let out = "";
    for (let i = 0; i < length; i++) out += kubeAlphabet[Math.floor(this.next() * kubeAlphabet.length)];
    return out;
  }

  /** A pod-template-hash like the deployment controller's ("7d9f8b6c5d"). */
  templateHash(): string {
    return this.suffix(10);
  }

  /** A version-4 UUID. */
  uuid(): string {
    const a = this.hex(8);
    const b = this.hex(8);
    const c = this.hex(8);
    const d = this.hex(8);
    const variant = hexDigits[8 + (this.uint32() & 3)];
    return `${a}-${b.slice(0, 4)}-4${b.slice(5)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`;
  }

  /** A fresh generator whose sequence depends only on this one's seed and the label. */
  fork(label: string): Random {
    let hash = this.state ^ 0x811c9dc5;
    for (let i = 0; i < label.length; i++) hash = Math.imul(hash ^ label.charCodeAt(i), 0x01000193);
    return new Random(hash >>> 0);
  }
}
