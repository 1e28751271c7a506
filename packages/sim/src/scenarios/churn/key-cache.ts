import type { KubeObject } from "../../object-api.js";
import type { Random } from "../../random.js";
import type { ChurnContext, PodKey, ResourceRef } from "./churn-context.js";

/**
 * Steps between refreshes. A refresh copies every object of the type out of the store, so big
 * lists are refreshed less often, keeping the cost per step about constant.
 */
const minRefreshEvery = 200;
const refreshEmptyEvery = 20;

/** A periodically refreshed list of object keys to pick from; picks may be stale, reads tell. */
export class KeyCache {
  private keys: PodKey[] = [];
  private age = Number.POSITIVE_INFINITY;

  constructor(
    private readonly ctx: ChurnContext,
    private readonly ref: ResourceRef,
    private readonly accept: (object: KubeObject) => boolean = () => true,
  ) {}

  pick(random: Random): PodKey | undefined {
    this.age++;
    const due =
      this.keys.length === 0
        ? this.age > refreshEmptyEvery
        : this.age > Math.max(minRefreshEvery, this.keys.length / 2);
    if (due) this.refresh();
    return this.keys.length === 0 ? undefined : random.pick(this.keys);
  }

  private refresh(): void {
    this.age = 0;
    this.keys = [];
    for (const object of this.ctx.list(this.ref)) {
      const name = object.metadata?.name;
      if (name && this.accept(object)) this.keys.push({ namespace: object.metadata?.namespace ?? "", name });
    }
  }
}

/** Objects the churn leaves alone: the control plane's own. */
export function isSystem(object: KubeObject): boolean {
  const ns = object.metadata?.namespace;
  return ns === "kube-system" || ns === "kube-public";
}
