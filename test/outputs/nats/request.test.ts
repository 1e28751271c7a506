import { describe, expect, it } from "vitest";
import {
  execInputOf,
  parseExecRequests,
  parseLogRequests,
  parseRequest,
  RequestError,
  replySubjectOf,
} from "../../../src/outputs/nats/request.js";

const bytes = (value: unknown) =>
  new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));

describe("reading Meshery's requests", () => {
  it("reads meshkit's broker.Message, matching keys without regard to case as Go does", () => {
    expect(
      parseRequest(
        bytes({ ObjectType: "", Request: { Entity: "informer-store", Payload: { Reply: "a.b" } } }),
        1000,
      ),
    ).toEqual({
      entity: "informer-store",
      payload: { Reply: "a.b" },
    });
    expect(parseRequest(bytes({ request: { entity: "meshsync-meta" } }), 1000)).toEqual({
      entity: "meshsync-meta",
      payload: undefined,
    });
    expect(replySubjectOf({ reply: "meshery-server.meshsync.store" })).toBe("meshery-server.meshsync.store");
  });

  it("refuses what is not a request, with one line", () => {
    for (const bad of ["{", "[]", { Request: null }, { Request: { Entity: 3 } }, "x".repeat(2000)])
      expect(() => parseRequest(bytes(bad), 1000)).toThrow(RequestError);
    for (const reply of [undefined, {}, { Reply: "" }, { Reply: "a b" }, { Reply: "a.*" }, { Reply: "a..b" }])
      expect(() => replySubjectOf(reply)).toThrow(RequestError);
  });

  it("reads log requests as model.LogRequest, absent fields as their zero values", () => {
    expect(
      parseLogRequests({ x: { id: "1", name: "p", namespace: "n", follow: true, taillines: 100 } }, 10),
    ).toEqual([
      {
        id: "1",
        name: "p",
        namespace: "n",
        container: "",
        follow: true,
        previous: false,
        tailLines: 100,
        stop: false,
      },
    ]);
    expect(() => parseLogRequests({ x: { name: "p", namespace: "n", follow: "yes" } }, 10)).toThrow(
      /follow is not a boolean/,
    );
    expect(() => parseLogRequests({ x: { name: "p" } }, 10)).toThrow(/needs name and namespace/);
    expect(() => parseLogRequests({ a: {}, b: {}, c: {} }, 2)).toThrow(/at most 2/);
    expect(() => parseLogRequests([], 2)).toThrow(RequestError);
    // A stop names the stream only.
    expect(parseLogRequests({ x: { stop: true } }, 10)[0]!.stop).toBe(true);
  });

  it("reads exec requests and exec input", () => {
    expect(parseExecRequests({ s: { id: "s", name: "p", namespace: "n", container: "c" } }, 10)).toEqual([
      { id: "s", name: "p", namespace: "n", container: "c", stop: false },
    ]);
    expect(execInputOf(bytes({ ObjectType: "exec-input", Object: "ls" }), 100)).toBe("ls");
    expect(execInputOf(bytes({ ObjectType: "exec-output", Object: "ls" }), 100)).toBeUndefined();
    expect(execInputOf(bytes({ ObjectType: "exec-input", Object: 3 }), 100)).toBeUndefined();
    expect(execInputOf(bytes({ ObjectType: "exec-input", Object: "x".repeat(200) }), 100)).toBeUndefined();
  });
});
