import type { KubeObject } from "../../object-api.js";
import { sliceEndpoint } from "../kinds/service.js";
import { type ChurnContext, endpointSlices, endpoints } from "./churn-context.js";
import { child, labelsMatch, record, records, text } from "./fields.js";

const maxEndpointsPerSlice = 100;

/** Names of the services whose selector matches the pod. */
function servicesSelecting(ctx: ChurnContext, pod: KubeObject): string[] {
  const names: string[] = [];
  for (const [name, selector] of ctx.index.serviceSelectors(pod.metadata?.namespace ?? "")) {
    if (labelsMatch(selector, pod.metadata?.labels)) names.push(name);
  }
  return names;
}

/** A service's slices, fresh from the store, found through the index. */
function slicesOf(ctx: ChurnContext, namespace: string, service: string): KubeObject[] {
  const slices: KubeObject[] = [];
  for (const name of ctx.index.slicesOf(namespace, service)) {
    const slice = ctx.read(endpointSlices, namespace, name);
    if (slice) slices.push(slice);
    else ctx.index.deleted("endpointslices", namespace, name);
  }
  return slices;
}

function targetUid(endpoint: Record<string, unknown>): string {
  return text(record(endpoint.targetRef).uid);
}

function touch(slice: KubeObject, ctx: ChurnContext): void {
  const annotations = slice.metadata?.annotations ?? {};
  annotations["endpoints.kubernetes.io/last-change-trigger-time"] = ctx.stamp.timestamp();
  if (slice.metadata) slice.metadata.annotations = annotations;
}

/** Rewrites the core/v1 Endpoints of a service from its slices, as the endpoints controller does. */
function syncEndpoints(ctx: ChurnContext, namespace: string, service: string): void {
  const current = ctx.read(endpoints, namespace, service);
  if (!current) return;
  const ready: Record<string, unknown>[] = [];
  const notReady: Record<string, unknown>[] = [];
  let ports: unknown[] = [];
  for (const slice of slicesOf(ctx, namespace, service)) {
    if (Array.isArray(slice.ports)) ports = structuredClone(slice.ports);
    for (const endpoint of records(slice.endpoints)) {
      const address: Record<string, unknown> = { ip: (endpoint.addresses as unknown[] | undefined)?.[0] };
      if (endpoint.nodeName) address.nodeName = endpoint.nodeName;
      if (endpoint.targetRef) address.targetRef = structuredClone(endpoint.targetRef);
      (record(endpoint.conditions).ready === true ? ready : notReady).push(address);
    }
  }
  const subset: Record<string, unknown> = { ports };
  if (ready.length > 0) subset.addresses = ready;
  if (notReady.length > 0) subset.notReadyAddresses = notReady;
  current.subsets = ready.length + notReady.length > 0 ? [subset] : [];
  ctx.update(endpoints, current);
}

/** Adds a now-running pod to a slice of every service that selects it. */
export function addPodToSlices(ctx: ChurnContext, pod: KubeObject): void {
  const namespace = pod.metadata?.namespace ?? "";
  const status = record(pod.status);
  const ip = text(status.podIP);
  if (!ip) return;
  for (const serviceName of servicesSelecting(ctx, pod)) {
    const slices = slicesOf(ctx, namespace, serviceName);
    const slice = slices.find((candidate) => records(candidate.endpoints).length < maxEndpointsPerSlice);
    if (!slice) continue;
    const list = Array.isArray(slice.endpoints) ? slice.endpoints : [];
    const uid = pod.metadata?.uid ?? "";
    if (records(list).some((endpoint) => targetUid(endpoint) === uid)) continue;
    list.push(
      sliceEndpoint({
        ip,
        nodeName: text(record(pod.spec).nodeName),
        pod: { name: pod.metadata?.name ?? "", namespace, uid },
      }),
    );
    slice.endpoints = list;
    touch(slice, ctx);
    ctx.update(endpointSlices, slice);
    syncEndpoints(ctx, namespace, serviceName);
  }
}

/** Applies a change to every endpoint that targets the pod, in the slices of the services selecting it. */
function editPodEndpoints(
  ctx: ChurnContext,
  pod: KubeObject,
  edit: (endpoints: Record<string, unknown>[]) => Record<string, unknown>[],
): void {
  const namespace = pod.metadata?.namespace ?? "";
  const podUid = pod.metadata?.uid ?? "";
  for (const serviceName of servicesSelecting(ctx, pod)) {
    let changed = false;
    for (const slice of slicesOf(ctx, namespace, serviceName)) {
      if (!records(slice.endpoints).some((endpoint) => targetUid(endpoint) === podUid)) continue;
      slice.endpoints = edit(records(slice.endpoints));
      touch(slice, ctx);
      ctx.update(endpointSlices, slice);
      changed = true;
    }
    if (changed) syncEndpoints(ctx, namespace, serviceName);
  }
}

export function removePodFromSlices(ctx: ChurnContext, pod: KubeObject): void {
  const podUid = pod.metadata?.uid ?? "";
  editPodEndpoints(ctx, pod, (list) => list.filter((endpoint) => targetUid(endpoint) !== podUid));
}

export function setPodReadyInSlices(ctx: ChurnContext, pod: KubeObject, ready: boolean): void {
  const podUid = pod.metadata?.uid ?? "";
  editPodEndpoints(ctx, pod, (list) => {
    for (const endpoint of list) {
      if (targetUid(endpoint) !== podUid) continue;
      const conditions = child(endpoint, "conditions");
      conditions.ready = ready;
      conditions.serving = ready;
      conditions.terminating = false;
    }
    return list;
  });
}
