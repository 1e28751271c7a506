import type { Random } from "../../random.js";
import { nodeZone } from "../kinds/node.js";
import type { PodPlacement } from "../kinds/pod.js";
import { nodeIp, podIp } from "../network.js";

export interface Placement extends PodPlacement {
  zone: string;
}

/** Every node's pod capacity (status.capacity.pods). */
const maxPodsPerNode = 110;

/** Places pods on nodes the way a spreading scheduler would, handing out pod IPs from each node's range. */
export class Scheduler {
  private readonly used: number[];

  constructor(
    private readonly random: Random,
    private readonly nodeNames: readonly string[],
    private readonly controlPlanes: number,
  ) {
    this.used = new Array<number>(nodeNames.length).fill(0);
  }

  /** A pod on a given node (DaemonSet and static pods). */
  onNode(index: number): Placement {
    const slot = this.used[index] ?? 0;
    this.used[index] = slot + 1;
    return {
      nodeName: this.nodeNames[index] ?? "",
      hostIp: nodeIp(index),
      podIp: podIp(index, slot),
      zone: nodeZone(index),
    };
  }

  /** A pod on a worker with room left; control-plane nodes are tainted against ordinary pods. */
  anyWorker(): Placement {
    const first = this.nodeNames.length > this.controlPlanes ? this.controlPlanes : 0;
    const count = this.nodeNames.length - first;
    let index = first + Math.floor(this.random.next() * count);
    for (let tries = 0; tries < count; tries++) {
      if ((this.used[index] ?? 0) < maxPodsPerNode) return this.onNode(index);
      index = index + 1 < this.nodeNames.length ? index + 1 : first;
    }
    throw new RangeError(`the cluster is full: ${count} nodes of ${maxPodsPerNode} pods each`);
  }
}
