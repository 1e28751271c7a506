// Writes a large JSON document (a list of 150,000 pods is bigger than a JavaScript string may be)
// in chunks, waiting for the socket to drain between them.
import type { ServerResponse } from "node:http";

const ITEMS_PER_CHUNK = 500;

export async function streamJsonArray(
  res: ServerResponse,
  status: number,
  contentType: string,
  prefix: string,
  items: readonly unknown[],
  suffix: string,
): Promise<void> {
  res.writeHead(status, { "Content-Type": contentType, "Cache-Control": "no-cache, private" });
  let chunk = prefix;
  for (let i = 0; i < items.length; i++) {
    chunk += (i > 0 ? "," : "") + JSON.stringify(items[i]);
    if ((i + 1) % ITEMS_PER_CHUNK === 0) {
      if (!res.write(chunk)) await drained(res);
      chunk = "";
      if (res.destroyed) return;
    }
  }
  res.end(chunk + suffix);
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

/** `{"a":1,"items":[` and `]}` around a list, keeping the object's other fields in order. */
export function splitAroundItems(
  envelope: Record<string, unknown>,
  arrayField = "items",
): { prefix: string; suffix: string } {
  const marker = "__items_marker__";
  const text = JSON.stringify({ ...envelope, [arrayField]: marker });
  const at = text.indexOf(`"${marker}"`);
  return { prefix: `${text.slice(0, at)}[`, suffix: `]${text.slice(at + marker.length + 2)}` };
}
