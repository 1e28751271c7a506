// kubectl as the acceptance test of fidelity: if kubectl cannot tell, neither can other clients.
import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeObject, RunningSimulator } from "../src/index.js";
import { startEmpty } from "./sim-client.js";

const hasKubectl = spawnSync("kubectl", ["version", "--client"], { stdio: "ignore" }).status === 0;
if (!hasKubectl) console.warn("kubectl is not installed: skipping the kubectl acceptance tests");

function pod(
  name: string,
  namespace: string,
  node: string,
  phase: string,
  labels: Record<string, string>,
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace, labels },
    spec: { nodeName: node, containers: [{ name: "main", image: "nginx:1.27" }] },
    status: {
      phase,
      podIP: "10.0.0.1",
      containerStatuses: [{ name: "main", ready: phase === "Running", restartCount: 0, image: "nginx:1.27" }],
    },
  };
}

const fixtures: KubeObject[] = [
  { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } },
  pod("web-1", "shop", "node-a", "Running", { app: "web" }),
  pod("web-2", "shop", "node-b", "Running", { app: "web" }),
  pod("db-1", "shop", "node-a", "Pending", { app: "db" }),
  pod("probe", "default", "node-b", "Succeeded", { app: "probe" }),
];

describe.skipIf(!hasKubectl)("kubectl against the simulator", () => {
  let sim: RunningSimulator;
  let dir: string;
  const requests: string[] = [];
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    sim = await startEmpty({
      objects: structuredClone(fixtures),
      onRequest: (_method, path) => requests.push(path),
    });
    dir = mkdtempSync(join(tmpdir(), "sim-kubectl-"));
    writeFileSync(join(dir, "kubeconfig"), sim.kubeconfig());
  });
  afterAll(async () => {
    for (const child of children) child.kill();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const baseArgs = () => [
    "--kubeconfig",
    join(dir, "kubeconfig"),
    "--cache-dir",
    mkdtempSync(join(dir, "cache-")),
  ];

  function kubectl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile("kubectl", [...baseArgs(), ...args], { timeout: 20_000 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  }

  async function ok(...args: string[]): Promise<string> {
    const result = await kubectl(...args);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(" ")} failed: ${result.stderr}`);
    return result.stdout;
  }

  function writeManifest(name: string, text: string): string {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  }

  it("lists api-resources from discovery", async () => {
    const out = await ok("api-resources");
    expect(out).toMatch(/^pods\s+po\s+v1\s+true\s+Pod$/m);
    expect(out).toMatch(/^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    expect(out).toMatch(
      /^customresourcedefinitions\s+crd,crds\s+apiextensions\.k8s\.io\/v1\s+false\s+CustomResourceDefinition$/m,
    );
    expect(out).toMatch(/^leases\s+coordination\.k8s\.io\/v1\s+true\s+Lease$/m);
  });

  it("gets pods across namespaces as a table", async () => {
    const out = await ok("get", "pods", "-A");
    const lines = out.trim().split("\n");
    expect(lines[0]).toMatch(/^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/).slice(0, 4).join(" "))).toEqual([
      "default probe 0/1 Succeeded",
      "shop db-1 0/1 Pending",
      "shop web-1 1/1 Running",
      "shop web-2 1/1 Running",
    ]);
    const wide = await ok("get", "pods", "-n", "shop", "-o", "wide");
    expect(wide).toMatch(/^web-1\s+1\/1\s+Running\s+0\s+\S+\s+10\.0\.0\.1\s+node-a/m);
  });

  it("gets pods as JSON, by label and by field selector", async () => {
    const json = JSON.parse(await ok("get", "pods", "-n", "shop", "-o", "json")) as { items: KubeObject[] };
    expect(json.items.map((item) => item.metadata?.name)).toEqual(["db-1", "web-1", "web-2"]);
    expect(json.items[0]!.kind).toBe("Pod");
    const byLabel = await ok("get", "pods", "-A", "-l", "app in (web,probe)", "-o", "name");
    expect(byLabel.trim().split("\n")).toEqual(["pod/probe", "pod/web-1", "pod/web-2"]);
    const byField = await ok(
      "get",
      "pods",
      "-A",
      "--field-selector",
      "spec.nodeName=node-a,status.phase=Running",
      "-o",
      "name",
    );
    expect(byField.trim()).toBe("pod/web-1");
    const unsupported = await kubectl("get", "pods", "--field-selector", "spec.bogus=1");
    expect(unsupported.code).not.toBe(0);
    expect(unsupported.stderr).toContain("field label not supported: spec.bogus");
  });

  it("describes a pod", async () => {
    const out = await ok("describe", "pod", "web-1", "-n", "shop");
    expect(out).toMatch(/^Name:\s+web-1$/m);
    expect(out).toMatch(/^Namespace:\s+shop$/m);
    expect(out).toMatch(/^Node:\s+node-a/m);
    expect(out).toMatch(/^Status:\s+Running$/m);
  });

  it("pages with --chunk-size", async () => {
    requests.length = 0;
    const out = await ok("get", "pods", "-A", "--chunk-size=1", "-o", "name");
    expect(out.trim().split("\n")).toHaveLength(4);
    const pages = requests.filter((path) => path.startsWith("/api/v1/pods?") && path.includes("limit=1"));
    expect(pages.length).toBe(4);
    expect(pages.filter((path) => path.includes("continue=")).length).toBe(3);
  });

  it("creates, replaces, patches, labels and deletes", async () => {
    const manifest = writeManifest(
      "cm.yaml",
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: shop\ndata:\n  mode: a\n",
    );
    expect(await ok("create", "-f", manifest, "--validate=false")).toContain("configmap/settings created");
    const duplicate = await kubectl("create", "-f", manifest, "--validate=false");
    expect(duplicate.stderr).toContain('configmaps "settings" already exists');
    const replaced = writeManifest(
      "cm2.yaml",
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: shop\ndata:\n  mode: b\n",
    );
    expect(await ok("replace", "-f", replaced, "--validate=false")).toContain("configmap/settings replaced");
    await ok("patch", "configmap", "settings", "-n", "shop", "-p", '{"data":{"extra":"1"}}');
    await ok(
      "patch",
      "configmap",
      "settings",
      "-n",
      "shop",
      "--type",
      "merge",
      "-p",
      '{"data":{"mode":"c"}}',
    );
    await ok(
      "patch",
      "configmap",
      "settings",
      "-n",
      "shop",
      "--type",
      "json",
      "-p",
      '[{"op":"remove","path":"/data/extra"}]',
    );
    await ok("label", "configmap", "settings", "-n", "shop", "tier=backend");
    await ok("annotate", "configmap", "settings", "-n", "shop", "owner=team-a");
    const current = JSON.parse(
      await ok("get", "configmap", "settings", "-n", "shop", "-o", "json"),
    ) as KubeObject;
    expect(current.data).toEqual({ mode: "c" });
    expect(current.metadata?.labels).toEqual({ tier: "backend" });
    expect(current.metadata?.annotations).toEqual({ owner: "team-a" });
    const applied = await ok("apply", "-f", replaced, "--validate=false");
    expect(applied).toContain("configmap/settings configured");
    expect(await ok("apply", "-f", replaced, "--validate=false")).toContain("configmap/settings unchanged");
    expect(await ok("delete", "configmap", "settings", "-n", "shop")).toContain(
      'configmap "settings" deleted',
    );
    const gone = await kubectl("get", "configmap", "settings", "-n", "shop");
    expect(gone.stderr).toContain('configmaps "settings" not found');
  });

  it("creates with the typed commands that send protobuf", async () => {
    expect(await ok("create", "namespace", "typed")).toContain("namespace/typed created");
    expect(
      await ok("create", "configmap", "typed", "-n", "typed", "--from-literal=a=b", "--from-literal=empty="),
    ).toContain("configmap/typed created");
    expect(await ok("create", "secret", "generic", "typed", "-n", "typed", "--from-literal=k=v")).toContain(
      "secret/typed created",
    );
    expect(await ok("create", "serviceaccount", "typed", "-n", "typed")).toContain(
      "serviceaccount/typed created",
    );
    expect(await ok("get", "configmap", "typed", "-n", "typed", "-o", "jsonpath={.data}")).toBe(
      '{"a":"b","empty":""}',
    );
    expect(await ok("get", "secret", "typed", "-n", "typed", "-o", "jsonpath={.data.k}")).toBe(
      Buffer.from("v").toString("base64"),
    );
    const namespace = JSON.parse(await ok("get", "namespace", "typed", "-o", "json")) as KubeObject;
    expect(namespace.status).toEqual({ phase: "Active" });
    await ok("create", "role", "reader", "-n", "typed", "--verb=get,list", "--resource=pods");
    await ok(
      "create",
      "rolebinding",
      "readers",
      "-n",
      "typed",
      "--role=reader",
      "--user=ann",
      "--serviceaccount=typed:bot",
    );
    const role = JSON.parse(await ok("get", "role", "reader", "-n", "typed", "-o", "json")) as {
      rules: unknown[];
    };
    expect(role.rules).toEqual([{ verbs: ["get", "list"], apiGroups: [""], resources: ["pods"] }]);
    expect(await ok("get", "rolebinding", "readers", "-n", "typed", "-o", "wide")).toMatch(
      /^readers\s+Role\/reader\s+\S+\s+ann\s+typed\/bot$/m,
    );
  });

  it("answers auth can-i, auth whoami and create token, and runs exec", async () => {
    expect((await ok("auth", "can-i", "delete", "pods", "-n", "shop")).trim()).toBe("yes");
    expect((await ok("auth", "can-i", "get", "/healthz")).trim()).toBe("yes");
    expect(await ok("auth", "whoami")).toMatch(/^Username\s+kubernetes-admin$/m);
    await ok("create", "serviceaccount", "robot", "-n", "shop");
    const token = (
      await ok("create", "token", "robot", "-n", "shop", "--audience=meshsync", "--duration=1h")
    ).trim();
    const claims = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as {
      aud: string[];
      sub: string;
    };
    expect(claims).toMatchObject({ aud: ["meshsync"], sub: "system:serviceaccount:shop:robot" });
    const exec = await kubectl("exec", "-n", "shop", "web-1", "--", "ls");
    expect(exec.code).toBe(0);
    expect(exec.stdout.split("\n")).toContain("etc");
  });

  it("applies with kubectl's default validation, leaving it to the server", async () => {
    const manifest = writeManifest(
      "validated.yaml",
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: validated\n  namespace: shop\nspec:\n  selector: {matchLabels: {app: v}}\n  template:\n    metadata: {labels: {app: v}}\n    spec:\n      containers:\n      - {name: web, image: nginx:1}\n      - {name: side, image: busybox:1}\n",
    );
    expect(await ok("apply", "-f", manifest)).toContain("deployment.apps/validated created");
    writeManifest(
      "validated.yaml",
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: validated\n  namespace: shop\nspec:\n  selector: {matchLabels: {app: v}}\n  template:\n    metadata: {labels: {app: v}}\n    spec:\n      containers:\n      - {name: web, image: nginx:2}\n",
    );
    expect(await ok("apply", "-f", manifest)).toContain("deployment.apps/validated configured");
    const containers = JSON.parse(
      await ok(
        "get",
        "deployment",
        "validated",
        "-n",
        "shop",
        "-o",
        "jsonpath={.spec.template.spec.containers}",
      ),
    ) as { name: string; image: string }[];
    expect(containers).toEqual([{ name: "web", image: "nginx:2" }]);
  });

  it("sees a create and a delete with get -w", async () => {
    const child = spawn(
      "kubectl",
      [...baseArgs(), "get", "configmaps", "-n", "default", "-w", "--output-watch-events"],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    children.push(child);
    let output = "";
    const seen = (pattern: RegExp) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${pattern} in: ${output}`)), 15_000);
        const check = () => {
          if (pattern.test(output)) {
            clearTimeout(timer);
            child.stdout?.off("data", onData);
            resolve();
          }
        };
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          check();
        };
        child.stdout?.on("data", onData);
        check();
      });
    // The namespace starts empty, so there is no header to wait for: wait for the watch itself.
    for (let i = 0; i < 150 && sim.openWatches() === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sim.openWatches()).toBeGreaterThan(0);
    sim.api.create("", "v1", "configmaps", {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "watched", namespace: "default" },
    });
    await seen(/^ADDED\s+watched/m);
    sim.api.delete("", "v1", "configmaps", "default", "watched");
    await seen(/^DELETED\s+watched/m);
    child.kill();
  });

  it("creates a CRD and then its custom resources", async () => {
    const crd = writeManifest(
      "crd.yaml",
      `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget, shortNames: [gd]}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
    additionalPrinterColumns:
    - {name: Color, type: string, jsonPath: .spec.color}
`,
    );
    expect(await ok("apply", "-f", crd, "--validate=false")).toContain(
      "customresourcedefinition.apiextensions.k8s.io/gadgets.example.com created",
    );
    const gadget = writeManifest(
      "gadget.yaml",
      "apiVersion: example.com/v1\nkind: Gadget\nmetadata:\n  name: g1\n  namespace: shop\nspec:\n  color: red\n",
    );
    expect(await ok("apply", "-f", gadget, "--validate=false")).toContain("gadget.example.com/g1 created");
    const table = await ok("get", "gd", "-n", "shop");
    expect(table).toMatch(/^NAME\s+COLOR\s+AGE$/m);
    expect(table).toMatch(/^g1\s+red\s+/m);
    await ok("patch", "gadget", "g1", "-n", "shop", "--type", "merge", "-p", '{"spec":{"color":"blue"}}');
    expect(await ok("get", "gadget", "g1", "-n", "shop", "-o", "jsonpath={.spec.color}")).toBe("blue");
    expect(await ok("api-resources", "--api-group=example.com")).toMatch(
      /^gadgets\s+gd\s+example\.com\/v1\s+true\s+Gadget$/m,
    );
    await ok("delete", "crd", "gadgets.example.com");
    const after = await kubectl("get", "gadgets", "-n", "shop");
    expect(after.code).not.toBe(0);
    expect(after.stderr).toContain('the server doesn\'t have a resource type "gadgets"');
  });

  it("reads pod logs with tail, timestamps and follow", async () => {
    const tail = await ok("logs", "web-1", "-n", "shop", "--tail=3");
    expect(tail.trim().split("\n")).toHaveLength(3);
    expect(tail).toContain("main");
    const stamped = await ok("logs", "web-1", "-n", "shop", "--tail=1", "--timestamps");
    expect(stamped).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z main /);
    const follow = await kubectl("logs", "web-1", "-n", "shop", "--tail=1", "-f", "--request-timeout=2s");
    expect(follow.stdout.trim().split("\n").length).toBeGreaterThanOrEqual(1);
    const all = (await ok("logs", "web-1", "-n", "shop")).trim().split("\n");
    expect(all).toHaveLength(50);
    const recent = (await ok("logs", "web-1", "-n", "shop", "--since=1s")).trim().split("\n").filter(Boolean);
    expect(recent.length).toBeGreaterThan(0);
    const later = new Date(Date.now() + 3_600_000).toISOString();
    expect((await ok("logs", "web-1", "-n", "shop", `--since-time=${later}`)).trim()).toBe("");
    const previous = await kubectl("logs", "web-1", "-n", "shop", "--previous");
    expect(previous.stderr).toContain('previous terminated container "main" in pod "web-1" not found');
    const missing = await kubectl("logs", "nope", "-n", "shop");
    expect(missing.stderr).toContain('pods "nope" not found');
  });
  it("records kubectl's field managers, which it hides unless asked", async () => {
    await ok("create", "configmap", "managed", "-n", "shop", "--from-literal=a=b");
    await ok("label", "configmap", "managed", "-n", "shop", "tier=backend");
    const shown = JSON.parse(
      await ok("get", "configmap", "managed", "-n", "shop", "-o", "json", "--show-managed-fields"),
    ) as KubeObject;
    const entries = shown.metadata?.managedFields as {
      manager: string;
      operation: string;
      fieldsV1: unknown;
    }[];
    expect(entries.map((entry) => `${entry.manager}/${entry.operation}`)).toEqual([
      "kubectl-create/Update",
      "kubectl-label/Update",
    ]);
    expect(entries[0]!.fieldsV1).toEqual({ "f:data": { ".": {}, "f:a": {} } });
    expect(entries[1]!.fieldsV1).toEqual({ "f:metadata": { "f:labels": { ".": {}, "f:tier": {} } } });
    const hidden = JSON.parse(
      await ok("get", "configmap", "managed", "-n", "shop", "-o", "json"),
    ) as KubeObject;
    expect(hidden.metadata?.managedFields).toBeUndefined();
  });
});
