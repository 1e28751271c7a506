import type {
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  GraphQLField,
  GraphQLNamedType,
  GraphQLSchema,
  SelectionSetNode,
} from "graphql";
import {
  GraphQLError,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getOperationAST,
  getVariableValues,
  isInterfaceType,
  isObjectType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
} from "graphql";
import { costExtensionKey, ErrorCode, type FieldCost } from "../api/index.js";
import {
  changeEvaluations,
  FilterError,
  filterCost,
  quoteExcerpt,
  type ResourceFilter,
} from "../graph/index.js";

export interface CostLimits {
  /** The most one operation may cost; for a subscription, what one delivered change may cost. */
  maxCost: number;
  /** The page size a list gets when its page-size argument is absent, as the resolver uses it. */
  defaultPageSize: number;
  /** The largest page the resolver serves; a larger one is its error to report, so it is priced at this. */
  maxPageSize: number;
}

/** How many objects a list with this filter evaluates it against; the graph's indexes know it cheaply. */
export type ScanSize = (filter: ResourceFilter) => number;

/**
 * The unit of cost is about what resolving and sending one small field of one object takes (a few
 * microseconds); evaluating one term of a filter against one object takes this many times less.
 * bench/query-cost.bench.ts measures both and derives this ratio; a scan of n objects with a filter
 * of evaluation cost c (filterCost) costs n × (1 + c) / evaluationsPerCostUnit, rounded up.
 */
export const evaluationsPerCostUnit = 40;

/** Costs past this are all "too much"; keeping them finite keeps the arithmetic exact. */
const costCeiling = Number.MAX_SAFE_INTEGER;

type Variables = Record<string, unknown>;

function fieldCostOf(field: GraphQLField<unknown, unknown>): FieldCost {
  const cost = field.extensions?.[costExtensionKey];
  return cost !== null && typeof cost === "object" ? (cost as FieldCost) : {};
}

function filterOf(argument: unknown): ResourceFilter {
  return argument !== null && typeof argument === "object" ? (argument as ResourceFilter) : {};
}

/**
 * What scanning with a filter costs: one evaluation per object for the visit, and filterCost's
 * evaluations (selector requirements and values, other narrowing fields) per object for matching.
 * Throws FilterError for a selector that is malformed or past its bounds, before anything is scanned.
 */
export function scanCost(objects: number, filter: ResourceFilter): number {
  return Math.ceil((objects * (1 + filterCost(filter))) / evaluationsPerCostUnit);
}

/**
 * Prices one operation against the schema's cost extensions (src/api/cost.ts): every field adds its
 * weight (1 unless it says otherwise), the scan its filter makes, and its sub-selection times its
 * size, so `first: 1000` under thirty aliases costs thirty thousand nodes, and thirty scans of the
 * whole graph cost thirty times one. Fragments are priced once each however often they are spread, so
 * a fragment bomb is priced in linear time. Fields that @skip or @include leave out cost nothing.
 */
class CostMeter {
  private readonly fragmentCosts = new Map<string, number>();
  private readonly entered = new Set<string>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>,
    private readonly variables: Variables,
    private readonly pages: Omit<CostLimits, "maxCost">,
    private readonly scanSize: ScanSize,
  ) {}

  selectionSet(selectionSet: SelectionSetNode | undefined, parent: GraphQLNamedType | undefined): number {
    if (selectionSet === undefined || parent === undefined) return 0;
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (!this.included(selection)) continue;
      let cost: number;
      if (selection.kind === Kind.FIELD) {
        cost = this.field(selection, parent);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition
          ? this.schema.getType(selection.typeCondition.name.value)
          : parent;
        cost = this.selectionSet(selection.selectionSet, type);
      } else {
        cost = this.fragment(selection.name.value);
      }
      total = Math.min(costCeiling, total + cost);
    }
    return total;
  }

  private field(node: FieldNode, parent: GraphQLNamedType): number {
    const definition = this.definition(node.name.value, parent);
    if (definition === undefined) return 0;
    if (definition === TypeNameMetaFieldDef) return 0;
    const declared = fieldCostOf(definition);
    let args: Record<string, unknown> = {};
    try {
      args = getArgumentValues(definition, node, this.variables);
    } catch {
      // Arguments that do not coerce fail at execution with their own error; they cost the defaults.
    }
    const own = declared.weight ?? 1;
    const scan = declared.scan === undefined ? 0 : this.scan(declared.scan, args);
    const size = this.size(declared.size, args);
    const inner = this.selectionSet(node.selectionSet, getNamedType(definition.type));
    return Math.min(costCeiling, own + scan + size * inner);
  }

  private scan(scan: NonNullable<FieldCost["scan"]>, args: Record<string, unknown>): number {
    const filter = filterOf(args[scan.filterArgument]);
    if (scan.over === "graph") return scanCost(this.scanSize(filter), filter);
    return Math.ceil(changeEvaluations(filter) / evaluationsPerCostUnit);
  }

  private size(size: FieldCost["size"], args: Record<string, unknown>): number {
    if (size === undefined) return 1;
    if (typeof size === "number") return size;
    const given = args[size.pageArgument] ?? (size.orPageArgument && args[size.orPageArgument]);
    if (typeof given !== "number") return this.pages.defaultPageSize;
    return Math.min(Math.max(0, given), this.pages.maxPageSize);
  }

  private definition(name: string, parent: GraphQLNamedType): GraphQLField<unknown, unknown> | undefined {
    if (name === TypeNameMetaFieldDef.name) return TypeNameMetaFieldDef;
    if (parent === this.schema.getQueryType()) {
      if (name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef;
      if (name === TypeMetaFieldDef.name) return TypeMetaFieldDef;
    }
    if (!isObjectType(parent) && !isInterfaceType(parent)) return undefined;
    return parent.getFields()[name];
  }

  private fragment(name: string): number {
    const known = this.fragmentCosts.get(name);
    if (known !== undefined) return known;
    // A cycle is reported by the standard NoFragmentCycles rule; here it just stops the walk.
    if (this.entered.has(name)) return 0;
    const definition = this.fragments.get(name);
    if (definition === undefined) return 0;
    this.entered.add(name);
    const cost = this.selectionSet(
      definition.selectionSet,
      this.schema.getType(definition.typeCondition.name.value),
    );
    this.entered.delete(name);
    this.fragmentCosts.set(name, cost);
    return cost;
  }

  private included(node: FieldNode | SelectionSetNode["selections"][number]): boolean {
    try {
      if (getDirectiveValues(GraphQLSkipDirective, node, this.variables)?.if === true) return false;
      if (getDirectiveValues(GraphQLIncludeDirective, node, this.variables)?.if === false) return false;
    } catch {
      // A directive whose argument does not coerce fails at execution; until then it is selected.
    }
    return true;
  }
}

export interface CostedOperation {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName?: string | null | undefined;
  variableValues?: Variables | null | undefined;
}

/**
 * The cost of the operation that would execute, or undefined when it cannot execute at all (no such
 * operation, variables that do not coerce): execution then reports that itself.
 */
export function operationCost(
  operation: CostedOperation,
  pages: Omit<CostLimits, "maxCost">,
  scanSize: ScanSize,
): number | undefined {
  const definition = getOperationAST(operation.document, operation.operationName);
  if (definition === null || definition === undefined) return undefined;
  const coerced = getVariableValues(
    operation.schema,
    definition.variableDefinitions ?? [],
    operation.variableValues ?? {},
    { maxErrors: 1 },
  );
  if (coerced.errors !== undefined) return undefined;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const node of operation.document.definitions) {
    if (node.kind === Kind.FRAGMENT_DEFINITION) fragments.set(node.name.value, node);
  }
  const root = operation.schema.getRootType(definition.operation) ?? undefined;
  const meter = new CostMeter(operation.schema, fragments, coerced.coerced, pages, scanSize);
  return meter.selectionSet(definition.selectionSet, root);
}

/**
 * An operation's cost, or the error that refuses it: over budget, or a selector past its bounds. An
 * operation that cannot execute at all costs 0 here; execution reports why.
 */
export function weighOperation(
  operation: CostedOperation,
  limits: CostLimits,
  scanSize: ScanSize,
): { cost: number } | { refusal: GraphQLError } {
  let cost: number | undefined;
  try {
    cost = operationCost(operation, limits, scanSize);
  } catch (error) {
    // A filter the graph refuses (a selector past its bounds, a kind nothing serves) is refused here,
    // before anything is scanned, with the filter's own error.
    if (error instanceof FilterError) {
      return {
        refusal: new GraphQLError(error.message, {
          extensions: { code: ErrorCode.BadUserInput, http: { status: 400 } },
        }),
      };
    }
    throw error;
  }
  if (cost === undefined) return { cost: 0 };
  if (cost <= limits.maxCost) return { cost };
  const name = getOperationAST(operation.document, operation.operationName)?.name?.value;
  return {
    refusal: new GraphQLError(
      `operation${name ? ` ${quoteExcerpt(name)}` : ""} costs ${cost}; the budget is ${limits.maxCost}. ` +
        "Page sizes multiply what they contain, and a filter costs per object it is evaluated against: " +
        "ask for smaller pages (first), fewer aliases, fewer whole-object fields (object, spec, status, " +
        "annotations), or filters the indexes narrow (kinds, namespaces, clusterIds, key=value labels)",
      { extensions: { code: ErrorCode.QueryTooCostly, cost, budget: limits.maxCost, http: { status: 400 } } },
    ),
  };
}
