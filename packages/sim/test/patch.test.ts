import { describe, expect, it } from "vitest";
import { applyPatch, jsonPatch, mergePatch, patchTypeOf } from "../src/http/patch.js";
import type { StatusError } from "../src/store/status-error.js";

describe("JSON merge patch (RFC 7386)", () => {
  it("merges maps, deletes with null and replaces lists", () => {
    const target = { a: { b: 1, c: 2 }, list: [1, 2], keep: true };
    expect(mergePatch(target, { a: { b: null, d: 3 }, list: [3] })).toEqual({
      a: { c: 2, d: 3 },
      list: [3],
      keep: true,
    });
    expect(target.a).toEqual({ b: 1, c: 2 });
  });
});

describe("JSON patch (RFC 6902)", () => {
  const doc = { metadata: { labels: { a: "1" } }, items: ["x", "y"] };

  it("applies add, remove, replace, move, copy and test", () => {
    const result = jsonPatch(doc, [
      { op: "add", path: "/metadata/labels/b~1c", value: "2" },
      { op: "remove", path: "/metadata/labels/a" },
      { op: "replace", path: "/items/0", value: "z" },
      { op: "add", path: "/items/-", value: "end" },
      { op: "copy", from: "/items/0", path: "/first" },
      { op: "move", from: "/first", path: "/moved" },
      { op: "test", path: "/moved", value: "z" },
    ]);
    expect(result).toEqual({ metadata: { labels: { "b/c": "2" } }, items: ["z", "y", "end"], moved: "z" });
    expect(doc.items).toEqual(["x", "y"]);
  });

  it("fails with 422 when an operation does not apply, and 400 when it is malformed", () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return (error as StatusError).code;
      }
      return 0;
    };
    expect(code(() => jsonPatch(doc, [{ op: "remove", path: "/missing" }]))).toBe(422);
    expect(code(() => jsonPatch(doc, [{ op: "test", path: "/items/0", value: "nope" }]))).toBe(422);
    expect(code(() => jsonPatch(doc, [{ op: "frobnicate", path: "/a" }]))).toBe(400);
    expect(code(() => jsonPatch(doc, { op: "add" }))).toBe(400);
  });
});

describe("strategic merge patch", () => {
  const deployment = {
    metadata: { labels: { app: "web" }, finalizers: ["a"] },
    spec: {
      template: {
        spec: {
          containers: [
            { name: "app", image: "app:1", env: [{ name: "A", value: "1" }], ports: [{ containerPort: 80 }] },
            { name: "sidecar", image: "side:1" },
          ],
          tolerations: [{ key: "x" }],
        },
      },
    },
  };

  it("merges containers and env by name and keeps the others", () => {
    const result = applyPatch("strategic", deployment, {
      spec: {
        template: {
          spec: { containers: [{ name: "app", image: "app:2", env: [{ name: "B", value: "2" }] }] },
        },
      },
    }) as typeof deployment;
    const [app, sidecar] = result.spec.template.spec.containers;
    expect(app).toEqual({
      name: "app",
      image: "app:2",
      env: [
        { name: "A", value: "1" },
        { name: "B", value: "2" },
      ],
      ports: [{ containerPort: 80 }],
    });
    expect(sidecar).toEqual({ name: "sidecar", image: "side:1" });
  });

  it("honours $patch delete and replace, $setElementOrder, $deleteFromPrimitiveList and merged finalizers", () => {
    const result = applyPatch("strategic", deployment, {
      metadata: { finalizers: ["b"], "$deleteFromPrimitiveList/finalizers": ["a"] },
      spec: {
        template: {
          spec: {
            "$setElementOrder/containers": [{ name: "app" }],
            containers: [{ name: "sidecar", $patch: "delete" }],
            tolerations: [{ key: "y" }],
          },
        },
      },
    }) as typeof deployment;
    expect(result.metadata.finalizers).toEqual(["b"]);
    expect(result.spec.template.spec.containers.map((container) => container.name)).toEqual(["app"]);
    expect(result.spec.template.spec.tolerations).toEqual([{ key: "y" }]);
    const replaced = applyPatch("strategic", deployment, {
      metadata: { labels: { $patch: "replace", only: "me" } },
    }) as typeof deployment;
    expect(replaced.metadata.labels).toEqual({ only: "me" });
  });

  it("knows the content types kubectl sends", () => {
    expect(patchTypeOf("application/strategic-merge-patch+json")).toBe("strategic");
    expect(patchTypeOf("application/merge-patch+json; charset=utf-8")).toBe("merge");
    expect(patchTypeOf("application/json-patch+json")).toBe("json");
    expect(patchTypeOf("application/apply-patch+yaml")).toBe("apply");
    expect(patchTypeOf("application/json")).toBeUndefined();
  });
});
