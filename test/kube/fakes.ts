import { eventually } from "@meshsync/testing";
// Test doubles for the reflector: a ListerWatcher whose answers the test scripts, and a sink that
// records every call in order.
import type {
  ListerWatcher,
  ListOptions,
  ListPage,
  WatchOptions,
  WatchStream,
} from "../../src/kube/list-watch.js";
import type { ClusterRef, KubeObject, ResourceEventSink, ResourceType } from "../../src/kube/types.js";
import type { WatchEvent } from "../../src/kube/watch-event.js";

export const cluster: ClusterRef = { id: "cluster-uid", name: "test" };

export const configMaps: ResourceType = {
  group: "",
  version: "v1",
  resource: "configmaps",
  kind: "ConfigMap",
  namespaced: true,
  verbs: ["list", "watch"],
};

export function configMap(
  name: string,
  uid: string,
  resourceVersion: string,
  data: Record<string, string> = {},
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: "default", uid, resourceVersion },
    data,
  };
}

/** The calls a list of these objects (uid and resourceVersion) makes: an upsert each, then retain. */
export function listedCalls(...versions: [uid: string, resourceVersion: string][]): SinkCall[] {
  return [
    ...versions.map(([uid, rv]): SinkCall => ({ op: "upsert", uid, rv })),
    { op: "retain", uids: versions.map(([uid]) => uid) },
  ];
}

export type SinkCall =
  | { op: "upsert"; uid: string; rv: string | undefined }
  | { op: "delete"; uid: string }
  | { op: "retain"; uids: string[] }
  | { op: "removeCluster"; clusterId: string };

export class RecordingSink implements ResourceEventSink {
  readonly calls: SinkCall[] = [];
  /** The state a consumer would hold after applying every call. */
  readonly state = new Map<string, KubeObject>();

  upsert(_cluster: ClusterRef, _type: ResourceType, object: KubeObject): void {
    const uid = object.metadata?.uid ?? "";
    this.calls.push({ op: "upsert", uid, rv: object.metadata?.resourceVersion });
    this.state.set(uid, object);
  }

  delete(_cluster: ClusterRef, _type: ResourceType, object: KubeObject): void {
    const uid = object.metadata?.uid ?? "";
    this.calls.push({ op: "delete", uid });
    this.state.delete(uid);
  }

  retain(_cluster: ClusterRef, _type: ResourceType, uids: ReadonlySet<string>): void {
    this.calls.push({ op: "retain", uids: [...uids] });
    for (const uid of [...this.state.keys()]) if (!uids.has(uid)) this.state.delete(uid);
  }

  removeCluster(cluster: ClusterRef): void {
    this.calls.push({ op: "removeCluster", clusterId: cluster.id });
    this.state.clear();
  }
}

/** A watch the test feeds by hand. */
export class FakeWatchStream implements WatchStream {
  closed = false;
  private readonly queue: (WatchEvent | Error | "end")[] = [];
  private wake: (() => void) | undefined;

  constructor(readonly options: WatchOptions) {}

  push(event: WatchEvent): void {
    this.enqueue(event);
  }

  end(): void {
    this.enqueue("end");
  }

  fail(error: Error): void {
    this.enqueue(error);
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }

  private enqueue(item: WatchEvent | Error | "end"): void {
    this.queue.push(item);
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<WatchEvent> {
    for (;;) {
      if (this.closed) return;
      const item = this.queue.shift();
      if (item === undefined) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = undefined;
        continue;
      }
      if (item === "end") return;
      if (item instanceof Error) throw item;
      yield item;
    }
  }
}

type ListAnswer = ListPage | Error | ((options: ListOptions) => ListPage | Error);

/** Answers lists from a script (last answer repeats) and hands each opened watch to the test. */
export class FakeListerWatcher implements ListerWatcher {
  readonly listCalls: ListOptions[] = [];
  readonly watchCalls: WatchOptions[] = [];
  /** Errors that the next watch() calls throw instead of opening, in order. */
  readonly watchErrors: Error[] = [];
  private readonly listAnswers: ListAnswer[];
  private readonly opened: FakeWatchStream[] = [];
  private waiting: ((stream: FakeWatchStream) => void)[] = [];

  constructor(...listAnswers: ListAnswer[]) {
    this.listAnswers = listAnswers;
  }

  answerLists(...answers: ListAnswer[]): void {
    this.listAnswers.splice(0, this.listAnswers.length, ...answers);
  }

  async list(options: ListOptions): Promise<ListPage> {
    this.listCalls.push(options);
    const answer = this.listAnswers.length > 1 ? this.listAnswers.shift() : this.listAnswers[0];
    if (answer === undefined) throw new Error("no list answer scripted");
    const result = typeof answer === "function" ? answer(options) : answer;
    if (result instanceof Error) throw result;
    return structuredClone(result);
  }

  /** How many of the next watch() calls never answer (until their signal aborts). */
  hangingWatches = 0;

  async watch(options: WatchOptions): Promise<WatchStream> {
    this.watchCalls.push(options);
    if (this.hangingWatches > 0) {
      this.hangingWatches -= 1;
      await new Promise<never>((_resolve, reject) => {
        options.signal?.addEventListener("abort", () => reject(new Error("request aborted")), { once: true });
      });
    }
    const error = this.watchErrors.shift();
    if (error) throw error;
    const stream = new FakeWatchStream(options);
    const waiter = this.waiting.shift();
    if (waiter) waiter(stream);
    else this.opened.push(stream);
    return stream;
  }

  /** The next watch the reflector opens. */
  nextWatch(): Promise<FakeWatchStream> {
    const ready = this.opened.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}

/** The shared polling helper, polling often: these checks read memory, not a server. */
export function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  return eventually(check, timeoutMs, what, 5);
}

/** A sleep that returns at once and remembers what it was asked to wait. */
export function recordingSleep(): { delays: number[]; sleep: (ms: number) => Promise<void> } {
  const delays: number[] = [];
  return {
    delays,
    sleep: async (ms: number) => {
      delays.push(ms);
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}
