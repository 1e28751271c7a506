import type { StoredResource } from "../../graph/index.js";
import { resourceJson } from "./render.js";
import { storeBatchMessage } from "./wire.js";

const batchOverhead = Buffer.byteLength(storeBatchMessage([]));

/**
 * The next informer-store batch from `from`: up to `batchSize` objects (Go MeshSync sends 5 a message),
 * fewer when more would pass `maxBytes`, never none (one object too large alone is left to the queue's
 * size check to refuse).
 */
export function storeBatch(
  objects: readonly StoredResource[],
  from: number,
  batchSize: number,
  maxBytes: number,
): { text: string; taken: number } {
  const jsons: string[] = [];
  let bytes = batchOverhead;
  for (let i = from; i < objects.length && jsons.length < batchSize; i++) {
    const json = resourceJson(objects[i]!, "ADDED");
    const size = Buffer.byteLength(json) + 1;
    if (jsons.length > 0 && bytes + size > maxBytes) break;
    jsons.push(json);
    bytes += size;
  }
  return { text: storeBatchMessage(jsons), taken: jsons.length };
}
