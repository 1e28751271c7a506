import { describe, expect, it } from "vitest";
import { findResourceType } from "../src/catalog.js";
import { age, columnsFor, tableRow } from "../src/http/table.js";
import type { KubeObject } from "../src/object-api.js";

const now = Date.parse("2026-01-10T12:00:00Z");

function cells(group: string, resource: string, obj: KubeObject, priority = 0): Record<string, unknown> {
  const type = findResourceType(group, "v1", resource)!;
  const columns = columnsFor(type, undefined);
  const row = tableRow(obj, columns, "None", now).cells as unknown[];
  return Object.fromEntries(
    columns
      .map((column, index) => [column.name, row[index]] as const)
      .filter(([name]) => {
        const column = columns.find((candidate) => candidate.name === name)!;
        return column.priority <= priority;
      }),
  );
}

describe("Table columns", () => {
  it("formats ages the way kubectl shows them", () => {
    const ago = (seconds: number) => new Date(now - seconds * 1000).toISOString();
    expect(age(ago(45), now)).toBe("45s");
    expect(age(ago(5 * 60 + 3), now)).toBe("5m3s");
    expect(age(ago(90 * 60), now)).toBe("90m");
    expect(age(ago(5 * 3600 + 120), now)).toBe("5h2m");
    expect(age(ago(30 * 3600), now)).toBe("30h");
    expect(age(ago(3 * 86400 + 3600), now)).toBe("3d1h");
    expect(age(ago(40 * 86400), now)).toBe("40d");
    expect(age(ago(800 * 86400), now)).toBe("2y70d");
    expect(age(undefined, now)).toBe("<unknown>");
  });

  it("shows pods with readiness, status, restarts and, wide, IP and node", () => {
    const pod: KubeObject = {
      metadata: { name: "web", creationTimestamp: "2026-01-10T11:00:00Z" },
      spec: { nodeName: "node-a", containers: [{ name: "a" }, { name: "b" }] },
      status: {
        phase: "Running",
        podIP: "10.1.2.3",
        containerStatuses: [
          { name: "a", ready: true, restartCount: 2, state: { running: {} } },
          { name: "b", ready: false, restartCount: 1, state: { waiting: { reason: "CrashLoopBackOff" } } },
        ],
      },
    };
    expect(cells("", "pods", pod)).toEqual({
      Name: "web",
      Ready: "1/2",
      Status: "CrashLoopBackOff",
      Restarts: 3,
      Age: "60m",
    });
    expect(cells("", "pods", pod, 1)).toMatchObject({ IP: "10.1.2.3", Node: "node-a" });
  });

  it("shows deployments, services, jobs and role bindings with their real columns", () => {
    expect(
      cells("apps", "deployments", {
        metadata: { name: "api", creationTimestamp: "2026-01-10T11:59:00Z" },
        spec: { replicas: 3 },
        status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
      }),
    ).toEqual({ Name: "api", Ready: "2/3", "Up-to-date": 3, Available: 2, Age: "60s" });
    expect(
      cells("", "services", {
        metadata: { name: "api" },
        spec: {
          type: "NodePort",
          clusterIP: "10.0.0.9",
          ports: [{ port: 80, nodePort: 30080, protocol: "TCP" }],
        },
      }),
    ).toMatchObject({
      Type: "NodePort",
      "Cluster-IP": "10.0.0.9",
      "External-IP": "<none>",
      "Port(s)": "80:30080/TCP",
    });
    expect(
      cells("batch", "jobs", {
        metadata: { name: "once" },
        spec: { completions: 1 },
        status: {
          succeeded: 1,
          startTime: "2026-01-10T11:00:00Z",
          completionTime: "2026-01-10T11:00:30Z",
          conditions: [{ type: "Complete", status: "True" }],
        },
      }),
    ).toMatchObject({ Status: "Complete", Completions: "1/1", Duration: "30s" });
    expect(
      cells(
        "rbac.authorization.k8s.io",
        "rolebindings",
        {
          metadata: { name: "readers" },
          roleRef: { kind: "ClusterRole", name: "view" },
          subjects: [
            { kind: "User", name: "ann" },
            { kind: "ServiceAccount", name: "bot", namespace: "ops" },
          ],
        },
        1,
      ),
    ).toMatchObject({ Role: "ClusterRole/view", Users: "ann", ServiceAccounts: "ops/bot", Groups: "" });
  });

  it("falls back to name and age for kinds without printers", () => {
    const type = findResourceType("storage.k8s.io", "v1", "csidrivers")!;
    expect(columnsFor(type, undefined).map((column) => column.name)).toEqual(["Name", "Age"]);
  });
});
