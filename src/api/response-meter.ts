import { GraphQLError } from "graphql";
import { ErrorCode } from "./codes.js";

/**
 * Counts the bytes that resolvers put into one response, so a query that passed the cost rule but
 * meets unusually large objects is stopped before it is serialized, not after. Resolvers of heavy
 * fields charge what they return (the length of the JSON text the graph holds, a cheap upper bound);
 * past the cap the charge throws, and the server replaces the whole result with that one error.
 *
 * One meter serves one operation. A subscription renders each change as its own response, with the
 * change as the root value, so bytes are counted per root value.
 */
export class ResponseMeter {
  private readonly spentByRoot = new WeakMap<object, number>();
  private spentWithoutRoot = 0;

  constructor(readonly maxBytes: number) {}

  charge(root: unknown, bytes: number): void {
    const keyed = root !== null && typeof root === "object";
    const spent = (keyed ? (this.spentByRoot.get(root) ?? 0) : this.spentWithoutRoot) + bytes;
    if (keyed) this.spentByRoot.set(root, spent);
    else this.spentWithoutRoot = spent;
    if (spent > this.maxBytes) throw responseTooLarge(this.maxBytes);
  }
}

export function responseTooLarge(maxBytes: number): GraphQLError {
  return new GraphQLError(
    `the response would be larger than ${maxBytes} bytes, the most the server sends for one operation: ` +
      "ask for fewer objects per page (first) or fewer whole-object fields (object, spec, status)",
    { extensions: { code: ErrorCode.ResponseTooLarge, maxBytes, http: { status: 400 } } },
  );
}

/** Whether a result holds the meter's error: the server then sends that error alone. */
export function isResponseTooLarge(error: { extensions?: Record<string, unknown> | undefined }): boolean {
  return error.extensions?.code === ErrorCode.ResponseTooLarge;
}
