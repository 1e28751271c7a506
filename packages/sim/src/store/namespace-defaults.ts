// What a real cluster's controllers put in every new namespace a moment after it appears: the
// serviceaccount controller's "default" ServiceAccount and the root-ca-cert-publisher's
// kube-root-ca.crt ConfigMap. Clients (kubectl run, client-go's in-cluster config) rely on both.
import type { KubeObject } from "../object-api.js";
import { nowTimestamp } from "./object-meta.js";
import type { ObjectStore } from "./object-store.js";
import { storageKey } from "./registry.js";

const rootCaName = "kube-root-ca.crt";
const rootCaDescription =
  "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";

// Used only when no namespace holds a bundle yet to copy (a cluster started empty).
const placeholderCertificate = `-----BEGIN CERTIFICATE-----
MIIBdzCCAR2gAwIBAgIBADAKBggqhkjOPQQDAjAVMRMwEQYDVQQDEwprdWJlcm5ldGVz
MB4XDTI2MDEwNTA5MDAwMFoXDTM2MDEwMzA5MDAwMFowFTETMBEGA1UEAxMKa3ViZXJu
ZXRlczBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABHNpbXVsYXRlZCBjbHVzdGVyIGNh
IGJ1bmRsZSBmb3IgdGVzdHMgb25seSwgbm90IGEgcmVhbCBrZXkuLi4uLi4uLi4uo0Iw
QDAOBgNVHQ8BAf8EBAMCAqQwDwYDVR0TAQH/BAUwAwEB/zAdBgNVHQ4EFgQUc2ltdWxh
dGVkLWNsdXN0ZXItY2EwCgYIKoZIzj0EAwIDSAAwRQIgc2ltdWxhdGVkIGNsdXN0ZXIg
Y2EgYnVuZGxlIGZvciB0ZXN0cyBvbmx5AiEAc2ltdWxhdGVkIGNsdXN0ZXIgY2EgYnVu
ZGxlIGZvciB0ZXN0cw==
-----END CERTIFICATE-----
`;

export class NamespaceDefaults {
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly stopListening: () => void;

  /** `delayMs`: how long after a namespace appears its defaults follow. */
  constructor(
    private readonly store: ObjectStore,
    private readonly delayMs = 10,
  ) {
    const namespacesKey = storageKey("", "namespaces");
    this.stopListening = store.onChange((change) => {
      if (change.type !== "ADDED" || change.storageKey !== namespacesKey) return;
      const name = change.object.metadata?.name;
      if (typeof name === "string") this.schedule(name);
    });
  }

  /** Creates whatever is pending now (after a scenario loads, so it starts complete). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const names = [...this.pending];
    this.pending.clear();
    for (const name of names) this.fill(name);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
    this.stopListening();
  }

  private schedule(name: string): void {
    this.pending.add(name);
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), this.delayMs);
    this.timer.unref();
  }

  private fill(namespace: string): void {
    const namespaces = this.store.resolve("", "v1", "namespaces");
    const owner = this.store.getStored(namespaces, undefined, namespace);
    // A namespace already gone or going gets nothing, as its controllers would skip it.
    if (!owner || owner.metadata?.deletionTimestamp) return;
    const serviceAccounts = this.store.resolve("", "v1", "serviceaccounts");
    if (!this.store.getStored(serviceAccounts, namespace, "default")) {
      this.create(serviceAccounts, {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name: "default", namespace, creationTimestamp: nowTimestamp() },
      });
    }
    const configMaps = this.store.resolve("", "v1", "configmaps");
    if (!this.store.getStored(configMaps, namespace, rootCaName)) {
      this.create(configMaps, {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
          name: rootCaName,
          namespace,
          creationTimestamp: nowTimestamp(),
          annotations: { "kubernetes.io/description": rootCaDescription },
        },
        data: { "ca.crt": this.certificate() },
      });
    }
  }

  /** The cluster's bundle, as kube-system holds it (every namespace gets the same one). */
  private certificate(): string {
    const configMaps = this.store.resolve("", "v1", "configmaps");
    const data = this.store.getStored(configMaps, "kube-system", rootCaName)?.data as
      | Record<string, unknown>
      | undefined;
    const bundle = data?.["ca.crt"];
    return typeof bundle === "string" && bundle ? bundle : placeholderCertificate;
  }

  private create(type: ReturnType<ObjectStore["resolve"]>, obj: KubeObject): void {
    try {
      this.store.createObject(type, obj.metadata?.namespace, obj);
    } catch {
      // A client made it first, or the namespace went meanwhile: nothing left to do.
    }
  }
}
