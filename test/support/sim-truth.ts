// The simulator's own state, read over its Kubernetes API as any client would (discovery, then a list
// of every listable type): what an output of meshsync must end equal to. Events are left out, as
// meshsync leaves them out by default.
import type { KubeObject } from "@meshsync/k8s";

export interface TruthObject {
  apiVersion: string;
  kind: string;
  namespace: string | undefined;
  name: string;
  resourceVersion: string;
  object: KubeObject;
}

interface ApiResource {
  name: string;
  kind: string;
  verbs?: string[];
}

async function getJson(origin: string, path: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${origin}${path}`);
  if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
  return (await response.json()) as Record<string, unknown>;
}

/** Every group version the simulator serves, each with its listable, top-level resources. */
async function listableTypes(origin: string): Promise<{ groupVersion: string; resource: ApiResource }[]> {
  const groupVersions = ["v1"];
  const groups = (await getJson(origin, "/apis")).groups as { preferredVersion: { groupVersion: string } }[];
  for (const group of groups) groupVersions.push(group.preferredVersion.groupVersion);
  const types: { groupVersion: string; resource: ApiResource }[] = [];
  for (const groupVersion of groupVersions) {
    const path = groupVersion === "v1" ? "/api/v1" : `/apis/${groupVersion}`;
    const resources = (await getJson(origin, path)).resources as ApiResource[];
    for (const resource of resources) {
      if (
        resource.name.includes("/") ||
        !resource.verbs?.includes("list") ||
        !resource.verbs.includes("watch")
      )
        continue;
      if (resource.kind === "Event") continue;
      types.push({ groupVersion, resource });
    }
  }
  return types;
}

/** uid → the object as the simulator holds it now. */
export async function simTruth(origin: string): Promise<Map<string, TruthObject>> {
  const truth = new Map<string, TruthObject>();
  for (const { groupVersion, resource } of await listableTypes(origin)) {
    const base = groupVersion === "v1" ? "/api/v1" : `/apis/${groupVersion}`;
    const list = await getJson(origin, `${base}/${resource.name}`);
    for (const item of list.items as KubeObject[]) {
      const metadata = item.metadata ?? {};
      truth.set(String(metadata.uid), {
        apiVersion: groupVersion,
        kind: resource.kind,
        namespace: metadata.namespace,
        name: String(metadata.name),
        resourceVersion: String(metadata.resourceVersion),
        object: item,
      });
    }
  }
  return truth;
}
