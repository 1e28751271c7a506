// Label and field selectors with the real server's syntax and its 400s for what it does not know.
import type { KubeObject } from "./object-api.js";
import { badRequest } from "./store/status-error.js";

export type Matcher = (obj: KubeObject) => boolean;

type LabelOperator = "=" | "!=" | "in" | "notin" | "exists" | "!exists";

interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

const labelKey =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const labelValue = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Parses a label selector ("app=web,tier in (a,b),!legacy"); a bad one is a 400. */
export function parseLabelSelector(text: string): Matcher {
  const requirements = parseLabelRequirements(text);
  return (obj) => {
    const labels = obj.metadata?.labels ?? {};
    return requirements.every((requirement) => matchesLabel(requirement, labels));
  };
}

function matchesLabel({ key, operator, values }: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, key);
  const value = labels[key];
  switch (operator) {
    case "exists":
      return has;
    case "!exists":
      return !has;
    case "=":
    case "in":
      return has && values.includes(value as string);
    case "!=":
    case "notin":
      return !has || !values.includes(value as string);
  }
}

function parseLabelRequirements(text: string): LabelRequirement[] {
  const requirements: LabelRequirement[] = [];
  let rest = text.trim();
  const fail = (why: string) => badRequest(`unable to parse requirement: ${why}`);
  while (rest.length > 0) {
    let negated = false;
    if (rest.startsWith("!")) {
      negated = true;
      rest = rest.slice(1).trimStart();
    }
    const keyMatch = /^[^\s,=!()]+/.exec(rest);
    if (!keyMatch) throw fail(`found '${rest[0]}', expected: identifier`);
    const key = keyMatch[0];
    if (!labelKey.test(key) || key.length > 317) throw fail(`invalid label key "${key}"`);
    rest = rest.slice(key.length).trimStart();
    if (negated) {
      requirements.push({ key, operator: "!exists", values: [] });
    } else if (rest === "" || rest.startsWith(",")) {
      requirements.push({ key, operator: "exists", values: [] });
    } else {
      const op = /^(==|=|!=|in\b|notin\b)/.exec(rest);
      if (!op) throw fail(`found '${rest.split(/\s/)[0]}', expected: in, notin, =, ==, !=`);
      rest = rest.slice(op[0].length).trimStart();
      if (op[0] === "in" || op[0] === "notin") {
        const set = /^\(([^)]*)\)/.exec(rest);
        if (!set) throw fail(`found '${rest[0] ?? ""}', expected: '('`);
        const values = set[1]!.split(",").map((value) => value.trim());
        for (const value of values) checkLabelValue(value);
        requirements.push({ key, operator: op[0], values });
        rest = rest.slice(set[0].length).trimStart();
      } else {
        const valueMatch = /^[^\s,()]*/.exec(rest)!;
        checkLabelValue(valueMatch[0]);
        requirements.push({ key, operator: op[0] === "!=" ? "!=" : "=", values: [valueMatch[0]] });
        rest = rest.slice(valueMatch[0].length).trimStart();
      }
    }
    if (rest.startsWith(",")) {
      rest = rest.slice(1).trimStart();
      if (rest === "") throw fail("found '', expected: identifier");
    } else if (rest !== "") {
      throw fail(`found '${rest[0]}', expected: ',' or end of string`);
    }
  }
  return requirements;
}

function checkLabelValue(value: string): void {
  if (!labelValue.test(value) || value.length > 63) {
    throw badRequest(`unable to parse requirement: invalid label value: "${value}"`);
  }
}

/** The field selectors the real server supports per kind, beyond metadata.name and metadata.namespace. */
const extraFields: Record<string, string[]> = {
  "/Pod": [
    "spec.nodeName",
    "spec.restartPolicy",
    "spec.schedulerName",
    "spec.serviceAccountName",
    "spec.hostNetwork",
    "status.phase",
    "status.podIP",
    "status.nominatedNodeName",
  ],
  "/Event": [
    "involvedObject.kind",
    "involvedObject.namespace",
    "involvedObject.name",
    "involvedObject.uid",
    "involvedObject.apiVersion",
    "involvedObject.resourceVersion",
    "involvedObject.fieldPath",
    "reason",
    "reportingComponent",
    "source",
    "type",
  ],
  "/Secret": ["type"],
  "/Namespace": ["status.phase"],
  "/Node": ["spec.unschedulable"],
  "/ReplicationController": ["status.replicas"],
  "apps/ReplicaSet": ["status.replicas"],
  "batch/Job": ["status.successful"],
  "/Service": ["spec.clusterIP", "spec.type"],
  "certificates.k8s.io/CertificateSigningRequest": ["spec.signerName"],
};

interface FieldRequirement {
  field: string;
  equals: boolean;
  value: string;
}

/** Parses a field selector for one kind; a field the kind does not support is a 400. */
export function parseFieldSelector(text: string, group: string, kind: string): Matcher {
  const supported = new Set([
    "metadata.name",
    "metadata.namespace",
    ...(extraFields[`${group}/${kind}`] ?? []),
  ]);
  const requirements: FieldRequirement[] = [];
  for (const part of splitUnescaped(text.trim(), ",")) {
    if (part.trim() === "") continue;
    const match = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/s.exec(part.trim());
    if (!match) throw badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
    const field = match[1]!.trim();
    if (!supported.has(field)) throw badRequest(`field label not supported: ${field}`);
    requirements.push({ field, equals: match[2] !== "!=", value: unescapeFieldValue(match[3]!) });
  }
  return (obj) =>
    requirements.every(({ field, equals, value }) => (fieldValue(obj, field) === value) === equals);
}

function fieldValue(obj: KubeObject, path: string): string {
  let current: unknown = obj;
  for (const part of path.split(".")) {
    if (typeof current !== "object" || current === null) return "";
    current = (current as Record<string, unknown>)[part];
  }
  if (typeof current === "string") return current;
  if (typeof current === "number" || typeof current === "boolean") return String(current);
  // Unset booleans read as false and unset numbers as 0 in the real server's field sets.
  if (path === "spec.hostNetwork" || path === "spec.unschedulable") return "false";
  if (path === "status.replicas" || path === "status.successful") return "0";
  return "";
}

function splitUnescaped(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = "";
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === "\\" && i + 1 < text.length) {
      current += char + text[i + 1];
      i++;
    } else if (char === separator) {
      parts.push(current);
      current = "";
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts;
}

function unescapeFieldValue(value: string): string {
  return value.replace(/\\(.)/g, "$1");
}

/** Both selectors of a request combined; undefined when neither is given. */
export function selectorMatcher(
  labelSelector: string | undefined,
  fieldSelector: string | undefined,
  group: string,
  kind: string,
): Matcher | undefined {
  const matchers: Matcher[] = [];
  if (labelSelector?.trim()) matchers.push(parseLabelSelector(labelSelector));
  if (fieldSelector?.trim()) matchers.push(parseFieldSelector(fieldSelector, group, kind));
  if (matchers.length === 0) return undefined;
  return (obj) => matchers.every((matcher) => matcher(obj));
}
