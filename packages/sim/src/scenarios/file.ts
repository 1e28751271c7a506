import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "../object-api.js";
import { ScenarioError } from "./scenario-error.js";
import { ScenarioBuilder } from "./stamp.js";

/** True when a scenario name refers to a file rather than a built-in scenario. */
export function isFileScenario(name: string): boolean {
  return name.startsWith("file:") || /\.(ya?ml|json)$/i.test(name);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Flattens documents, arrays and `kind: List` wrappers into single objects. */
function collect(value: unknown, out: unknown[]): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    for (const item of value) collect(item, out);
  } else if (
    isObject(value) &&
    Array.isArray(value.items) &&
    typeof value.kind === "string" &&
    value.kind.endsWith("List")
  ) {
    for (const item of value.items) collect(item, out);
  } else {
    out.push(value);
  }
}

/**
 * Reads objects from a YAML (multi-document) or JSON file. Every object needs apiVersion, kind and
 * metadata.name; a missing uid or creationTimestamp is filled from the seed so owner links can be made.
 */
export function loadScenarioFile(name: string, seed: number): KubeObject[] {
  const path = name.startsWith("file:") ? name.slice("file:".length) : name;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ScenarioError(
      `scenario file ${path} cannot be read: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const values: unknown[] = [];
  if (/\.json$/i.test(path)) {
    try {
      collect(JSON.parse(text), values);
    } catch (error) {
      throw new ScenarioError(
        `scenario file ${path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  } else {
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0) {
        throw new ScenarioError(
          `scenario file ${path} is not valid YAML: ${doc.errors[0]?.message ?? "parse error"}`,
        );
      }
      collect(doc.toJS(), values);
    }
  }
  const stamp = new ScenarioBuilder(seed);
  return values.map((value, index) => {
    const where = `scenario file ${path}, object ${index + 1}`;
    if (!isObject(value)) throw new ScenarioError(`${where} is not an object`);
    if (typeof value.apiVersion !== "string" || value.apiVersion === "")
      throw new ScenarioError(`${where} has no apiVersion`);
    if (typeof value.kind !== "string" || value.kind === "") throw new ScenarioError(`${where} has no kind`);
    const metadata = value.metadata;
    if (!isObject(metadata) || typeof metadata.name !== "string" || metadata.name === "") {
      throw new ScenarioError(`${where} (${value.kind}) has no metadata.name`);
    }
    if (typeof metadata.uid !== "string") metadata.uid = stamp.uid();
    if (typeof metadata.creationTimestamp !== "string") metadata.creationTimestamp = stamp.timestamp();
    return value as KubeObject;
  });
}
