// Every code a client can act on, in one place: the `extensions.code` of GraphQL errors (both
// transports, HTTP too) and the WebSocket close codes. The server's protocol document explains each.

/** `extensions.code` of a GraphQL error. Stable: clients branch on them. */
export const ErrorCode = {
  /** The request is malformed or names something that does not exist (bad selector, foreign cursor). */
  BadUserInput: "BAD_USER_INPUT",
  /** No token, or the wrong one. */
  Unauthenticated: "UNAUTHENTICATED",
  /** The document is longer than the server reads. */
  QueryTooLarge: "QUERY_TOO_LARGE",
  /** The document is too deep (brackets or selections), too wide or uses too many aliases. */
  QueryTooComplex: "QUERY_TOO_COMPLEX",
  /** The operation would cost more than the server's budget; `extensions.cost` and `extensions.budget` say how much. */
  QueryTooCostly: "QUERY_TOO_COSTLY",
  /** The response grew past the bytes the server sends for one operation (one change, for a subscription). */
  ResponseTooLarge: "RESPONSE_TOO_LARGE",
  /** One socket already runs as many operations as it may. */
  TooManySubscriptions: "TOO_MANY_SUBSCRIPTIONS",
  /** The operations the server runs at once already cost what it allows, and this one waited too long or could not wait: retry later. */
  ServerBusy: "SERVER_BUSY",
  /** The server was started without what this operation needs. */
  Unsupported: "UNSUPPORTED",
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
