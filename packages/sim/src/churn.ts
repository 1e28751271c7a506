// Live changes to a simulated cluster at a steady rate, as its users and controllers would make them.
import type { ObjectApi } from "./object-api.js";
import type { ChurnOptions, ChurnStats } from "./scenarios/churn/index.js";
import { createChurner } from "./scenarios/churn/index.js";

export type { ChurnOptions, ChurnStats } from "./scenarios/churn/index.js";
export { type Churner, createChurner } from "./scenarios/churn/index.js";

export interface RunningChurn {
  stop(): void;
  readonly stats: ChurnStats;
}

/** Never more than a second's worth of changes at once, e.g. after the event loop was blocked. */
const maxBacklogSeconds = 1;
/**
 * Time one tick may spend changing things before it yields to the server it shares the event loop
 * with. A rate the store cannot keep up with then runs slower instead of starving every request.
 */
const maxTickMs = 25;

/**
 * Makes about perSecond changes a second through the api until stopped. The timer does not keep the
 * process alive, and a failing change is counted in stats and skipped, never thrown.
 */
export function startChurn(
  api: ObjectApi,
  perSecond: number,
  seed: number,
  options: ChurnOptions = {},
): RunningChurn {
  const churner = createChurner(api, seed, options);
  if (!Number.isFinite(perSecond) || perSecond <= 0) return { stop() {}, stats: churner.stats };
  const tickMs = Math.max(10, Math.min(1000, 1000 / perSecond));
  let budget = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    try {
      const now = performance.now();
      budget = Math.min(budget + ((now - last) / 1000) * perSecond, perSecond * maxBacklogSeconds);
      last = now;
      while (budget >= 1) {
        budget -= 1;
        churner.step();
        if (performance.now() - now > maxTickMs) {
          // What could not be done in time is dropped, not queued behind the next tick.
          budget = Math.min(budget, 1);
          break;
        }
      }
    } catch {
      // step() already keeps its own errors; this guards the timer against anything else.
    }
  }, tickMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
    },
    stats: churner.stats,
  };
}
