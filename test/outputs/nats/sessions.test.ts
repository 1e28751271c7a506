import { eventually } from "@meshsync/testing";
import { describe, expect, it } from "vitest";
import type {
  NatsOutput,
  PodExecOpener,
  PodExecRequest,
  PodLogRequest,
  PodLogSource,
} from "../../../src/outputs/index.js";
import { type NatsRecorder, natsServerMissing } from "../../support/nats-server.js";
import { natsTestBed } from "./harness.js";

const encoder = new TextEncoder();

/** A pod log: the history lines at once, then (with follow) one line every 20 ms until aborted. */
function fakeLogs(asked: PodLogRequest[]): PodLogSource {
  return (request) => {
    asked.push(request);
    return (async function* () {
      yield encoder.encode(
        `${request.pod}/${request.container} line 1\n${request.pod}/${request.container} line 2\n`,
      );
      if (!request.follow) return;
      for (let i = 3; !request.signal.aborted; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        if (!request.signal.aborted) yield encoder.encode(`${request.pod}/${request.container} line ${i}\n`);
      }
    })();
  };
}

/** A shell that echoes each line it is typed back in upper case, and exits on "exit". */
function fakeShell(opened: PodExecRequest[]): PodExecOpener {
  return async (request) => {
    opened.push(request);
    if (request.pod === "missing") throw new Error('pods "missing" not found');
    const queue: Uint8Array[] = [encoder.encode("$ ")];
    let wake: (() => void) | undefined;
    let ended = false;
    const end = () => {
      ended = true;
      wake?.();
    };
    return {
      output: (async function* () {
        while (true) {
          while (queue.length > 0) yield queue.shift()!;
          if (ended) return;
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
        }
      })(),
      write(data) {
        const line = new TextDecoder().decode(data).trim();
        if (line === "exit") return end();
        queue.push(encoder.encode(`${line.toUpperCase()}\n$ `));
        wake?.();
      },
      close: end,
    };
  };
}

function objects(recorder: NatsRecorder, subject: string): unknown[] {
  return recorder.on(subject).map((message) => (message.json as { Object: unknown }).Object);
}

describe.skipIf(natsServerMissing !== undefined)(
  `NATS output: log streams and exec sessions${natsServerMissing ? ` (${natsServerMissing})` : ""}`,
  () => {
    const bed = natsTestBed();
    let recorder: NatsRecorder;
    let output: NatsOutput;

    it("streams a log to meshery.meshsync.logs, follows it until a stop request, and starts it once per container", async () => {
      const asked: PodLogRequest[] = [];
      recorder = await bed.recorder(["meshery.meshsync.logs"]);
      output = bed.start({ podLogs: fakeLogs(asked) }).output;
      await eventually(() => output!.status().connected, 10_000, "connected");
      const follow = {
        id: "req-1",
        name: "web",
        namespace: "shop",
        container: "main",
        follow: true,
        taillines: 1000,
      };
      recorder.request("log-stream", { operator: follow });
      recorder.request("log-stream", { operator: { ...follow, id: "req-2" } });
      await eventually(() => recorder.on("meshery.meshsync.logs").length >= 4, 10_000, "four log chunks");
      expect(output.status().logStreams).toBe(1);
      expect(asked).toHaveLength(1);
      expect(asked[0]).toMatchObject({
        namespace: "shop",
        pod: "web",
        container: "main",
        follow: true,
        previous: false,
        tailLines: 1000,
        timestamps: true,
      });
      expect(recorder.on("meshery.meshsync.logs")[0]!.text).toBe(
        '{"ObjectType":"log-stream","EventType":"ADDED","Request":null,"Object":{"id":"req-1","data":"web/main line 1\\nweb/main line 2\\n","primary":"web","secondary":"main"}}',
      );
      recorder.request("log-stream", { operator: { ...follow, stop: true } });
      await eventually(() => output!.status().logStreams === 0, 10_000, "stream stopped");
      expect(asked[0]!.signal.aborted).toBe(true);
      const count = recorder.on("meshery.meshsync.logs").length;
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(recorder.on("meshery.meshsync.logs").length).toBe(count);
      const text = objects(recorder, "meshery.meshsync.logs")
        .map((object) => (object as { data: string }).data)
        .join("");
      const lines = text.trimEnd().split("\n");
      expect(lines.slice(0, 4)).toEqual([
        "web/main line 1",
        "web/main line 2",
        "web/main line 3",
        "web/main line 4",
      ]);
    });

    it("ends a log stream that is not followed at the log's end, and bounds how many run", async () => {
      const asked: PodLogRequest[] = [];
      recorder = await bed.recorder(["meshery.meshsync.logs"]);
      output = bed.start({ podLogs: fakeLogs(asked), limits: { maxLogStreams: 2 } }).output;
      await eventually(() => output!.status().connected, 10_000, "connected");
      recorder.request("log-stream", {
        a: { id: "a", name: "a", namespace: "ns", container: "c", follow: true },
        b: { id: "b", name: "b", namespace: "ns", container: "c", follow: true },
        c: { id: "c", name: "c", namespace: "ns", container: "c", follow: true },
      });
      await eventually(() => output!.status().logStreams === 2, 10_000, "two streams");
      expect(asked).toHaveLength(2);
      recorder.request("log-stream", { d: { id: "d", name: "d", namespace: "ns", container: "c" } });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(asked).toHaveLength(2);
      recorder.request("log-stream", {
        a: { id: "a", name: "a", namespace: "ns", container: "c", stop: true },
        b: { id: "b", name: "b", namespace: "ns", container: "c", stop: true },
      });
      await eventually(() => output!.status().logStreams === 0, 10_000, "streams stopped");
      recorder.request("log-stream", { d: { id: "d", name: "d", namespace: "ns", container: "c" } });
      await eventually(
        () =>
          objects(recorder, "meshery.meshsync.logs").some((object) => (object as { id: string }).id === "d"),
        10_000,
        "log d",
      );
      await eventually(() => output!.status().logStreams === 0, 10_000, "unfollowed stream ended");
    });

    it("runs an interactive shell: output on exec.<ns>.<pod>.<container>.<id>, input from input.<id>, listed on active_sessions.exec", async () => {
      const opened: PodExecRequest[] = [];
      const id = "exec.shop.web.main.s1";
      recorder = await bed.recorder([id, "active_sessions.exec"]);
      output = bed.start({ podExec: fakeShell(opened) }).output;
      await eventually(() => output!.status().connected, 10_000, "connected");
      recorder.request("exec-request", {
        s1: { id: "s1", name: "web", namespace: "shop", container: "main" },
      });
      await eventually(() => recorder.on("active_sessions.exec").length === 1, 10_000, "session listed");
      expect(recorder.on("active_sessions.exec")[0]!.text).toBe(
        `{"ObjectType":"active-exec","EventType":"","Request":null,"Object":["${id}"]}`,
      );
      expect(opened[0]).toMatchObject({
        namespace: "shop",
        pod: "web",
        container: "main",
        command: ["/bin/sh"],
        tty: true,
      });
      await eventually(() => recorder.on(id).length >= 1, 10_000, "prompt");
      expect(recorder.on(id)[0]!.text).toBe(
        '{"ObjectType":"exec-output","EventType":"","Request":null,"Object":"$ "}',
      );
      recorder.connection.publish(
        `input.${id}`,
        JSON.stringify({ ObjectType: "exec-input", EventType: "", Request: null, Object: "hello" }),
      );
      await eventually(() => objects(recorder, id).join("").includes("HELLO\n$ "), 10_000, "echoed input");
      // active-exec lists the sessions at once and again on its ticker.
      recorder.request("active-exec");
      await eventually(() => recorder.on("active_sessions.exec").length >= 2, 10_000, "active list");
      recorder.request("exec-request", {
        s1: { id: "s1", name: "web", namespace: "shop", container: "main", stop: true },
      });
      await eventually(() => output!.status().execSessions === 0, 10_000, "session ended");
      expect(opened[0]!.signal.aborted).toBe(true);
    });

    it("ends a session when its shell exits, and says why on its subject when the shell cannot start", async () => {
      const opened: PodExecRequest[] = [];
      recorder = await bed.recorder(["exec.>"]);
      output = bed.start({ podExec: fakeShell(opened) }).output;
      await eventually(() => output!.status().connected, 10_000, "connected");
      recorder.request("exec-request", {
        x: { id: "x", name: "missing", namespace: "shop", container: "main" },
      });
      await eventually(() => recorder.on("exec.shop.missing.main.x").length === 1, 10_000, "error message");
      expect(recorder.on("exec.shop.missing.main.x")[0]!.text).toBe(
        '{"ObjectType":"error","EventType":"","Request":null,"Object":"pods \\"missing\\" not found"}',
      );
      recorder.request("exec-request", { y: { id: "y", name: "web", namespace: "shop", container: "main" } });
      await eventually(() => output!.status().execSessions === 1, 10_000, "session running");
      await eventually(() => recorder.on("exec.shop.web.main.y").length >= 1, 10_000, "prompt");
      recorder.connection.publish(
        "input.exec.shop.web.main.y",
        JSON.stringify({ ObjectType: "exec-input", Object: "exit" }),
      );
      await eventually(() => output!.status().execSessions === 0, 10_000, "session ended with its shell");
    });
  },
);
