import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ResyncDebounce } from "../../../src/outputs/nats/resync-debounce.js";

describe("resync-discovery debounce", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("relists once, quietMs after the last of requests close together", () => {
    let relists = 0;
    const debounce = new ResyncDebounce(() => relists++, 5_000, 30_000);
    for (let i = 0; i < 10; i++) {
      debounce.request();
      vi.advanceTimersByTime(1_000);
    }
    expect(relists).toBe(0);
    vi.advanceTimersByTime(3_999);
    expect(relists).toBe(0);
    vi.advanceTimersByTime(1);
    expect(relists).toBe(1);
    vi.advanceTimersByTime(60_000);
    expect(relists).toBe(1);
  });

  it("is not put off for ever by a steady stream of requests", () => {
    let relists = 0;
    const debounce = new ResyncDebounce(() => relists++, 5_000, 30_000);
    for (let i = 0; i < 100; i++) {
      debounce.request();
      vi.advanceTimersByTime(1_000);
    }
    expect(relists).toBe(3);
    debounce.close();
  });

  it("survives a relist that throws, and says so", () => {
    const errors: string[] = [];
    const debounce = new ResyncDebounce(
      () => {
        throw new Error("no cluster");
      },
      10,
      100,
      (error) => errors.push(error.message),
    );
    debounce.request();
    vi.advanceTimersByTime(10);
    expect(errors).toEqual(["no cluster"]);
  });
});
