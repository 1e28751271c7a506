import { describe, expect, it } from "vitest";
import { leaseNamespaceOf, replicaIdentityOf } from "../../../src/commands/replica/index.js";
import type { ElectionOptions } from "../../../src/config/index.js";

const election: ElectionOptions = {
  leaseName: "meshsync",
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
};
const noFile = () => undefined;

describe("the Lease's namespace", () => {
  it("is the flag's, then the pod's (downward API, then service account), then the context's, then default", () => {
    const env = { POD_NAMESPACE: "from-env" };
    expect(leaseNamespaceOf({ ...election, leaseNamespace: "flag" }, "ctx", env, () => "file")).toBe("flag");
    expect(leaseNamespaceOf(election, "ctx", env, () => "file")).toBe("from-env");
    expect(leaseNamespaceOf(election, "ctx", {}, () => "file")).toBe("file");
    expect(leaseNamespaceOf(election, "ctx", {}, noFile)).toBe("ctx");
    expect(leaseNamespaceOf(election, undefined, { POD_NAMESPACE: "" }, noFile)).toBe("default");
  });
});

describe("the replica's identity", () => {
  it("is the flag's, then POD_NAME, then a host name no other replica shares", () => {
    expect(replicaIdentityOf({ ...election, identity: "given" }, { POD_NAME: "pod" })).toBe("given");
    expect(replicaIdentityOf(election, { POD_NAME: "pod" })).toBe("pod");
    const first = replicaIdentityOf(election, {});
    const second = replicaIdentityOf(election, {});
    expect(first).toMatch(/-[0-9a-f]{6}$/);
    expect(first).not.toBe(second);
  });
});
