// list: resourceVersion semantics (unset, "0", N with resourceVersionMatch), limit/continue
// pagination over one consistent snapshot, selectors, and the Table form.

import type { IncomingMessage, ServerResponse } from "node:http";
import { excerpt } from "@meshsync/k8s";
import type { SimResourceType } from "../catalog.js";
import type { KubeObject } from "../object-api.js";
import type { Matcher } from "../selectors.js";
import {
  decodeContinue,
  encodeContinue,
  expired,
  findCrd,
  indexAfter,
  type ListSnapshots,
  type ObjectStore,
  objectKey,
} from "../store/index.js";
import { apiVersionOf } from "../store/registry.js";
import { badRequest, futureRevision, StatusError, tooLargeResourceVersion } from "../store/status-error.js";
import { splitAroundItems, streamJsonArray } from "./stream-json.js";
import { columnsFor, type IncludeObject, table, tableContentType, tableRow, wantsTable } from "./table.js";

export interface ListQuery {
  namespace?: string;
  matcher?: Matcher;
  limit?: number;
  continueToken?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface ListPage {
  items: KubeObject[];
  resourceVersion: number;
  continueToken?: string;
  remainingItemCount?: number;
}

const expiredContinueMessage =
  "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

/**
 * Whether a list is read at exactly its resourceVersion (from etcd, here the history) rather than
 * at least as new as it (from the watch cache): resourceVersionMatch=Exact, or a paged legacy read.
 */
function servedExactly(query: ListQuery): boolean {
  const rv = query.resourceVersion ?? "";
  const match = query.resourceVersionMatch ?? "";
  return match === "Exact" || (match === "" && rv !== "" && rv !== "0" && (query.limit ?? 0) > 0);
}

/**
 * The resourceVersion the watch cache must reach before it can answer this list, when it serves it
 * and the version is a number: the caller waits for that (up to 3 s) before reading the page.
 */
export function cacheWaitTarget(query: ListQuery): number | undefined {
  const rv = query.resourceVersion ?? "";
  if (query.continueToken || rv === "" || rv === "0" || servedExactly(query)) return undefined;
  const requested = Number(rv);
  return Number.isInteger(requested) && requested > 0 ? requested : undefined;
}

/** Reads one page of a list, following the real server's rules for every parameter combination. */
export function readListPage(
  store: ObjectStore,
  snapshots: ListSnapshots,
  type: SimResourceType,
  query: ListQuery,
): ListPage {
  const scope = `${type.group}/${type.name}/${type.namespaced ? (query.namespace ?? "") : ""}`;
  const rvParam = query.resourceVersion ?? "";
  const match = query.resourceVersionMatch ?? "";
  if (match && match !== "Exact" && match !== "NotOlderThan") {
    throw new StatusError(
      422,
      "Invalid",
      `resourceVersionMatch: Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`,
    );
  }
  if (match && rvParam === "") {
    throw new StatusError(
      422,
      "Invalid",
      "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided",
    );
  }
  let items: KubeObject[];
  let rv: number;
  let start = 0;
  if (query.continueToken) {
    if (rvParam !== "" && rvParam !== "0") {
      throw new StatusError(
        422,
        "Invalid",
        "resourceVersion: Forbidden: specifying resource version is not allowed when using continue",
      );
    }
    const token = decodeContinue(query.continueToken);
    if (!token)
      throw badRequest(
        "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)",
      );
    const snapshot = store.history.canResumeFrom(token.resourceVersion)
      ? snapshots.find(scope, token.resourceVersion)
      : undefined;
    if (!snapshot) throw expired(expiredContinueMessage);
    items = snapshot;
    rv = token.resourceVersion;
    start = indexAfter(items, token.start);
  } else {
    const requested = rvParam === "" || rvParam === "0" ? undefined : Number(rvParam);
    if (requested !== undefined && (!Number.isInteger(requested) || requested < 0)) {
      throw badRequest(`invalid resource version: ${excerpt(rvParam)}`);
    }
    const exact = servedExactly(query);
    if (requested !== undefined && requested > store.resourceVersion) {
      // An exact read goes to etcd, which has no such revision yet; any other is the watch cache's,
      // which has already waited for it (cacheWaitTarget).
      throw exact ? futureRevision() : tooLargeResourceVersion(requested, store.resourceVersion);
    }
    const namespace = type.namespaced ? query.namespace : undefined;
    if (requested !== undefined && exact) {
      const past = store.listAt(type, namespace, requested);
      if (!past) throw expired(`too old resource version: ${requested} (${store.history.oldestResumable})`);
      items = past;
      rv = requested;
    } else {
      items = store.listStored(type, namespace);
      rv = store.resourceVersion;
    }
  }
  // The watch cache answers resourceVersion=0 whole, whatever the limit.
  const limit = rvParam === "0" && !query.continueToken ? 0 : (query.limit ?? 0);
  if (limit <= 0 && start === 0) {
    return { items: query.matcher ? items.filter(query.matcher) : items, resourceVersion: rv };
  }
  const page: KubeObject[] = [];
  let index = start;
  for (; index < items.length && (limit <= 0 || page.length < limit); index++) {
    const item = items[index]!;
    if (!query.matcher || query.matcher(item)) page.push(item);
  }
  const result: ListPage = { items: page, resourceVersion: rv };
  if (index < items.length) {
    snapshots.remember(scope, rv, items);
    result.continueToken = encodeContinue({ resourceVersion: rv, start: objectKey(items[index - 1]!) });
    if (!query.matcher) result.remainingItemCount = items.length - index;
  } else {
    snapshots.finish(scope, rv);
  }
  return result;
}

/** Writes a page as a typed list (items without kind/apiVersion, as the real server encodes them) or a Table. */
export async function writeList(
  req: IncomingMessage,
  res: ServerResponse,
  store: ObjectStore,
  type: SimResourceType,
  page: ListPage,
  includeObject: IncludeObject,
): Promise<void> {
  const metadata: Record<string, unknown> = { resourceVersion: String(page.resourceVersion) };
  if (page.continueToken) metadata.continue = page.continueToken;
  if (page.remainingItemCount !== undefined) metadata.remainingItemCount = page.remainingItemCount;
  if (wantsTable(req)) {
    const columns = columnsFor(type, findCrd(store, type.group, type.name));
    const now = Date.now();
    const { prefix, suffix } = splitAroundItems(table(columns, [], metadata), "rows");
    const rows = page.items.map((obj) => tableRow(obj, columns, includeObject, now));
    await streamJsonArray(res, 200, tableContentType, prefix, rows, suffix);
    return;
  }
  const custom = findCrd(store, type.group, type.name) !== undefined;
  const envelope = { kind: `${type.kind}List`, apiVersion: apiVersionOf(type.group, type.version), metadata };
  const { prefix, suffix } = splitAroundItems(envelope);
  const items = custom ? page.items : page.items.map(withoutTypeMeta);
  await streamJsonArray(res, 200, "application/json", prefix, items, suffix);
}

// Typed lists drop each item's kind/apiVersion; custom resources (unstructured) keep them.
function withoutTypeMeta(obj: KubeObject): KubeObject {
  const { kind: _kind, apiVersion: _apiVersion, ...rest } = obj;
  return rest;
}
