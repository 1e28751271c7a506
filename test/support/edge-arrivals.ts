// The edges a graphql-ws subscription to resourceChanges brings, each with the moment it arrived, for
// the relations end-to-end test and the edge-appearance benchmark. It waits on the stream itself (no
// polling), so an edge's arrival time is when its message was read.
import { EdgeArrivalsDocument, type EdgeArrivalsSubscription } from "../generated/graphql.js";
import { type Subscription, subscribe } from "./graphql-client.js";

/** A Pod of an app (label app=<app>), as a client creates one. */
export const appPod = (name: string, app: string) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, labels: { app } },
  spec: { containers: [{ name: "app", image: "nginx:1.27" }] },
});

/** A Service that selects an app's pods. */
export const appService = (name: string, app: string) => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name },
  spec: { selector: { app }, ports: [{ port: 80, targetPort: 8080 }] },
});

/** An object as the stream names it: `Kind/namespace/name`. */
export const objectName = (kind: string, namespace: string, name: string) => `${kind}/${namespace}/${name}`;

type EdgeName = readonly [type: string, from: string, to: string];

interface Waiter {
  /** When what it waits for was complete, or undefined while it is not. */
  done: () => number | undefined;
  what: () => string;
  resolve: (at: number) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class EdgeArrivals {
  /** `type from-id to-id` → when (performance.now()) the change that added it arrived. */
  private readonly arrived = new Map<string, number>();
  /** `Kind/namespace/name` → the Resource id the stream gave it. */
  private readonly ids = new Map<string, string>();
  /** `Kind/namespace/name` → when the stream first brought it. */
  private readonly seenAt = new Map<string, number>();
  private readonly waiters = new Set<Waiter>();
  private failure: Error | undefined;
  private readonly reading: Promise<void>;

  private constructor(private readonly subscription: Subscription<EdgeArrivalsSubscription>) {
    this.reading = this.read();
  }

  /** Follows the changes of one namespace from `since` (a sequence a query gave), so none is missed. */
  static open(graphqlUrl: string, namespace: string, since: string): EdgeArrivals {
    return new EdgeArrivals(
      subscribe(graphqlUrl, EdgeArrivalsDocument, { filter: { namespaces: [namespace] }, since }),
    );
  }

  /**
   * Resolves with the moment the last of these edges arrived, once all have; ends are named as
   * objectName names them. Rejects after `timeoutMs` (a bound on a broken run, not a speed asserted).
   */
  waitFor(edges: readonly EdgeName[], timeoutMs = 15_000): Promise<number> {
    return this.wait(
      () => latest(edges.map((edge) => this.arrivalOf(edge))),
      () =>
        `relationsAdded for ${edges
          .filter((edge) => this.arrivalOf(edge) === undefined)
          .map((edge) => edge.join(" "))
          .join(", ")}`,
      timeoutMs,
    );
  }

  /** Resolves once the stream has brought each of these objects (named as objectName names them). */
  waitForObjects(names: readonly string[], timeoutMs = 15_000): Promise<number> {
    return this.wait(
      () => latest(names.map((name) => this.seenAt.get(name))),
      () => `changes of ${names.filter((name) => !this.seenAt.has(name)).join(", ")}`,
      timeoutMs,
    );
  }

  private wait(done: () => number | undefined, what: () => string, timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        done,
        what,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(`no ${what()} within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
      this.settle();
    });
  }

  /** The Resource id the stream gave an object (named as objectName names it), once it has come. */
  idOf(name: string): string | undefined {
    return this.ids.get(name);
  }

  async close(): Promise<void> {
    await this.subscription.close();
    await this.reading.catch(() => undefined);
  }

  private arrivalOf([type, from, to]: EdgeName): number | undefined {
    const fromId = this.ids.get(from);
    const toId = this.ids.get(to);
    if (fromId === undefined || toId === undefined) return undefined;
    return this.arrived.get(`${type} ${fromId} ${toId}`);
  }

  private async read(): Promise<void> {
    try {
      for await (const { resourceChanges: change } of this.subscription) {
        const at = performance.now();
        const r = change.resource;
        if (r) {
          const name = objectName(r.kind, r.namespace ?? "", r.name);
          this.ids.set(name, r.id);
          if (!this.seenAt.has(name)) this.seenAt.set(name, at);
        }
        for (const edge of change.relationsAdded) {
          const key = `${edge.type} ${edge.from} ${edge.to}`;
          if (!this.arrived.has(key)) this.arrived.set(key, at);
        }
        this.settle();
      }
    } catch (error) {
      this.failure = error instanceof Error ? error : new Error(String(error));
      this.settle();
    }
  }

  private settle(): void {
    for (const waiter of this.waiters) {
      const at = waiter.done();
      if (at !== undefined) {
        this.waiters.delete(waiter);
        clearTimeout(waiter.timer);
        waiter.resolve(at);
      } else if (this.failure !== undefined) {
        this.waiters.delete(waiter);
        clearTimeout(waiter.timer);
        waiter.reject(this.failure);
      }
    }
  }
}

/** The latest of some moments, or undefined while any is still to come. */
function latest(times: readonly (number | undefined)[]): number | undefined {
  return times.every((t) => t !== undefined) ? Math.max(...(times as number[])) : undefined;
}
