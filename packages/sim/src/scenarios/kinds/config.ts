import type { KubeObject } from "../../object-api.js";
import type { Stamp } from "../stamp.js";
import { objectMeta } from "../stamp.js";

/** A placeholder PEM block: the right shape and length for a cluster CA, not a usable certificate. */
export function fakeCertificate(stamp: Stamp): string {
  let body = "";
  for (let line = 0; line < 17; line++)
    body += `${Buffer.from(stamp.random.hex(48), "hex").toString("base64")}\n`;
  return `-----BEGIN CERTIFICATE-----\n${body}-----END CERTIFICATE-----\n`;
}

export function buildConfigMap(
  stamp: Stamp,
  namespace: string,
  name: string,
  data: Record<string, string>,
  labels?: Record<string, string>,
  annotations?: Record<string, string>,
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: objectMeta(stamp, name, {
      namespace,
      ...(labels ? { labels } : {}),
      ...(annotations ? { annotations } : {}),
    }),
    data,
  };
}

/** The CA bundle the root-ca-cert-publisher puts in every namespace. */
export function buildRootCaConfigMap(stamp: Stamp, namespace: string, certificate: string): KubeObject {
  return buildConfigMap(stamp, namespace, "kube-root-ca.crt", { "ca.crt": certificate }, undefined, {
    "kubernetes.io/description":
      "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.",
  });
}

function base64(text: string): string {
  return Buffer.from(text).toString("base64");
}

export function buildSecret(
  stamp: Stamp,
  namespace: string,
  name: string,
  type: string,
  data: Record<string, string>,
  labels?: Record<string, string>,
): KubeObject {
  const encoded: Record<string, string> = {};
  for (const [key, value] of Object.entries(data)) encoded[key] = base64(value);
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: objectMeta(stamp, name, { namespace, ...(labels ? { labels } : {}) }),
    type,
    data: encoded,
  };
}

export function buildServiceAccount(
  stamp: Stamp,
  namespace: string,
  name: string,
  labels?: Record<string, string>,
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: objectMeta(stamp, name, { namespace, ...(labels ? { labels } : {}) }),
  };
}
