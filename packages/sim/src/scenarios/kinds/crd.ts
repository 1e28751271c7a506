import type { KubeObject } from "../../object-api.js";
import type { Stamp } from "../stamp.js";
import { objectMeta } from "../stamp.js";

export interface CrdOptions {
  group: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  versions: readonly string[];
  shortNames?: string[];
  categories?: string[];
  /** Extra columns kubectl shows, as the CRD's author declared them. */
  columns?: { name: string; jsonPath: string; type?: string }[];
}

/** A CustomResourceDefinition as an operator's install manifest ships it (the last version stored). */
export function buildCrd(stamp: Stamp, options: CrdOptions): KubeObject {
  const names: Record<string, unknown> = {
    kind: options.kind,
    listKind: `${options.kind}List`,
    plural: options.plural,
    singular: options.kind.toLowerCase(),
  };
  if (options.shortNames) names.shortNames = [...options.shortNames];
  if (options.categories) names.categories = [...options.categories];
  const last = options.versions.length - 1;
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: objectMeta(stamp, `${options.plural}.${options.group}`, {
      labels: { "app.kubernetes.io/managed-by": "Helm" },
      generation: 1,
    }),
    spec: {
      conversion: { strategy: "None" },
      group: options.group,
      names,
      scope: options.namespaced ? "Namespaced" : "Cluster",
      versions: options.versions.map((name, index) => ({
        name,
        served: true,
        storage: index === last,
        schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
        subresources: { status: {} },
        ...(options.columns
          ? {
              additionalPrinterColumns: options.columns.map((c) => ({
                name: c.name,
                jsonPath: c.jsonPath,
                type: c.type ?? "string",
              })),
            }
          : {}),
      })),
    },
  };
}

/** A custom resource of a CRD's storage version. */
export function buildCustomResource(
  stamp: Stamp,
  apiVersion: string,
  kind: string,
  name: string,
  namespace: string | undefined,
  spec: Record<string, unknown>,
  status?: Record<string, unknown>,
): KubeObject {
  const object: KubeObject = {
    apiVersion,
    kind,
    metadata: objectMeta(stamp, name, { ...(namespace ? { namespace } : {}), generation: 1 }),
    spec,
  };
  if (status) object.status = status;
  return object;
}
