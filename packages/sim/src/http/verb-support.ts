// What every verb handler shares: the request context, the addressed target, and the reading of
// common query parameters (selectors, includeObject, dryRun) and of the object answer.
import type { IncomingMessage, ServerResponse } from "node:http";
import { crdSelectableFields, excerpt } from "@meshsync/k8s";
import type { SimResourceType } from "../catalog.js";
import type { KubeObject } from "../object-api.js";
import { type Matcher, selectorMatcher } from "../selectors.js";
import { isEventsApiType } from "../store/event-versions.js";
import {
  asVersion,
  findCrd,
  type ListSnapshots,
  managerName,
  type ObjectStore,
  type WriteOptions,
} from "../store/index.js";
import { badRequest, notFound, StatusError } from "../store/status-error.js";
import type { WatchHub } from "../watch.js";
import { sendJson } from "./respond.js";
import { columnsFor, type IncludeObject, table, tableContentType, tableRow, wantsTable } from "./table.js";

export interface VerbContext {
  store: ObjectStore;
  hub: WatchHub;
  snapshots: ListSnapshots;
  logFollowIntervalMs: number;
}

export interface ResourceTarget {
  type: SimResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
  watchPath: boolean;
}

/**
 * A boolean query parameter as kube-apiserver decodes it (runtime.Convert_Slice_string_To_bool): absent,
 * "0" and "false" in any case are false; every other value, the empty one too, is true. So watch=1,
 * watch=true and watch=True all watch, and no spelling is refused.
 */
export function isTrue(value: string | null): boolean {
  return value !== null && value !== "0" && value.toLowerCase() !== "false";
}

export function includeObjectOf(query: URLSearchParams): IncludeObject {
  const value = query.get("includeObject");
  if (value === null || value === "") return "Metadata";
  if (value === "None" || value === "Metadata" || value === "Object") return value;
  throw badRequest(`unsupported includeObject value: ${excerpt(value)}`);
}

/** The request's selectors; a custom resource's field selector may use its CRD's selectableFields. */
export function matcherOf(
  store: ObjectStore,
  type: SimResourceType,
  query: URLSearchParams,
): Matcher | undefined {
  const fieldSelector = query.get("fieldSelector") ?? undefined;
  const crd = fieldSelector ? findCrd(store, type.group, type.name) : undefined;
  const matcher = selectorMatcher(
    query.get("labelSelector") ?? undefined,
    fieldSelector,
    type.group,
    type.kind,
    crd ? crdSelectableFields(crd, type.version) : [],
  );
  // events.k8s.io Events are stored as core Events, but their selectors name events.k8s.io fields.
  if (matcher && isEventsApiType(type)) return (obj) => matcher(asVersion(obj, type));
  return matcher;
}

export function intParam(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null || value === "") return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw badRequest(`invalid value for ${name}: ${excerpt(value)}`);
  return parsed;
}

export function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

/**
 * The write options a request asks for: its subresource, dryRun=All, and its field manager (an
 * Update, or the Apply of `applied` for a server-side apply).
 */
export function writeOptionsOf(
  req: IncomingMessage,
  subresource?: string,
  applied?: KubeObject,
): WriteOptions {
  const query = new URL(req.url ?? "/", "http://simulator").searchParams;
  const dryRun = query.getAll("dryRun");
  if (dryRun.some((value) => value !== "All")) {
    throw new StatusError(
      400,
      "BadRequest",
      `dryRun: Unsupported value: "${dryRun.join(",")}": supported values: "All"`,
    );
  }
  const name = managerName(query.get("fieldManager"), req.headers["user-agent"]);
  const options: WriteOptions = {
    fromClient: true,
    manager: applied ? { name, operation: "Apply", applied } : { name, operation: "Update" },
  };
  if (subresource !== undefined) options.subresource = subresource;
  if (dryRun.length > 0) options.dryRun = true;
  return options;
}

export function existing(context: VerbContext, target: ResourceTarget): KubeObject {
  const found = context.store.getStored(target.type, target.namespace, target.name!);
  if (!found) throw notFound({ group: target.type.group, resource: target.type.name }, target.name!);
  return found;
}

export function writeObject(
  req: IncomingMessage,
  res: ServerResponse,
  context: VerbContext,
  type: SimResourceType,
  status: number,
  obj: KubeObject,
  includeObject: IncludeObject = "Metadata",
) {
  if (wantsTable(req) && type.kind === obj.kind) {
    const columns = columnsFor(type, findCrd(context.store, type.group, type.name));
    const body = table(columns, [tableRow(obj, columns, includeObject, Date.now())], {
      resourceVersion: obj.metadata?.resourceVersion ?? "",
    });
    sendJson(res, status, body, tableContentType);
    return;
  }
  sendJson(res, status, obj);
}
