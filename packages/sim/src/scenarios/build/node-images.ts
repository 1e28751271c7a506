import type { KubeObject } from "../../object-api.js";
import { qualifiedImage } from "../kinds/image.js";

/** The kubelet reports at most this many images (its nodeStatusMaxImages default). */
const maxImages = 50;

// Every node holds the sandbox image, whatever it runs.
const pauseImage = "registry.k8s.io/pause:3.10";

/** A stable size for an image, so the same image weighs the same on every node. */
function sizeOf(image: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < image.length; i++) hash = Math.imul(hash ^ image.charCodeAt(i), 0x01000193);
  return 5_000_000 + ((hash >>> 0) % 200_000_000);
}

interface ImageEntry {
  names: string[];
  sizeBytes: number;
}

function entry(image: string, imageId: string | undefined): ImageEntry {
  const names = imageId ? [imageId, qualifiedImage(image)] : [qualifiedImage(image)];
  return { names, sizeBytes: sizeOf(image) };
}

/** Fills each node's status.images from the pods placed on it, largest first, as the kubelet does. */
export function fillNodeImages(objects: readonly KubeObject[]): void {
  const byNode = new Map<string, Map<string, string | undefined>>();
  for (const object of objects) {
    if (object.kind !== "Pod") continue;
    const spec = object.spec as { nodeName?: unknown } | undefined;
    const status = object.status as
      | { containerStatuses?: { image?: unknown; imageID?: unknown }[] }
      | undefined;
    if (typeof spec?.nodeName !== "string") continue;
    let images = byNode.get(spec.nodeName);
    if (!images) {
      images = new Map();
      byNode.set(spec.nodeName, images);
    }
    for (const container of status?.containerStatuses ?? []) {
      if (typeof container.image !== "string") continue;
      images.set(container.image, typeof container.imageID === "string" ? container.imageID : undefined);
    }
  }
  for (const node of objects) {
    if (node.kind !== "Node") continue;
    const images = byNode.get(node.metadata?.name ?? "") ?? new Map<string, string | undefined>();
    const entries = [...images].map(([image, id]) => entry(image, id));
    entries.push(entry(pauseImage, undefined));
    entries.sort((a, b) => b.sizeBytes - a.sizeBytes);
    const status = (node.status ?? {}) as Record<string, unknown>;
    status.images = entries.slice(0, maxImages);
    node.status = status;
  }
}
