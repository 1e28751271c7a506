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
  /**
   * The server is at one of its whole-server bounds: the operations running at once already cost what it
   * allows and this one could wait no longer, it runs as many subscriptions as it may, or it holds as many
   * bytes for its clients as it may. Retry later.
   */
  ServerBusy: "SERVER_BUSY",
  /** The server was started without what this operation needs. */
  Unsupported: "UNSUPPORTED",
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * WebSocket close codes: graphql-ws's own (its PROTOCOL.md), the two of RFC 6455 the server sends, and
 * meshsync's TooSlow and ServerBusy, numbered after the HTTP statuses they resemble as graphql-ws does.
 */
export const CloseCode = {
  GoingAway: 1001,
  MessageTooBig: 1009,
  BadRequest: 4400,
  Unauthorized: 4401,
  Forbidden: 4403,
  SubprotocolNotAcceptable: 4406,
  ConnectionInitialisationTimeout: 4408,
  SubscriberAlreadyExists: 4409,
  /** The client did not read what was sent to it: past a per-connection bound, or shed by the budget. */
  TooSlow: 4413,
  TooManyInitialisationRequests: 4429,
  InternalServerError: 4500,
  /** No room for this connection when it was acknowledged. */
  ServerBusy: 4503,
} as const;

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];
