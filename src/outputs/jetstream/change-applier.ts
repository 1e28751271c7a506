// What a follower does with one replication message: check it and hand its object to the graph as the
// publisher's graph took it (ADDED and MODIFIED as an upsert, DELETED as a delete). A message that
// fails a check changes nothing, is counted and named in one log line, and is reported: the follower
// has missed a change and no longer holds what the stream says.
import type { ClusterRef, ResourceGraph } from "../../graph/index.js";
import type { Logger } from "../../kube/index.js";
import { TypeInterner } from "./resource-types.js";
import { decodeChange, type ReplicatedChange } from "./wire.js";

export class ChangeApplier {
  private readonly types = new TypeInterner();
  /** Messages refused since start. */
  malformed = 0;
  /** Messages whose object arrived as its identity only. */
  truncated = 0;

  constructor(
    private readonly graph: ResourceGraph,
    private readonly cluster: ClusterRef,
    private readonly maxMessageBytes: number,
    private readonly logger: Logger,
    private readonly report: (reason: string) => void,
  ) {}

  /** Applies the message the stream holds at `streamSequence`; undefined when it was refused. */
  apply(stream: string, streamSequence: number, data: Uint8Array): ReplicatedChange | undefined {
    const decoded = decodeChange(data, this.maxMessageBytes);
    let problem: string | undefined;
    if (!decoded.ok) problem = decoded.reason;
    else if (decoded.change.sequence !== streamSequence)
      problem = `message says it is change ${decoded.change.sequence}`;
    else if (decoded.change.cluster.id !== this.cluster.id)
      problem = `message is of cluster ${JSON.stringify(decoded.change.cluster.id.slice(0, 80))}`;
    if (problem !== undefined || !decoded.ok) {
      this.malformed++;
      const reason = `replication message ${streamSequence} of ${stream} refused: ${problem}`;
      this.logger.error({ stream, sequence: streamSequence, bytes: data.length }, reason);
      this.report(reason);
      return undefined;
    }
    const { change } = decoded;
    if (change.truncated) this.truncated++;
    const type = this.types.intern(change.resourceType);
    if (change.type === "DELETED") this.graph.deleteAsReplicated(this.cluster, type, change.object);
    else this.graph.upsert(this.cluster, type, change.object);
    return change;
  }
}
