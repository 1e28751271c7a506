// deploy/ read as a kubelet and an API server would read it: every YAML document of every file, the
// parts the tests look at checked for shape (zod), so that a test fails on a manifest that is not what
// it claims to be rather than on an undefined property.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { z } from "zod";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const deployDir = join(repoRoot, "deploy");

const metadata = z.looseObject({
  name: z.string().min(1),
  namespace: z.string().min(1).optional(),
  labels: z.record(z.string(), z.string()).optional(),
});

export const kubeObject = z.looseObject({ apiVersion: z.string().min(1), kind: z.string().min(1), metadata });
export type KubeObject = z.infer<typeof kubeObject>;

export interface ManifestDocument {
  file: string;
  /** Position of the document in its file, from 0. */
  index: number;
  /** What the YAML parser made of it, before any shape is assumed. */
  value: unknown;
}

/** Every document of every .yaml/.yml file in deploy/, in the order kubectl apply -f deploy/ sends them. */
export function manifestDocuments(): ManifestDocument[] {
  const files = readdirSync(deployDir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort();
  return files.flatMap((file) =>
    parseAllDocuments(readFileSync(join(deployDir, file), "utf8")).map((document, index) => {
      if (document.errors.length > 0) {
        throw new Error(`deploy/${file} document ${index}: ${document.errors[0]!.message}`);
      }
      return { file, index, value: document.toJS() as unknown };
    }),
  );
}

export function kubeObjects(): KubeObject[] {
  return manifestDocuments().map(({ file, index, value }) => {
    const parsed = kubeObject.safeParse(value);
    if (!parsed.success) throw new Error(`deploy/${file} document ${index}: ${parsed.error.message}`);
    return parsed.data;
  });
}

/** The one object of a kind (and name), parsed with `schema`; throws when there is none or several. */
export function theObject<T extends z.ZodType>(kind: string, schema: T, name?: string): z.infer<T> {
  const found = kubeObjects().filter(
    (object) => object.kind === kind && (name === undefined || object.metadata.name === name),
  );
  if (found.length !== 1) {
    throw new Error(`deploy/ has ${found.length} ${kind} objects${name ? ` named ${name}` : ""}, expected 1`);
  }
  return schema.parse(found[0]);
}

export const policyRule = z.object({
  apiGroups: z.array(z.string()).optional(),
  resources: z.array(z.string()).optional(),
  resourceNames: z.array(z.string()).optional(),
  nonResourceURLs: z.array(z.string()).optional(),
  verbs: z.array(z.string()).min(1),
});
export type PolicyRule = z.infer<typeof policyRule>;

export const role = kubeObject.extend({ rules: z.array(policyRule) });

export const binding = kubeObject.extend({
  roleRef: z.object({ apiGroup: z.string(), kind: z.enum(["Role", "ClusterRole"]), name: z.string() }),
  subjects: z.array(z.object({ kind: z.string(), name: z.string(), namespace: z.string().optional() })),
});

const probe = z.looseObject({
  httpGet: z.object({ path: z.string(), port: z.union([z.string(), z.number()]) }),
  periodSeconds: z.number().int().positive().optional(),
  failureThreshold: z.number().int().positive().optional(),
});
export type Probe = z.infer<typeof probe>;

const securityContext = z.looseObject({
  runAsNonRoot: z.boolean().optional(),
  runAsUser: z.number().optional(),
  runAsGroup: z.number().optional(),
  allowPrivilegeEscalation: z.boolean().optional(),
  readOnlyRootFilesystem: z.boolean().optional(),
  capabilities: z
    .object({ drop: z.array(z.string()).optional(), add: z.array(z.string()).optional() })
    .optional(),
  seccompProfile: z.object({ type: z.string() }).optional(),
});

const quantities = z.record(z.string(), z.union([z.string(), z.number()]));

export const container = z.looseObject({
  name: z.string(),
  image: z.string(),
  args: z.array(z.string()).default([]),
  env: z.array(z.looseObject({ name: z.string() })).default([]),
  ports: z.array(z.looseObject({ name: z.string().optional(), containerPort: z.number().int() })),
  startupProbe: probe.optional(),
  livenessProbe: probe.optional(),
  readinessProbe: probe.optional(),
  resources: z.object({ requests: quantities.optional(), limits: quantities.optional() }).optional(),
  securityContext: securityContext.optional(),
});
export type Container = z.infer<typeof container>;

export const deployment = kubeObject.extend({
  spec: z.looseObject({
    selector: z.object({ matchLabels: z.record(z.string(), z.string()) }),
    template: z.object({
      metadata: z.object({ labels: z.record(z.string(), z.string()) }),
      spec: z.looseObject({
        serviceAccountName: z.string().optional(),
        securityContext: securityContext.optional(),
        containers: z.array(container).length(1),
      }),
    }),
  }),
});

export const service = kubeObject.extend({
  spec: z.looseObject({
    selector: z.record(z.string(), z.string()),
    ports: z.array(
      z.object({
        name: z.string().optional(),
        port: z.number(),
        targetPort: z.union([z.string(), z.number()]),
      }),
    ),
  }),
});

/** The container port a probe or a Service's targetPort names (by name or number). */
export function containerPortOf(target: Container, port: string | number): number | undefined {
  const found = target.ports.find((candidate) =>
    typeof port === "number" ? candidate.containerPort === port : candidate.name === port,
  );
  return found?.containerPort;
}

/** The value that follows `flag` in an argument list (`--port 8080`), if the flag is there. */
export function flagValue(args: readonly string[], flag: string): string | undefined {
  const at = args.indexOf(flag);
  return at === -1 ? undefined : args[at + 1];
}

/** `args` with the value after each named flag replaced, e.g. a port a test may bind. */
export function withFlagValues(args: readonly string[], values: Record<string, string>): string[] {
  return args.map((arg, index) => {
    const flag = args[index - 1];
    return flag !== undefined && flag in values ? values[flag]! : arg;
  });
}

/** Whether some rule lets `verb` on `resource` of `group` (core: ""), by exact names only. */
export function grants(rules: readonly PolicyRule[], group: string, resource: string, verb: string): boolean {
  return rules.some(
    (rule) =>
      (rule.apiGroups ?? []).includes(group) &&
      (rule.resources ?? []).includes(resource) &&
      rule.verbs.includes(verb) &&
      rule.resourceNames === undefined,
  );
}

export function packageVersion(): string {
  const manifest = z
    .object({ version: z.string() })
    .parse(JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")));
  return manifest.version;
}
