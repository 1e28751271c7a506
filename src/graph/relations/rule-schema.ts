import { z } from "zod";

/**
 * Relation rules as data: what the built-in rules are written in and what an operator adds in the
 * config file's `relations:` list for their CRDs. Three shapes, one mechanism each:
 * - `owner`: ownerReferences, from the owner to the owned;
 * - `ref`: a field path that names another object (by name, or by uid), from the object to it;
 * - `selector`: a field path holding a label selector, from the object to what it selects.
 * (`definition` relates a custom resource to its CustomResourceDefinition; it needs no fields.)
 */

const name = z.string().min(1).max(253);
/** The empty string is the core group. */
const group = z.string().max(253);

export const kindRefSchema = z.strictObject({ kind: name, group: group.default("") });

/** A field path (src/graph/relations/field-path.ts), relative to the object or to the element a path reached. */
const path = z.string().min(1).max(512);

/** A stable name: lower-case words joined by `-`, as `runs-on`. */
const relationType = z
  .string()
  .regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, "a relation type is lower-case words joined by '-', e.g. runs-on")
  .max(63);

const fromKinds = z.array(kindRefSchema).min(1).max(64);

const ownerRule = z.strictObject({
  type: relationType,
  owner: z.strictObject({
    /** Owners of these kinds only; any kind when absent. */
    owners: z.array(kindRefSchema).max(64).optional(),
    /** Owned objects of these kinds only; any kind when absent. */
    owned: z.array(kindRefSchema).max(64).optional(),
    /** Only the controller reference (controller: true). */
    controller: z.boolean().default(false),
  }),
});

const refRule = z.strictObject({
  type: relationType,
  from: fromKinds,
  ref: z.strictObject({
    /** Where the references are: a name (a string), or an object whose fields below say what it names. */
    paths: z.array(path).min(1).max(32),
    /** The kind named; absent when the reference carries its kind (`kind` below). */
    to: kindRefSchema.optional(),
    /** Inside a referencing object: the fields with the name, namespace, kind, group or apiVersion, uid. */
    name: path.default("name"),
    namespace: path.optional(),
    kind: path.optional(),
    group: path.optional(),
    apiVersion: path.optional(),
    uid: path.optional(),
  }),
});

const selectorRule = z.strictObject({
  type: relationType,
  from: fromKinds,
  selector: z.strictObject({
    /** Where the selectors are. */
    paths: z.array(path).min(1).max(32),
    to: kindRefSchema,
    /**
     * `labelSelector` (matchLabels and matchExpressions; `{}` selects everything) or `map` (a plain
     * label map, as a Service's spec.selector; empty selects nothing).
     */
    form: z.enum(["labelSelector", "map"]).default("labelSelector"),
    /**
     * For peers such as a NetworkPolicy's `from` entries: the fields, inside what a path reached, of
     * the object selector and of the namespace selector. With `namespaces`, what is selected may be
     * in any namespace whose labels match; without it, in the object's own namespace.
     */
    objects: path.optional(),
    namespaces: path.optional(),
  }),
});

const definitionRule = z.strictObject({ type: relationType, definition: z.literal(true) });

export const relationRuleSchema = z.union([ownerRule, refRule, selectorRule, definitionRule]);

export const relationRulesSchema = z.array(relationRuleSchema).max(1000);

export type KindRef = z.output<typeof kindRefSchema>;
export type RelationRule = z.output<typeof relationRuleSchema>;
export type RelationRuleInput = z.input<typeof relationRuleSchema>;
export type OwnerRule = z.output<typeof ownerRule>;
export type RefRule = z.output<typeof refRule>;
export type SelectorRule = z.output<typeof selectorRule>;
