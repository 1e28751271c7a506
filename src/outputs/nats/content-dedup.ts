import { createHash } from "node:crypto";

/**
 * MESHSYNC_BROKER_CONTENT_DEDUP as Go MeshSync does it (internal/output/content_deduplicator.go):
 * remember a hash of the last object published per resource, skip an ADDED or MODIFIED whose object
 * hashes the same, always publish a DELETED and forget the resource. Bounded by the live objects.
 */
export class ContentDedup {
  private readonly hashes = new Map<string, string>();

  /** Whether this object text must be published; records it as the last one when it must. */
  admit(key: string, deleted: boolean, objectJson: string): boolean {
    if (deleted) {
      this.hashes.delete(key);
      return true;
    }
    const hash = createHash("sha256").update(objectJson).digest("base64");
    if (this.hashes.get(key) === hash) return false;
    this.hashes.set(key, hash);
    return true;
  }

  /** Forgets an object whose publish did not happen, so its next version is not taken for a repeat. */
  forget(key: string): void {
    this.hashes.delete(key);
  }

  /** Forgets everything: after lost messages nothing can be assumed published. */
  clear(): void {
    this.hashes.clear();
  }

  get size(): number {
    return this.hashes.size;
  }
}
