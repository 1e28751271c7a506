import { afterEach, describe, expect, it } from "vitest";
import { ClusterContact, type ClusterContactOptions } from "../../src/kube/cluster-contact.js";
import { KubeApiError } from "../../src/kube/errors.js";
import type { KubeRequester, LineStream } from "../../src/kube/http-client.js";
import type { Logger } from "../../src/kube/logger.js";
import { waitFor } from "./fakes.js";

function refused(): Error {
  return Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6443"), { code: "ECONNREFUSED" });
}

/** An API server whose answers the test scripts: kube-system's uid, and what other paths do. */
class FakeServer implements KubeRequester {
  readonly server = "http://fake";
  uid = "uid-a";
  /** Probes of kube-system that fail before one answers. */
  failingProbes = 0;
  probeError: () => Error = refused;
  probes = 0;
  other: () => unknown = () => ({});
  lines: FakeLines | undefined;
  version: () => unknown = () => ({ major: "1", minor: "31", gitVersion: "v1.31.2" });

  async getJson(path: string): Promise<unknown> {
    if (path === "/version") {
      const answer = this.version();
      if (answer instanceof Error) throw answer;
      return answer;
    }
    if (path === "/api/v1/namespaces/kube-system") {
      this.probes += 1;
      if (this.failingProbes > 0) {
        this.failingProbes -= 1;
        throw this.probeError();
      }
      return { metadata: { uid: this.uid } };
    }
    if (path === "/api/v1/namespaces") return { metadata: { resourceVersion: "42" }, items: [] };
    const answer = this.other();
    if (answer instanceof Error) throw answer;
    return answer;
  }

  async getText(path: string): Promise<string> {
    return JSON.stringify(await this.getJson(path));
  }

  async openLines(): Promise<LineStream> {
    this.lines = new FakeLines();
    return this.lines;
  }

  openBytes(): Promise<never> {
    return Promise.reject(new Error("not used"));
  }

  connectionOptions(): Promise<never> {
    return Promise.reject(new Error("not used"));
  }

  sendJson(): Promise<never> {
    return Promise.reject(new Error("not used"));
  }
}

class FakeLines implements LineStream {
  private readonly queue: (string | Error)[] = [];
  private wake: (() => void) | undefined;
  closed = false;

  push(item: string | Error): void {
    this.queue.push(item);
    this.wake?.();
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<string> {
    while (!this.closed) {
      const item = this.queue.shift();
      if (item === undefined) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        continue;
      }
      if (item instanceof Error) throw item;
      yield item;
    }
  }
}

interface LogLine {
  level: string;
  msg: string | undefined;
  fields: object;
}

function capturingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: string) =>
    (fields: object, msg?: string): void => {
      lines.push({ level, msg, fields });
    };
  return { logger: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") }, lines };
}

const contacts: ClusterContact[] = [];
afterEach(async () => {
  await Promise.all(contacts.splice(0).map((contact) => contact.stop()));
});

function setUp(server: FakeServer, options: Partial<ClusterContactOptions> = {}) {
  const { logger, lines } = capturingLogger();
  const changes: string[] = [];
  const verified: (string | undefined)[] = [];
  let clock = 1_000_000;
  const contact = new ClusterContact({
    client: server,
    clusterId: "uid-a",
    clusterName: "ctx",
    logger,
    onIdentityChange: (next) => changes.push(next),
    onVerified: (current) => verified.push(current),
    sleep: async () => {
      clock += 1_000;
      await new Promise((resolve) => setImmediate(resolve));
    },
    now: () => clock,
    ...options,
  });
  contacts.push(contact);
  return {
    contact,
    lines,
    changes,
    verified,
    tick: (ms: number) => {
      clock += ms;
    },
  };
}

const never = new AbortController().signal;

async function isOpen(contact: ClusterContact): Promise<boolean> {
  let opened = false;
  void contact.available(never).then(() => {
    opened = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  return opened;
}

describe("ClusterContact", () => {
  it("lets requests through while the cluster answers, noting each answer as contact", async () => {
    const server = new FakeServer();
    const { contact, lines, tick } = setUp(server);
    expect(contact.state().lastContact).toBeUndefined();
    tick(5_000);
    await contact.requester.getJson("/api/v1/pods");
    expect(contact.state()).toMatchObject({
      reachable: true,
      lastContact: new Date(1_005_000).toISOString(),
    });
    expect(await isOpen(contact)).toBe(true);
    expect(server.probes).toBe(0);
    expect(lines).toEqual([]);
  });

  it("counts an error status as an answer, not as a lost cluster", async () => {
    const server = new FakeServer();
    server.other = () => new KubeApiError(500, "etcd leader changed", "InternalError");
    const { contact } = setUp(server);
    await expect(contact.requester.getJson("/api/v1/pods")).rejects.toThrow("etcd leader changed");
    expect(await isOpen(contact)).toBe(true);
    expect(server.probes).toBe(0);
    expect(contact.state().lastContact).toBeDefined();
  });

  it("closes the gate on a request without an answer and reopens it, quietly, when the same cluster answers the probe", async () => {
    const server = new FakeServer();
    server.other = refused;
    const { contact, lines, verified } = setUp(server);
    await expect(contact.requester.getJson("/api/v1/pods")).rejects.toThrow("ECONNREFUSED");
    const waiting = contact.available(never);
    await waiting;
    expect(server.probes).toBe(1);
    expect(verified).toEqual(["42"]);
    expect(contact.state()).toMatchObject({ reachable: true, lastError: undefined });
    expect(lines.filter((line) => line.level !== "debug")).toEqual([]);
  });

  it("says once that the cluster is lost, dated from the first failure, and once that it is back", async () => {
    const server = new FakeServer();
    server.other = refused;
    server.failingProbes = 6;
    const { contact, lines, tick } = setUp(server);
    tick(500);
    const failedAt = new Date(1_000_500).toISOString();
    for (let i = 0; i < 5; i++) await contact.requester.getJson("/api/v1/pods").catch(() => {});
    await waitFor(() => !contact.state().reachable, "the cluster to be declared unreachable");
    expect(contact.state()).toMatchObject({
      reachable: false,
      since: failedAt,
      lastError: "connect ECONNREFUSED 127.0.0.1:6443",
    });
    expect(await isOpen(contact)).toBe(false);

    await contact.available(never);
    expect(server.probes).toBe(7);
    expect(contact.state()).toMatchObject({ reachable: true, lastError: undefined });
    expect(contact.state().since).not.toBe(failedAt);
    expect(lines.map((line) => `${line.level} ${line.msg}`)).toEqual([
      "warn cluster unreachable; serving its last known state until it answers again",
      "info cluster reachable again",
    ]);
    expect(lines[1]!.fields).toMatchObject({ cluster: "ctx", unreachableForMs: 6_000 });
  });

  it("hands over when another cluster answers, and keeps the gate shut for good", async () => {
    const server = new FakeServer();
    server.other = refused;
    const { contact, changes, lines } = setUp(server);
    server.uid = "uid-b";
    await contact.requester.getJson("/api/v1/pods").catch(() => {});
    await waitFor(() => changes.length === 1, "the identity change");
    expect(changes).toEqual(["uid-b"]);
    expect(await isOpen(contact)).toBe(false);
    const abort = new AbortController();
    const waiting = contact.available(abort.signal);
    abort.abort();
    await expect(waiting).rejects.toThrow("aborted");
    expect(lines.map((line) => line.msg)).toContain(
      "the API server answers as another cluster; dropping this cluster's objects and syncing the new one",
    );
  });

  it("checks the cluster when asked to after a resourceVersion went backwards", async () => {
    const server = new FakeServer();
    const { contact, changes } = setUp(server);
    await contact.verify("pods listed at 3, behind 900", never);
    expect(server.probes).toBe(1);
    expect(changes).toEqual([]);
    server.uid = "uid-b";
    const abort = new AbortController();
    const pending = contact.verify("pods listed at 3, behind 900", abort.signal);
    await waitFor(() => changes.length === 1, "the identity change");
    abort.abort();
    await expect(pending).rejects.toThrow("aborted");
  });

  it("finds another cluster on a routine identity check without closing the gate first", async () => {
    const server = new FakeServer();
    const { contact, changes } = setUp(server);
    await contact.checkIdentity(never);
    expect(changes).toEqual([]);
    expect(await isOpen(contact)).toBe(true);
    server.uid = "uid-b";
    await contact.checkIdentity(never);
    expect(changes).toEqual(["uid-b"]);
  });

  it("keeps the gate shut while a server that answers cannot say who it is, and says so once", async () => {
    const server = new FakeServer();
    server.other = refused;
    server.failingProbes = 3;
    server.probeError = () => new KubeApiError(403, "namespaces is forbidden", "Forbidden");
    const { contact, lines } = setUp(server);
    await contact.requester.getJson("/api/v1/pods").catch(() => {});
    await contact.available(never);
    expect(server.probes).toBe(4);
    expect(lines.filter((line) => line.level === "warn").map((line) => line.msg)).toEqual([
      "cannot check the cluster's identity; its watches wait",
    ]);
    expect(contact.state().reachable).toBe(true);
  });

  it("notes each watch line as contact, and a stream cut under it as a lost answer", async () => {
    const server = new FakeServer();
    const { contact, tick } = setUp(server);
    const lines = await contact.requester.openLines("/api/v1/pods", { watch: true });
    const read = (async () => {
      const got: string[] = [];
      for await (const line of lines) got.push(line);
      return got;
    })();
    tick(7_000);
    server.lines!.push('{"type":"BOOKMARK"}');
    await waitFor(
      () => contact.state().lastContact === new Date(1_007_000).toISOString(),
      "the line as contact",
    );
    server.lines!.push(Object.assign(new Error("aborted"), { code: "ECONNRESET" }));
    await expect(read).rejects.toThrow("aborted");
    await waitFor(() => server.probes === 1, "the probe after the cut");
  });

  it("does not take a stream it closed itself for a lost answer", async () => {
    const server = new FakeServer();
    const { contact } = setUp(server);
    const lines = await contact.requester.openLines("/api/v1/pods", { watch: true });
    const read = (async () => {
      for await (const _line of lines);
    })();
    lines.close();
    await read;
    expect(server.probes).toBe(0);
    expect(await isOpen(contact)).toBe(true);
  });
});

describe("the server's version", () => {
  it("is unknown until read, then the gitVersion of GET /version", async () => {
    const server = new FakeServer();
    const { contact } = setUp(server);
    expect(contact.state().serverVersion).toBeUndefined();
    await contact.readServerVersion(never);
    expect(contact.state().serverVersion).toBe("v1.31.2");
  });

  it("is read again when the cluster answers after an outage, and kept when a read fails", async () => {
    const server = new FakeServer();
    const { contact } = setUp(server);
    await contact.readServerVersion(never);
    // The API server goes away and comes back upgraded.
    server.other = refused;
    server.failingProbes = 2;
    server.version = () => ({ gitVersion: "v1.32.0" });
    await contact.requester.getJson("/api/v1/pods").catch(() => {});
    await contact.available(never);
    await waitFor(() => contact.state().serverVersion === "v1.32.0", "the new version to be read");
    // A version that cannot be read (or makes no sense) keeps the last one known, and closes no gate.
    server.version = refused;
    await contact.readServerVersion(never);
    server.version = () => ({ gitVersion: 7 });
    await contact.readServerVersion(never);
    expect(contact.state().serverVersion).toBe("v1.32.0");
    expect(await isOpen(contact)).toBe(true);
  });
});
