// MeshSync's own configuration lives in a custom resource (meshsyncs.meshery.io/v1alpha1,
// meshery/meshery-meshsync); when a cluster has one, its watch-list decides the selection.
import { isRecord, KubeApiError } from "./errors.js";
import type { KubeRequester } from "./http-client.js";
import { type SelectionConfig, selectionFromWatchList } from "./selection.js";

export const MESHSYNC_RESOURCE_PATH =
  "/apis/meshery.io/v1alpha1/namespaces/meshery/meshsyncs/meshery-meshsync";

/** The selection the cluster's MeshSync resource asks for, or undefined when it has none. */
export async function readMeshSyncSelection(
  client: KubeRequester,
  signal?: AbortSignal,
): Promise<SelectionConfig | undefined> {
  let resource: unknown;
  try {
    resource = await client.getJson(MESHSYNC_RESOURCE_PATH, {}, signal);
  } catch (error) {
    // No such type or no such object: the cluster does not configure MeshSync.
    if (error instanceof KubeApiError && (error.status === 404 || error.status === 403)) return undefined;
    throw error;
  }
  const spec = isRecord(resource) && isRecord(resource.spec) ? resource.spec : {};
  const watchList = spec["watch-list"];
  if (!isRecord(watchList)) return undefined;
  return selectionFromWatchList(watchList, "meshery-meshsync spec.watch-list");
}
