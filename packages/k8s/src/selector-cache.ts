// A small cache of compiled selectors keyed by their text, so the same selector in many aliases of one
// document, or in every query of a polling client, is parsed and compiled once.

export interface SelectorCacheLimits {
  /** Selectors kept. */
  maxEntries: number;
  /** Characters of selector text kept, all entries together. */
  maxChars: number;
}

export const defaultSelectorCacheLimits: Readonly<SelectorCacheLimits> = Object.freeze({
  maxEntries: 256,
  maxChars: 1024 * 1024,
});

/** Least recently used first out; what fails to compile is not kept. */
export class SelectorCache<Compiled> {
  private readonly entries = new Map<string, Compiled>();
  private chars = 0;

  constructor(
    private readonly compile: (text: string) => Compiled,
    private readonly limits: SelectorCacheLimits = defaultSelectorCacheLimits,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(text: string): Compiled {
    const cached = this.entries.get(text);
    if (cached !== undefined) {
      this.entries.delete(text);
      this.entries.set(text, cached);
      return cached;
    }
    const compiled = this.compile(text);
    if (text.length <= this.limits.maxChars) {
      this.entries.set(text, compiled);
      this.chars += text.length;
      for (const oldest of this.entries.keys()) {
        if (this.entries.size <= this.limits.maxEntries && this.chars <= this.limits.maxChars) break;
        this.entries.delete(oldest);
        this.chars -= oldest.length;
      }
    }
    return compiled;
  }
}
