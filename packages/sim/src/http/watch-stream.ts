// A watch over HTTP: 200 at once, then one compact JSON event per line, each written (and so
// flushed as a chunk) as it happens; objects in the Table form when kubectl asks for it.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { SimResourceType } from "../catalog.js";
import type { KubeObject } from "../object-api.js";
import { findCrd, type ObjectStore } from "../store/index.js";
import type { WatchEventType, WatchHub, WatchOutput, WatchRequest } from "../watch.js";
import { columnsFor, type IncludeObject, table, tableContentType, tableRow, wantsTable } from "./table.js";

// A client that reads slower than this much backlog is dropped, as the real server drops slow watchers.
const MAX_BACKLOG_BYTES = 32 * 1024 * 1024;

export function serveWatch(
  req: IncomingMessage,
  res: ServerResponse,
  hub: WatchHub,
  store: ObjectStore,
  request: WatchRequest,
  includeObject: IncludeObject,
): void {
  const asTable = wantsTable(req);
  const encode = asTable ? tableEncoder(store, request.type, includeObject) : undefined;
  res.writeHead(200, {
    "Content-Type": asTable ? tableContentType : "application/json",
    "Cache-Control": "no-cache, private",
    "Transfer-Encoding": "chunked",
  });
  res.flushHeaders();
  res.socket?.setNoDelay(true);
  const output: WatchOutput = {
    write(type: WatchEventType, object: KubeObject) {
      if (res.destroyed || res.writableEnded) return true;
      const plain = type === "ERROR" || type === "BOOKMARK";
      const line = plain
        ? `${JSON.stringify({ type, object })}\n`
        : encode
          ? `${JSON.stringify({ type, object: encode(object) })}\n`
          : lineFor(type, object);
      const more = res.write(line);
      if (res.writableLength > MAX_BACKLOG_BYTES) output.abort();
      return more;
    },
    onDrain(callback: () => void) {
      res.once("drain", callback);
    },
    writeRaw(line: string) {
      if (!res.destroyed && !res.writableEnded) res.write(`${line}\n`);
    },
    end() {
      if (!res.writableEnded) res.end();
    },
    abort() {
      res.destroy();
      req.socket.destroy();
    },
  };
  const watcher = hub.open({ ...request, headers: req.headers }, output);
  res.on("close", () => watcher.detach());
}

// A change reaches every watcher of its type in one synchronous pass, all with the same stored
// object: remembering only the last encoding serializes it once without holding memory after.
let last: { type: WatchEventType; object: KubeObject; line: string } | undefined;

function lineFor(type: WatchEventType, object: KubeObject): string {
  if (last?.object === object && last.type === type) return last.line;
  const line = `${JSON.stringify({ type, object })}\n`;
  last = { type, object, line };
  return line;
}

function tableEncoder(store: ObjectStore, type: SimResourceType, includeObject: IncludeObject) {
  const columns = columnsFor(type, findCrd(store, type.group, type.name));
  return (obj: KubeObject): KubeObject =>
    table(columns, [tableRow(obj, columns, includeObject, Date.now())], {
      resourceVersion: obj.metadata?.resourceVersion ?? "",
    });
}
