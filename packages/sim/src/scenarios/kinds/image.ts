import { createHash } from "node:crypto";

const digests = new Map<string, string>();

/**
 * The digest a registry gives an image: derived from the reference, so the same image has the
 * same digest on every pod and node, whatever the seed.
 */
export function imageDigest(image: string): string {
  const qualified = qualifiedImage(image);
  let digest = digests.get(qualified);
  if (!digest) {
    digest = `sha256:${createHash("sha256").update(qualified).digest("hex")}`;
    digests.set(qualified, digest);
  }
  return digest;
}

/**
 * The fully qualified form containerd reports for an image reference: Docker Hub's registry and
 * "library/" namespace are spelled out ("nginx:1.27" → "docker.io/library/nginx:1.27").
 */
export function qualifiedImage(image: string): string {
  const slash = image.indexOf("/");
  const first = slash < 0 ? "" : image.slice(0, slash);
  const hasRegistry = first.includes(".") || first.includes(":") || first === "localhost";
  if (hasRegistry) return image;
  return slash < 0 ? `docker.io/library/${image}` : `docker.io/${image}`;
}

/** The repository part of an image reference, without tag or digest. */
export function repositoryOf(image: string): string {
  const at = image.indexOf("@");
  const withoutDigest = at < 0 ? image : image.slice(0, at);
  const colon = withoutDigest.lastIndexOf(":");
  return colon > withoutDigest.lastIndexOf("/") ? withoutDigest.slice(0, colon) : withoutDigest;
}
