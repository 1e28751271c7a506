// Retained-heap measurement shared by the benchmarks; they run under node --expose-gc.

/** A full collection, so what is left on the heap is what is really retained. */
export function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with node --expose-gc so retained heap can be measured");
  // Twice: the first pass can leave objects that finalizers release for the second.
  gc();
  gc();
}

export function heapUsed(): number {
  collect();
  return process.memoryUsage().heapUsed;
}

export const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;
