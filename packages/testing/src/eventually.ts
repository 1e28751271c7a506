import { vi } from "vitest";

/**
 * Polls until `check` returns true, or fails naming `what` after `timeoutMs`. vitest's vi.waitFor does
 * the polling; this only adapts it to checks that answer true or false. The timeout bounds a broken
 * test and asserts no speed.
 */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
  what = "condition",
  intervalMs = 100,
): Promise<void> {
  await vi.waitFor(
    async () => {
      if (!(await check())) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    },
    { timeout: timeoutMs, interval: intervalMs },
  );
}
