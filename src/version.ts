// meshsync's version, read from package.json, which sits one level above this file in src/ and in
// dist/ alike: what --version prints and what meshsync-meta answers Meshery.
import { readFileSync } from "node:fs";

export function packageVersion(): string {
  const manifest: unknown = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  const version = (manifest as { version?: unknown }).version;
  return typeof version === "string" ? version : "unknown";
}
