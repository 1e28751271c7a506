// The Table form `kubectl get` asks for (Accept: application/json;as=Table;v=v1;g=meta.k8s.io):
// column definitions and one row of cells per object, as the real server's printers produce.
import type { IncomingMessage } from "node:http";
import type { SimResourceType } from "../catalog.js";
import type { KubeObject } from "../object-api.js";
import { isEventsApiType, toCoreEvent } from "../store/event-versions.js";
import { isPlainObject } from "../store/object-meta.js";
import { clusterColumns } from "./cluster-printers.js";
import { compileJsonPath } from "./json-path.js";
import { ageColumn, field, list, nameColumn, type TableColumn } from "./printer-columns.js";
import { serviceColumns } from "./service-printers.js";
import { workloadColumns } from "./workload-printers.js";

/** The built-in kinds' columns, by `<group>/<kind>`. */
const columnsByKind: Readonly<Record<string, TableColumn[]>> = {
  ...workloadColumns,
  ...serviceColumns,
  ...clusterColumns,
};

export { age, type TableColumn } from "./printer-columns.js";

type Obj = Record<string, unknown>;

export const tableContentType = "application/json;as=Table;v=v1;g=meta.k8s.io";

export function wantsTable(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? "";
  return accept
    .split(",")
    .some((part) => /as=Table/.test(part) && /g=meta\.k8s\.io/.test(part) && /v=v1(;|$|\s)/.test(part));
}

// events.k8s.io Events print as core Events do (the real server has one printer for both), read
// from the core form they are stored in.
const eventsApiColumns: TableColumn[] = (columnsByKind["/Event"] ?? []).map((col) => ({
  ...col,
  value: (obj, now) => col.value(toCoreEvent(obj), now),
}));

/** Columns for a type; custom resources add their CRD's additionalPrinterColumns. */
export function columnsFor(type: SimResourceType, crd: KubeObject | undefined): TableColumn[] {
  const key = `${type.group}/${type.kind}`;
  if (isEventsApiType(type)) return eventsApiColumns;
  const known = columnsByKind[key];
  if (known) return known;
  if (!crd) return [nameColumn, ageColumn];
  const version = list(field(crd, "spec", "versions")).find((entry) => field(entry, "name") === type.version);
  const extra = list(field(version, "additionalPrinterColumns")).filter(isPlainObject).map(printerColumn);
  const hasAge = extra.some((col) => col.name === "Age");
  return [nameColumn, ...extra, ...(hasAge ? [] : [ageColumn])];
}

function printerColumn(definition: Obj): TableColumn {
  const jsonPath = typeof definition.jsonPath === "string" ? definition.jsonPath : "";
  const type = typeof definition.type === "string" ? definition.type : "string";
  const find = compileJsonPath(jsonPath);
  const columnType: TableColumn["type"] =
    type === "integer" || type === "number" || type === "boolean" || type === "date" ? type : "string";
  return {
    name: typeof definition.name === "string" ? definition.name : jsonPath,
    type: columnType,
    format: typeof definition.format === "string" ? definition.format : "",
    description: typeof definition.description === "string" ? definition.description : "",
    priority: typeof definition.priority === "number" ? definition.priority : 0,
    // The real printer shows the first value found, or nothing.
    value: (obj) => cellOf(columnType, find(obj)[0]),
  };
}

function cellOf(type: TableColumn["type"], value: unknown): unknown {
  if (value === undefined || value === null) return null;
  switch (type) {
    case "integer":
      return typeof value === "number" ? Math.trunc(value) : null;
    case "number":
      return typeof value === "number" ? value : null;
    case "boolean":
      return typeof value === "boolean" ? value : null;
    default:
      return typeof value === "object" ? JSON.stringify(value) : value;
  }
}

export type IncludeObject = "None" | "Metadata" | "Object";

export function tableRow(obj: KubeObject, columns: TableColumn[], include: IncludeObject, now: number): Obj {
  const row: Obj = { cells: columns.map((col) => col.value(obj, now)) };
  if (include === "Object") row.object = obj;
  else if (include === "Metadata") {
    row.object = { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: obj.metadata };
  }
  return row;
}

export function columnDefinitions(columns: TableColumn[]): Obj[] {
  return columns.map(({ name, type, format, description, priority }) => ({
    name,
    type,
    format,
    description,
    priority,
  }));
}

export function table(columns: TableColumn[], rows: Obj[], listMeta: Obj): Obj {
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: listMeta,
    columnDefinitions: columnDefinitions(columns),
    rows,
  };
}
