import { describe, expect, it } from "vitest";
import {
  builtinFieldLabels,
  crdSelectableFields,
  type KubeObject,
  metadataFieldLabels,
  selectableFields,
} from "../src/index.js";

const pod: KubeObject = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p", namespace: "ns" },
  spec: { nodeName: "node-1", restartPolicy: "Always" },
  status: { phase: "Running", podIP: "10.0.0.1" },
};

describe("selectable fields", () => {
  it("keys the table by group and kind: a custom kind named Pod gets only metadata", () => {
    expect(selectableFields("", "Pod").fieldOf("spec.nodeName")).toBe("spec.nodeName");
    expect(selectableFields("example.com", "Pod").fieldOf("spec.nodeName")).toBeUndefined();
    expect(selectableFields("example.com", "Pod").fieldOf("metadata.name")).toBe("metadata.name");
    expect(selectableFields("example.com", "Pod").valuesOf(pod)).toEqual({});
  });

  it("has Service's spec.type and spec.clusterIP, as the real server does", () => {
    const service: KubeObject = { spec: { type: "LoadBalancer", clusterIP: "10.96.0.10" } };
    const fields = selectableFields("", "Service");
    expect(fields.fieldOf("spec.type")).toBe("spec.type");
    expect(fields.valuesOf(service)).toEqual({ "spec.clusterIP": "10.96.0.10", "spec.type": "LoadBalancer" });
  });

  it("reads unset bools and counts as Go formats their zero values", () => {
    expect(selectableFields("", "Pod").read(pod, "spec.hostNetwork")).toBe("false");
    expect(selectableFields("", "Node").read({}, "spec.unschedulable")).toBe("false");
    expect(selectableFields("apps", "ReplicaSet").read({}, "status.replicas")).toBe("0");
    expect(selectableFields("batch", "Job").read({ status: { succeeded: 3 } }, "status.successful")).toBe(
      "3",
    );
  });

  it("maps aliases, and refuses metadata.namespace where a cluster-scoped kind's conversion does", () => {
    expect(selectableFields("", "Pod").fieldOf("spec.host")).toBe("spec.nodeName");
    expect(selectableFields("", "Node").fieldOf("metadata.namespace")).toBeUndefined();
    expect(selectableFields("", "Namespace").fieldOf("metadata.namespace")).toBeUndefined();
    expect(selectableFields("", "ConfigMap").fieldOf("metadata.namespace")).toBe("metadata.namespace");
    expect(selectableFields("", "ConfigMap").fieldOf("spec.nodeName")).toBeUndefined();
  });

  it("reads the core Event's source from source.component, and events.k8s.io's regarding fields", () => {
    const core: KubeObject = { source: { component: "kubelet" }, involvedObject: { name: "p" } };
    expect(selectableFields("", "Event").valuesOf(core)).toEqual({
      source: "kubelet",
      "involvedObject.name": "p",
    });
    const events: KubeObject = { regarding: { name: "p" }, reportingController: "kubelet" };
    const fields = selectableFields("events.k8s.io", "Event");
    expect(fields.read(events, "regarding.name")).toBe("p");
    // Accepted, but absent from the field set the real server matches against.
    expect(fields.fieldOf("reportingController")).toBe("reportingController");
    expect(fields.read(events, "reportingController")).toBe("");
  });

  it("gives a custom resource its CRD version's selectableFields", () => {
    const crd: KubeObject = {
      spec: {
        versions: [
          { name: "v1", selectableFields: [{ jsonPath: ".spec.color" }, { jsonPath: ".spec.size" }] },
          { name: "v2" },
        ],
      },
    };
    expect(crdSelectableFields(crd, "v1")).toEqual([".spec.color", ".spec.size"]);
    expect(crdSelectableFields(crd, "v2")).toEqual([]);
    const fields = selectableFields("example.com", "Widget", crdSelectableFields(crd, "v1"));
    expect(fields.fieldOf("spec.color")).toBe("spec.color");
    expect(fields.read({ spec: { color: "blue", size: 3 } }, "spec.size")).toBe("3");
  });

  it("lists the labels each kind accepts, sorted, for errors that refuse another", () => {
    expect(selectableFields("", "Service").labels).toEqual([
      "metadata.name",
      "metadata.namespace",
      "spec.clusterIP",
      "spec.type",
    ]);
    expect(selectableFields("", "Node").labels).toEqual(["metadata.name", "spec.unschedulable"]);
    expect(selectableFields("", "Pod").labels).toContain("spec.host");
    expect(selectableFields("example.com", "Widget", [".spec.color"]).labels).toEqual([
      "metadata.name",
      "metadata.namespace",
      "spec.color",
    ]);
    expect(metadataFieldLabels).toEqual(["metadata.name", "metadata.namespace"]);
  });

  it("lists every label a built-in kind accepts, for filters across kinds", () => {
    expect(builtinFieldLabels.get("spec.type")).toBe("spec.type");
    expect(builtinFieldLabels.get("spec.host")).toBe("spec.nodeName");
    expect(builtinFieldLabels.get("spec.containers")).toBeUndefined();
  });
});
