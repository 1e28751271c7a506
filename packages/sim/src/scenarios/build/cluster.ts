import type { KubeObject } from "../../object-api.js";
import type { ClusterSpec } from "../spec.js";
import { ScenarioBuilder } from "../stamp.js";
import { addAppNamespace } from "./apps.js";
import { fillNodeImages } from "./node-images.js";
import { addSystem } from "./system.js";

/** Builds a whole cluster from a spec; the same spec and seed give the same objects. */
export function assembleCluster(builder: ScenarioBuilder, spec: ClusterSpec): KubeObject[] {
  const ctx = addSystem(builder, spec.nodes, spec.controlPlanes);
  // Applications arrive a while after the control plane is up.
  builder.advance(3600);
  ctx.recordEvents = spec.events ?? false;
  for (const namespace of spec.namespaces) addAppNamespace(ctx, namespace);
  fillNodeImages(builder.objects);
  return builder.objects;
}

export function generateFromSpec(
  seed: number,
  makeSpec: (builder: ScenarioBuilder) => ClusterSpec,
): KubeObject[] {
  const builder = new ScenarioBuilder(seed);
  return assembleCluster(builder, makeSpec(builder));
}
