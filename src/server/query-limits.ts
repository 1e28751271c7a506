import type {
  ASTVisitor,
  FragmentDefinitionNode,
  SelectionSetNode,
  ValidationContext,
  ValidationRule,
} from "graphql";
import { GraphQLError, Kind } from "graphql";
import { ErrorCode } from "../api/index.js";
import { quoteExcerpt } from "../graph/index.js";

/** Bounds on the shape of a GraphQL document, checked before anything executes. */
export interface QueryLimits {
  /** Nesting of selections, fragments expanded (introspection counts too). */
  maxDepth: number;
  /** Aliased fields in the whole document. */
  maxAliases: number;
  /** Fields selected once fragments are expanded: a cheap stand-in for cost. */
  maxFields: number;
}

interface Shape {
  depth: number;
  fields: number;
}

/**
 * Measures one selection set with fragments expanded. Fragment shapes are memoized, so a document that
 * reuses fragments to multiply its size (a "fragment bomb") is measured in linear time.
 */
class ShapeMeter {
  private readonly fragmentShapes = new Map<string, Shape>();
  private readonly entered = new Set<string>();

  constructor(private readonly fragment: (name: string) => FragmentDefinitionNode | undefined) {}

  measure(selectionSet: SelectionSetNode | undefined): Shape {
    const shape: Shape = { depth: 0, fields: 0 };
    if (selectionSet === undefined) return shape;
    for (const selection of selectionSet.selections) {
      let inner: Shape;
      let own = 0;
      if (selection.kind === Kind.FIELD) {
        own = 1;
        inner = this.measure(selection.selectionSet);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        inner = this.measure(selection.selectionSet);
      } else {
        inner = this.measureFragment(selection.name.value);
      }
      shape.depth = Math.max(shape.depth, inner.depth + own);
      shape.fields = Math.min(Number.MAX_SAFE_INTEGER, shape.fields + inner.fields + own);
    }
    return shape;
  }

  private measureFragment(name: string): Shape {
    const known = this.fragmentShapes.get(name);
    if (known !== undefined) return known;
    // A cycle is reported by the standard NoFragmentCycles rule; here it just stops the walk.
    if (this.entered.has(name)) return { depth: 0, fields: 0 };
    this.entered.add(name);
    const shape = this.measure(this.fragment(name)?.selectionSet);
    this.entered.delete(name);
    this.fragmentShapes.set(name, shape);
    return shape;
  }
}

function limitError(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.QueryTooComplex } });
}

/** One validation rule enforcing every QueryLimits bound, with messages that name the limit. */
export function queryLimitsRule(limits: QueryLimits): ValidationRule {
  return function QueryLimitsRule(context: ValidationContext): ASTVisitor {
    return {
      Document(document) {
        let aliases = 0;
        const meter = new ShapeMeter((name) => context.getFragment(name) ?? undefined);
        for (const definition of document.definitions) {
          if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
          const shape = meter.measure(definition.selectionSet);
          const name = definition.name ? ` ${quoteExcerpt(definition.name.value)}` : "";
          if (shape.depth > limits.maxDepth) {
            context.reportError(
              limitError(`operation${name} is ${shape.depth} levels deep; the limit is ${limits.maxDepth}`),
            );
          }
          if (shape.fields > limits.maxFields) {
            context.reportError(
              limitError(`operation${name} selects ${shape.fields} fields; the limit is ${limits.maxFields}`),
            );
          }
        }
        for (const definition of document.definitions) {
          if (definition.kind !== Kind.OPERATION_DEFINITION && definition.kind !== Kind.FRAGMENT_DEFINITION)
            continue;
          aliases += countAliases(definition.selectionSet);
        }
        if (aliases > limits.maxAliases) {
          context.reportError(
            limitError(`the document uses ${aliases} aliases; the limit is ${limits.maxAliases}`),
          );
        }
        // The whole document has been judged; nothing below needs visiting.
        return false;
      },
    };
  };
}

function countAliases(selectionSet: SelectionSetNode | undefined): number {
  if (selectionSet === undefined) return 0;
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.alias !== undefined) count++;
      count += countAliases(selection.selectionSet);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      count += countAliases(selection.selectionSet);
    }
  }
  return count;
}
