import type { ResourceGraph, StoredResource } from "../../graph/index.js";
import type { OutgoingStream } from "./publish-queue.js";

/** Bytes a waiting snapshot is counted as: it holds nothing of its own until it reaches the head. */
const snapshotEstimate = 1024;

/**
 * Messages about every stored object, read from one snapshot taken when the stream reaches the head of
 * the queue. Every change behind it in the queue was committed after it was queued, so a consumer that
 * applies the snapshot and then those changes ends at the graph's state whatever the snapshot's moment.
 */
export function snapshotStream(
  graph: ResourceGraph,
  subject: string,
  /** The message for the next objects from `from`: its text and how many objects it took (at least one). */
  render: (
    objects: readonly StoredResource[],
    from: number,
    maxBytes: number,
  ) => { text: string | undefined; taken: number },
  replay: boolean,
  /**
   * Leave out objects changed after this change-log sequence: the changes queued behind the snapshot
   * bring them, on the same subject, so a consumer would otherwise be told their state twice.
   */
  coveredAfter?: number,
): OutgoingStream {
  let objects: readonly StoredResource[] = [];
  let index = 0;
  return {
    kind: "stream",
    subject,
    estimate: snapshotEstimate,
    replay,
    async open() {
      const items = (await graph.listInSlices({}, {})).items;
      objects =
        coveredAfter === undefined
          ? items
          : items.filter((object) => (graph.log.historyOf(object, 1)[0]?.sequence ?? 0) <= coveredAfter);
    },
    next(maxBytes) {
      while (index < objects.length) {
        const { text, taken } = render(objects, index, maxBytes);
        index += Math.max(1, taken);
        if (text !== undefined) return text;
      }
      objects = [];
      return undefined;
    },
  };
}
