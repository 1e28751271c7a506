// The API server answers every failure with a metav1.Status; throwing one of these anywhere in the
// simulator (store, verbs, ObjectApi callers) carries the exact code and reason to the client.

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface StatusBody {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, string>;
  status: "Failure" | "Success";
  message: string;
  /** Left out when empty, as the real server leaves out StatusReasonUnknown. */
  reason?: string;
  details?: StatusDetails;
  code: number;
}

export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
    /** Extra fields for the Status metadata, e.g. a continue token on 410 for a list. */
    readonly statusMetadata: Record<string, string> = {},
  ) {
    super(message);
    this.name = "StatusError";
  }

  toStatus(): StatusBody {
    const body: StatusBody = {
      kind: "Status",
      apiVersion: "v1",
      metadata: this.statusMetadata,
      status: "Failure",
      message: this.message,
      code: this.code,
    };
    if (this.reason) body.reason = this.reason;
    if (this.details) body.details = this.details;
    return body;
  }
}

/** The qualified resource as the real server names it in messages: "pods", "deployments.apps". */
export interface GroupResource {
  group: string;
  resource: string;
}

export function qualifiedName(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

function detailsFor(gr: GroupResource, name: string): StatusDetails {
  const details: StatusDetails = { name };
  if (gr.group) details.group = gr.group;
  details.kind = gr.resource;
  return details;
}

export function notFound(gr: GroupResource, name: string): StatusError {
  return new StatusError(404, "NotFound", `${qualifiedName(gr)} "${name}" not found`, detailsFor(gr, name));
}

export function alreadyExists(gr: GroupResource, name: string): StatusError {
  return new StatusError(
    409,
    "AlreadyExists",
    `${qualifiedName(gr)} "${name}" already exists`,
    detailsFor(gr, name),
  );
}

export function conflict(gr: GroupResource, name: string, why: string): StatusError {
  return new StatusError(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${qualifiedName(gr)} "${name}": ${why}`,
    detailsFor(gr, name),
  );
}

export const staleObjectMessage =
  "the object has been modified; please apply your changes to the latest version and try again";

export function invalid(
  kind: string,
  group: string,
  name: string,
  causes: Required<StatusCause>[],
): StatusError {
  const summary = causes.map((cause) => `${cause.field}: ${cause.message}`).join(", ");
  const details: StatusDetails = { name };
  if (group) details.group = group;
  details.kind = kind;
  details.causes = causes;
  return new StatusError(422, "Invalid", `${kind} "${name}" is invalid: ${summary}`, details);
}

export function badRequest(message: string): StatusError {
  return new StatusError(400, "BadRequest", message);
}

export function expired(message: string, statusMetadata: Record<string, string> = {}): StatusError {
  return new StatusError(410, "Expired", message, undefined, statusMetadata);
}

/**
 * What the watch cache answers a read (or a watch-list) whose resourceVersion it has not reached
 * within its 3 s wait: storage.NewTooLargeResourceVersionError, a Timeout that asks for a retry.
 */
export function tooLargeResourceVersion(requested: number, current: number): StatusError {
  return new StatusError(
    504,
    "Timeout",
    `Timeout: Too large resource version: ${requested}, current: ${current}`,
    {
      causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }],
      retryAfterSeconds: 1,
    },
  );
}

/**
 * What an exact read at a revision etcd has not reached gets: etcd's ErrFutureRev, passed through
 * as an error that is not a Status, so a 500 without a reason.
 */
export function futureRevision(): StatusError {
  return new StatusError(500, "", "etcdserver: mvcc: required revision is a future revision");
}

export function pathNotFound(): StatusError {
  return new StatusError(404, "NotFound", "the server could not find the requested resource", {});
}

export function methodNotAllowed(): StatusError {
  return new StatusError(
    405,
    "MethodNotAllowed",
    "the server does not allow this method on the requested resource",
    {},
  );
}

export function isStatusError(value: unknown): value is StatusError {
  return value instanceof StatusError;
}
