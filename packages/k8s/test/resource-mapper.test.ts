import { describe, expect, it } from "vitest";
import { type MappedType, ResourceMapper } from "../src/index.js";

const type = (
  group: string,
  version: string,
  resource: string,
  kind: string,
  more: Partial<MappedType> = {},
) => ({
  group,
  version,
  resource,
  kind,
  ...more,
});

const pods = type("", "v1", "pods", "Pod", { singularName: "pod", shortNames: ["po"] });
const services = type("", "v1", "services", "Service", { singularName: "", shortNames: ["svc"] });
const deployments = type("apps", "v1", "deployments", "Deployment", { shortNames: ["deploy"] });
const coreEvents = type("", "v1", "events", "Event", { shortNames: ["ev"] });
const events = type("events.k8s.io", "v1", "events", "Event", { shortNames: ["ev"] });
const knativeServices = type("serving.knative.dev", "v1", "services", "Service", { shortNames: ["ksvc"] });
// A CRD whose short name is another type's plural: kubectl takes the plural.
const podShadow = type("example.com", "v1", "podshadows", "PodShadow", { shortNames: ["pods"] });
const widgets = type("example.com", "v1alpha1", "widgets", "Widget", { singularName: "gizmo" });

const mapper = new ResourceMapper([
  pods,
  services,
  deployments,
  coreEvents,
  events,
  knativeServices,
  podShadow,
  widgets,
]);
const resolved = (name: string) => mapper.resolve(name).types;

describe("ResourceMapper, as kubectl reads a resource type argument", () => {
  it("takes the kind, the plural, the singular and the short names, in any case", () => {
    for (const name of ["Pod", "pods", "pod", "po", "PODS", "pOd", "PO"])
      expect(resolved(name)).toEqual([pods]);
    for (const name of ["Deployment", "deployments", "deployment", "deploy"])
      expect(resolved(name)).toEqual([deployments]);
  });

  it("reads an empty singularName as the lower-cased kind, and a CRD's own singular besides its kind", () => {
    expect(resolved("service")).toEqual([services, knativeServices]);
    expect(resolved("gizmo")).toEqual([widgets]);
    expect(resolved("widget")).toEqual([widgets]);
  });

  it("narrows by group after the first dot: resource.group, shortname.group and Kind.group", () => {
    for (const name of ["deployments.apps", "deploy.apps", "Deployment.apps", "deployment.APPS"])
      expect(resolved(name)).toEqual([deployments]);
    expect(resolved("deployments.extensions")).toEqual([]);
    expect(resolved("services.serving.knative.dev")).toEqual([knativeServices]);
    expect(resolved("ev.events.k8s.io")).toEqual([events]);
  });

  it("reads resource.version.group first, and then only objects of that version are meant", () => {
    expect(mapper.resolve("deployments.v1.apps")).toEqual({ types: [deployments], versioned: true });
    expect(mapper.resolve("pods.v1.")).toEqual({ types: [pods], versioned: true });
    expect(mapper.resolve("Widget.v1alpha1.example.com")).toEqual({ types: [widgets], versioned: true });
    expect(resolved("deployments.v1beta1.apps")).toEqual([]);
    // Two dots that are not a version: the group holds a dot, as kubectl falls back to resource.group.
    expect(mapper.resolve("events.events.k8s.io")).toEqual({ types: [events], versioned: false });
  });

  it("selects every group's type for a name several groups answer to, where kubectl would pick one", () => {
    expect(resolved("events")).toEqual([coreEvents, events]);
    expect(resolved("ev")).toEqual([coreEvents, events]);
    expect(resolved("services")).toEqual([services, knativeServices]);
    expect(resolved("svc")).toEqual([services]);
  });

  it("reads a name as a short name only when no plural, singular or kind in scope is spelled so", () => {
    expect(resolved("pods")).toEqual([pods]);
    expect(resolved("pods.example.com")).toEqual([podShadow]);
  });

  it("names nothing for an unknown name, an empty one, or a known one in the wrong group", () => {
    for (const name of ["pdo", "", ".", "pods.apps", "deploy.", "po.v1.apps"])
      expect(resolved(name)).toEqual([]);
  });

  it("offers the kinds, plurals, short names and group-qualified plurals as what a type may be called", () => {
    const names = mapper.names();
    for (const name of [
      "Pod",
      "pods",
      "po",
      "Deployment",
      "deployments.apps",
      "ksvc",
      "events.events.k8s.io",
    ])
      expect(names).toContain(name);
    expect(new Set(names).size).toBe(names.length);
  });
});
