// Reading the messages Meshery sends on meshery.meshsync.request: `{"Request":{"Entity":…,"Payload":…}}`
// (meshkit broker.Message / broker.RequestObject). Go's encoding/json matches keys without regard to
// case, so `request`, `entity` and `reply` are read as well; anything malformed is refused with one line.

export class RequestError extends Error {}

export interface BrokerRequest {
  readonly entity: string;
  readonly payload: unknown;
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The value of a key matched as Go matches struct fields: exact first, else without case. */
function field(object: JsonObject, name: string): unknown {
  if (Object.hasOwn(object, name)) return object[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(object)) if (key.toLowerCase() === lower) return object[key];
  return undefined;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

export function parseRequest(data: Uint8Array, maxBytes: number): BrokerRequest {
  if (data.length > maxBytes)
    throw new RequestError(`request of ${data.length} bytes is larger than the ${maxBytes} accepted`);
  let message: unknown;
  try {
    message = JSON.parse(decoder.decode(data));
  } catch {
    throw new RequestError("request is not JSON text");
  }
  if (!isObject(message)) throw new RequestError("request is not a JSON object");
  const request = field(message, "Request");
  // Go's handler logs ErrInvalidRequest for a message without one.
  if (request === null || request === undefined) throw new RequestError("message has no Request");
  if (!isObject(request)) throw new RequestError("Request is not an object");
  const entity = field(request, "Entity");
  if (typeof entity !== "string") throw new RequestError("Request.Entity is not a string");
  return { entity, payload: field(request, "Payload") };
}

/** The informer-store payload `{"Reply":"<subject>"}`. */
export function replySubjectOf(payload: unknown): string {
  const reply = isObject(payload) ? field(payload, "Reply") : undefined;
  if (typeof reply !== "string" || !validSubject(reply))
    throw new RequestError("informer-store needs Payload.Reply, a NATS subject");
  return reply;
}

/** A subject NATS accepts for publishing: tokens separated by dots, no spaces, no wildcards. */
export function validSubject(subject: string): boolean {
  return (
    subject.length > 0 &&
    subject.length <= 1024 &&
    !/[\s*>]/.test(subject) &&
    subject.split(".").every((token) => token.length > 0)
  );
}

/** model.LogRequest; every field omitempty, so an absent one is its zero value. */
export interface LogRequest {
  readonly id: string;
  readonly name: string;
  readonly namespace: string;
  readonly container: string;
  readonly follow: boolean;
  readonly previous: boolean;
  readonly tailLines: number;
  readonly stop: boolean;
}

/** model.ExecRequest. */
export interface ExecRequest {
  readonly id: string;
  readonly name: string;
  readonly namespace: string;
  readonly container: string;
  readonly stop: boolean;
}

const maxNameLength = 253;

function stringField(entry: JsonObject, name: string, where: string): string {
  const value = field(entry, name);
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") throw new RequestError(`${where}.${name} is not a string`);
  if (value.length > maxNameLength)
    throw new RequestError(`${where}.${name} is longer than ${maxNameLength} characters`);
  return value;
}

function boolField(entry: JsonObject, name: string, where: string): boolean {
  const value = field(entry, name);
  if (value === undefined || value === null) return false;
  if (typeof value !== "boolean") throw new RequestError(`${where}.${name} is not a boolean`);
  return value;
}

/** The entries of a payload map `id → request`, bounded; a malformed one refuses the whole request, as in Go. */
function entriesOf(payload: unknown, entity: string, maxEntries: number): [string, JsonObject][] {
  if (!isObject(payload)) throw new RequestError(`${entity} needs Payload, a map of id to request`);
  const entries = Object.entries(payload);
  if (entries.length > maxEntries)
    throw new RequestError(`${entity} has ${entries.length} entries; at most ${maxEntries} are accepted`);
  return entries.map(([key, value]) => {
    if (!isObject(value)) throw new RequestError(`${entity}[${JSON.stringify(key)}] is not an object`);
    return [key, value];
  });
}

export function parseLogRequests(payload: unknown, maxEntries: number): LogRequest[] {
  return entriesOf(payload, "log-stream", maxEntries).map(([key, entry]) => {
    const where = `log-stream[${JSON.stringify(key)}]`;
    const tail = field(entry, "taillines");
    if (tail !== undefined && tail !== null && !(typeof tail === "number" && Number.isSafeInteger(tail)))
      throw new RequestError(`${where}.taillines is not an integer`);
    const request: LogRequest = {
      id: stringField(entry, "id", where),
      name: stringField(entry, "name", where),
      namespace: stringField(entry, "namespace", where),
      container: stringField(entry, "container", where),
      follow: boolField(entry, "follow", where),
      previous: boolField(entry, "previous", where),
      tailLines: typeof tail === "number" ? tail : 0,
      stop: boolField(entry, "stop", where),
    };
    if (!request.stop && (request.name === "" || request.namespace === ""))
      throw new RequestError(`${where} needs name and namespace`);
    return request;
  });
}

export function parseExecRequests(payload: unknown, maxEntries: number): ExecRequest[] {
  return entriesOf(payload, "exec-request", maxEntries).map(([key, entry]) => {
    const where = `exec-request[${JSON.stringify(key)}]`;
    const request: ExecRequest = {
      id: stringField(entry, "id", where),
      name: stringField(entry, "name", where),
      namespace: stringField(entry, "namespace", where),
      container: stringField(entry, "container", where),
      stop: boolField(entry, "stop", where),
    };
    if (!request.stop && (request.name === "" || request.namespace === ""))
      throw new RequestError(`${where} needs name and namespace`);
    return request;
  });
}

/** An exec-input message's text: `{"ObjectType":"exec-input","Object":"<text>"}`; undefined for anything else. */
export function execInputOf(data: Uint8Array, maxBytes: number): string | undefined {
  if (data.length > maxBytes) return undefined;
  let message: unknown;
  try {
    message = JSON.parse(decoder.decode(data));
  } catch {
    return undefined;
  }
  if (!isObject(message) || field(message, "ObjectType") !== "exec-input") return undefined;
  const object = field(message, "Object");
  return typeof object === "string" ? object : undefined;
}
