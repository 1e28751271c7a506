// Writing answers and reading bodies, with the headers a real API server sends.
import type { IncomingMessage, ServerResponse } from "node:http";
import { parse as parseYaml } from "yaml";
import { badRequest, isStatusError, StatusError } from "../store/status-error.js";
import { decodeProtobufObject } from "./protobuf.js";

const MAX_BODY_BYTES = 3 * 1024 * 1024;

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  contentType = "application/json",
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": contentType,
    "Content-Length": Buffer.byteLength(text),
    "Cache-Control": "no-cache, private",
  });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
}

/** Any thrown value becomes a Status answer; unknown ones are a 500 that never leaks a stack. */
export function sendError(res: ServerResponse, error: unknown): void {
  const status = isStatusError(error)
    ? error
    : new StatusError(
        500,
        "InternalError",
        `Internal error occurred: ${error instanceof Error ? error.message : String(error)}`,
      );
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (status.details?.retryAfterSeconds !== undefined) {
    res.setHeader("Retry-After", String(status.details.retryAfterSeconds));
  }
  sendJson(res, status.code, status.toStatus());
}

/** Reads a request body as JSON (or YAML, which kubectl never sends but curl users do). */
export async function readObjectBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES)
      throw new StatusError(413, "RequestEntityTooLarge", "Request entity too large: limit is 3145728");
    chunks.push(buffer);
  }
  const contentType = req.headers["content-type"] ?? "";
  if (/application\/vnd\.kubernetes\.protobuf/.test(contentType))
    return decodeProtobufObject(Buffer.concat(chunks));
  if (/protobuf|cbor/.test(contentType)) {
    throw new StatusError(
      415,
      "UnsupportedMediaType",
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (${contentType} is not supported by this server)`,
    );
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") throw badRequest("the body of the request was empty");
  try {
    return /yaml/.test(contentType) && !/json/.test(contentType) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw badRequest(
      `the body of the request could not be decoded: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
