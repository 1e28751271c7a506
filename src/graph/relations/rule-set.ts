import {
  groupOf,
  type KubeObject,
  type LabelSelector,
  labelSelectorOfMap,
  labelSelectorOfObject,
  type OwnerReference,
} from "@meshsync/k8s";
import { type FieldPath, FieldPathError, parseFieldPath, readPath, readString } from "./field-path.js";
import {
  type KindRef,
  type OwnerRule,
  type RefRule,
  type RelationRule,
  relationRulesSchema,
  type SelectorRule,
} from "./rule-schema.js";

/** What an object's own fields say it points at; resolved to objects by the RelationIndex. */
export type Reference = NameReference | UidReference | SelectorReference;

export interface NameReference {
  readonly form: "name";
  readonly type: string;
  readonly group: string;
  readonly kind: string;
  /** The namespace named, or the object's own; null when the kind named is cluster-scoped. */
  readonly namespace: string | null;
  readonly name: string;
}

export interface UidReference {
  readonly form: "uid";
  readonly type: string;
  readonly uid: string;
}

export interface SelectorReference {
  readonly form: "selector";
  readonly type: string;
  readonly group: string;
  readonly kind: string;
  /** Where what it selects lives: one namespace, or (null) every namespace `namespaces` matches. */
  readonly namespace: string | null;
  readonly selector: LabelSelector;
  readonly namespaces?: LabelSelector;
  /** The selectors' requirements as text: two references are the same when their signatures are. */
  readonly signature: string;
}

export class RelationRuleError extends Error {
  override name = "RelationRuleError";
}

/** Whether a kind is namespaced, as far as the clusters' discovery (or the built-in table) knows. */
export type ScopeOf = (group: string, kind: string) => boolean | undefined;

const kindKey = (group: string, kind: string) => `${group}/${kind}`;

interface CompiledRef {
  readonly type: string;
  readonly paths: readonly FieldPath[];
  readonly to: KindRef | undefined;
  readonly name: FieldPath;
  readonly namespace?: FieldPath;
  readonly kind?: FieldPath;
  readonly group?: FieldPath;
  readonly apiVersion?: FieldPath;
  readonly uid?: FieldPath;
}

interface CompiledSelector {
  readonly type: string;
  readonly paths: readonly FieldPath[];
  readonly to: KindRef;
  readonly read: (value: unknown) => LabelSelector | undefined;
  readonly objects?: FieldPath;
  readonly namespaces?: FieldPath;
}

export interface CompiledOwnerRule {
  readonly type: string;
  readonly controllerOnly: boolean;
  /** Kind keys; undefined for any kind. */
  readonly owners: ReadonlySet<string> | undefined;
  readonly owned: ReadonlySet<string> | undefined;
}

interface KindRules {
  readonly refs: CompiledRef[];
  readonly selectors: CompiledSelector[];
}

const optionalPath = (text: string | undefined) => (text === undefined ? undefined : parseFieldPath(text));
const kindSet = (kinds: readonly KindRef[] | undefined) =>
  kinds === undefined ? undefined : new Set(kinds.map((k) => kindKey(k.group, k.kind)));

function compileRef(rule: RefRule): CompiledRef {
  const { ref } = rule;
  if (ref.to === undefined && ref.kind === undefined)
    throw new RelationRuleError(
      `relation ${rule.type}: a ref names its kind by \`to\`, by a \`kind\` field, or both`,
    );
  return {
    type: rule.type,
    paths: ref.paths.map(parseFieldPath),
    to: ref.to,
    name: parseFieldPath(ref.name),
    ...(ref.namespace !== undefined ? { namespace: parseFieldPath(ref.namespace) } : {}),
    ...(ref.kind !== undefined ? { kind: parseFieldPath(ref.kind) } : {}),
    ...(ref.group !== undefined ? { group: parseFieldPath(ref.group) } : {}),
    ...(ref.apiVersion !== undefined ? { apiVersion: parseFieldPath(ref.apiVersion) } : {}),
    ...(ref.uid !== undefined ? { uid: parseFieldPath(ref.uid) } : {}),
  };
}

function compileSelector(rule: SelectorRule): CompiledSelector {
  const { selector } = rule;
  const objects = optionalPath(selector.objects);
  const namespaces = optionalPath(selector.namespaces);
  return {
    type: rule.type,
    paths: selector.paths.map(parseFieldPath),
    to: selector.to,
    read: selector.form === "map" ? labelSelectorOfMap : labelSelectorOfObject,
    ...(objects !== undefined ? { objects } : {}),
    ...(namespaces !== undefined ? { namespaces } : {}),
  };
}

const signatureOf = (selector: LabelSelector) => JSON.stringify(selector.requirements);

/** The selector that selects everything: a peer with only a namespace selector selects every pod there. */
const everything = labelSelectorOfObject({}) as LabelSelector;

/**
 * The relation rules, compiled and filed by the kind they read, so that an object of a kind no rule
 * reads costs one map lookup. Built from data (rule-schema.ts): the built-in rules and an operator's.
 */
export class RuleSet {
  readonly owners: readonly CompiledOwnerRule[];
  /** The types of `definition` rules: custom resource -> CustomResourceDefinition. */
  readonly definitions: readonly string[];
  /** Every relation type the rules give, for validating what a query asks for. */
  readonly types: ReadonlySet<string>;
  /** The kinds selector rules select (`group/kind`): the graph files their labels by namespace. */
  readonly selectedKinds: ReadonlySet<string>;
  private readonly byKind = new Map<string, KindRules>();

  constructor(rules: readonly unknown[]) {
    const parsed = relationRulesSchema.safeParse(rules);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new RelationRuleError(
        `relation rule ${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"}`.replace(" :", ":"),
      );
    }
    const owners: CompiledOwnerRule[] = [];
    const definitions: string[] = [];
    const selectedKinds = new Set<string>();
    (parsed.data as RelationRule[]).forEach((rule, index) => {
      try {
        if ("owner" in rule) owners.push(compileOwner(rule));
        else if ("definition" in rule) definitions.push(rule.type);
        else if ("ref" in rule) {
          const compiled = compileRef(rule);
          this.file(rule.from, (k) => k.refs.push(compiled));
        } else {
          const compiled = compileSelector(rule);
          this.file(rule.from, (k) => k.selectors.push(compiled));
          selectedKinds.add(kindKey(compiled.to.group, compiled.to.kind));
        }
      } catch (error) {
        if (!(error instanceof FieldPathError) && !(error instanceof RelationRuleError)) throw error;
        throw new RelationRuleError(
          `relation rule ${index} (${rule.type}): ${error.message.replace(/^relation \S+: /, "")}`,
        );
      }
    });
    this.owners = owners;
    this.definitions = definitions;
    this.selectedKinds = selectedKinds;
    this.types = new Set((parsed.data as RelationRule[]).map((rule) => rule.type));
  }

  private file(kinds: readonly KindRef[], add: (rules: KindRules) => void): void {
    for (const { group, kind } of kinds) {
      const key = kindKey(group, kind);
      let rules = this.byKind.get(key);
      if (rules === undefined) {
        rules = { refs: [], selectors: [] };
        this.byKind.set(key, rules);
      }
      add(rules);
    }
  }

  /** Whether any ref or selector rule reads objects of this kind. */
  reads(group: string, kind: string): boolean {
    return this.byKind.has(kindKey(group, kind));
  }

  /**
   * What an object's fields point at, each distinct reference once. `namespace` is the object's own
   * (null when cluster-scoped); `scopeOf` says whether a named kind is namespaced.
   */
  referencesOf(
    group: string,
    kind: string,
    namespace: string | null,
    object: KubeObject,
    scopeOf: ScopeOf,
  ): Reference[] {
    const rules = this.byKind.get(kindKey(group, kind));
    if (rules === undefined) return [];
    const out = new Map<string, Reference>();
    for (const rule of rules.refs)
      for (const path of rule.paths)
        for (const value of readPath(object, path)) {
          const reference = nameOrUid(rule, value, namespace, scopeOf);
          if (reference === undefined) continue;
          const key =
            reference.form === "uid"
              ? `${reference.type}|uid|${reference.uid}`
              : `${reference.type}|${reference.group}|${reference.kind}|${reference.namespace}|${reference.name}`;
          if (!out.has(key)) out.set(key, reference);
        }
    for (const rule of rules.selectors)
      for (const path of rule.paths)
        for (const value of readPath(object, path)) {
          const reference = selectorOf(rule, value, namespace);
          if (reference === undefined) continue;
          const key = `${reference.type}|sel|${reference.namespace}|${reference.signature}`;
          if (!out.has(key)) out.set(key, reference);
        }
    return [...out.values()];
  }
}

function compileOwner(rule: OwnerRule): CompiledOwnerRule {
  return {
    type: rule.type,
    controllerOnly: rule.owner.controller,
    owners: kindSet(rule.owner.owners),
    owned: kindSet(rule.owner.owned),
  };
}

/** Whether an ownerReference of an object of this kind counts for an owner rule. */
export function ownerRuleApplies(
  rule: CompiledOwnerRule,
  owned: { readonly apiVersion: string; readonly kind: string },
  reference: OwnerReference,
): boolean {
  if (rule.controllerOnly && reference.controller !== true) return false;
  if (rule.owned !== undefined && !rule.owned.has(kindKey(groupOf(owned.apiVersion), owned.kind)))
    return false;
  if (
    rule.owners !== undefined &&
    !rule.owners.has(kindKey(groupOf(reference.apiVersion ?? ""), reference.kind))
  )
    return false;
  return true;
}

function nameOrUid(
  rule: CompiledRef,
  value: unknown,
  namespace: string | null,
  scopeOf: ScopeOf,
): NameReference | UidReference | undefined {
  if (typeof value === "string") {
    if (value === "" || rule.to === undefined) return undefined;
    return named(rule.type, rule.to.group, rule.to.kind, undefined, value, namespace, scopeOf);
  }
  const uid = readString(value, rule.uid);
  if (uid !== undefined) return { form: "uid", type: rule.type, uid };
  const name = readString(value, rule.name);
  const kind = readString(value, rule.kind) ?? rule.to?.kind;
  if (name === undefined || kind === undefined) return undefined;
  const apiVersion = readString(value, rule.apiVersion);
  const group =
    readString(value, rule.group) ??
    (apiVersion !== undefined ? groupOf(apiVersion) : undefined) ??
    rule.to?.group ??
    "";
  return named(rule.type, group, kind, readString(value, rule.namespace), name, namespace, scopeOf);
}

function named(
  type: string,
  group: string,
  kind: string,
  given: string | undefined,
  name: string,
  own: string | null,
  scopeOf: ScopeOf,
): NameReference {
  // A cluster-scoped kind has no namespace whatever a reference says; a namespaced one is in the
  // namespace the reference names, or in the referrer's own.
  const namespaced = scopeOf(group, kind) ?? (given !== undefined || own !== null);
  return { form: "name", type, group, kind, namespace: namespaced ? (given ?? own) : null, name };
}

function selectorOf(
  rule: CompiledSelector,
  value: unknown,
  own: string | null,
): SelectorReference | undefined {
  const base = { form: "selector", type: rule.type, group: rule.to.group, kind: rule.to.kind } as const;
  if (rule.objects === undefined && rule.namespaces === undefined) {
    const selector = rule.read(value);
    if (selector === undefined || own === null) return undefined;
    return { ...base, namespace: own, selector, signature: signatureOf(selector) };
  }
  // A peer: its object selector, its namespace selector, or both; neither (an ipBlock) selects no object.
  const objectsValue = rule.objects === undefined ? undefined : readPath(value, rule.objects)[0];
  const namespacesValue = rule.namespaces === undefined ? undefined : readPath(value, rule.namespaces)[0];
  if (objectsValue === undefined && namespacesValue === undefined) return undefined;
  const selector = objectsValue === undefined ? everything : rule.read(objectsValue);
  if (selector === undefined) return undefined;
  if (namespacesValue === undefined) {
    if (own === null) return undefined;
    return { ...base, namespace: own, selector, signature: signatureOf(selector) };
  }
  const namespaces = labelSelectorOfObject(namespacesValue);
  if (namespaces === undefined) return undefined;
  return {
    ...base,
    namespace: null,
    selector,
    namespaces,
    signature: `${signatureOf(selector)}|${signatureOf(namespaces)}`,
  };
}
