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

/** The objects of one file of deploy/, in its order: for a layout applied on its own. */
export function fileObjects(file: string): KubeObject[] {
  return manifestDocuments()
    .filter((document) => document.file === file)
    .map(({ index, value }) => {
      const parsed = kubeObject.safeParse(value);
      if (!parsed.success) throw new Error(`deploy/${file} document ${index}: ${parsed.error.message}`);
      return parsed.data;
    });
}

/** theObject within one file of deploy/: the one object of a kind (and name) there, parsed with `schema`. */
export function objectIn<T extends z.ZodType>(
  file: string,
  kind: string,
  schema: T,
  name?: string,
): z.infer<T> {
  const found = fileObjects(file).filter(
    (object) => object.kind === kind && (name === undefined || object.metadata.name === name),
  );
  if (found.length !== 1) {
    throw new Error(
      `deploy/${file} has ${found.length} ${kind} objects${name ? ` named ${name}` : ""}, expected 1`,
    );
  }
  return schema.parse(found[0]);
}

export type SecurityContext = z.infer<typeof securityContext>;

const mountedContainer = container.extend({
  command: z.array(z.string()).default([]),
  volumeMounts: z
    .array(z.object({ name: z.string(), mountPath: z.string(), readOnly: z.boolean().optional() }))
    .default([]),
});

export const podSpec = z.looseObject({
  serviceAccountName: z.string().optional(),
  automountServiceAccountToken: z.boolean().optional(),
  enableServiceLinks: z.boolean().optional(),
  securityContext: securityContext.optional(),
  containers: z.array(mountedContainer).length(1),
  volumes: z.array(z.looseObject({ name: z.string() })).default([]),
});
export type PodSpec = z.infer<typeof podSpec>;

const labelSelector = z.object({ matchLabels: z.record(z.string(), z.string()) });

const podTemplate = z.object({
  metadata: z.object({ labels: z.record(z.string(), z.string()) }),
  spec: podSpec,
});

/** A Deployment read with everything of its pod the replicated layout sets (volumes, token, links). */
export const podDeployment = kubeObject.extend({
  spec: z.looseObject({
    replicas: z.number().int().optional(),
    strategy: z
      .object({
        type: z.string(),
        rollingUpdate: z
          .object({
            maxSurge: z.union([z.number(), z.string()]),
            maxUnavailable: z.union([z.number(), z.string()]),
          })
          .optional(),
      })
      .optional(),
    selector: labelSelector,
    template: podTemplate,
  }),
});

export const statefulSet = kubeObject.extend({
  spec: z.looseObject({
    serviceName: z.string(),
    replicas: z.number().int().optional(),
    selector: labelSelector,
    template: podTemplate,
    volumeClaimTemplates: z.array(z.looseObject({ metadata: z.object({ name: z.string() }) })),
  }),
});

export const configMap = kubeObject.extend({ data: z.record(z.string(), z.string()) });

export const serviceAccount = kubeObject.extend({ automountServiceAccountToken: z.boolean().optional() });

export const headlessService = service.extend({
  spec: service.shape.spec.extend({ clusterIP: z.string().optional() }),
});

export const horizontalPodAutoscaler = kubeObject.extend({
  spec: z.object({
    scaleTargetRef: z.object({ apiVersion: z.string(), kind: z.string(), name: z.string() }),
    minReplicas: z.number().int(),
    maxReplicas: z.number().int(),
    metrics: z.array(
      z.looseObject({
        type: z.string(),
        resource: z.looseObject({ name: z.string(), target: z.looseObject({ type: z.string() }) }).optional(),
      }),
    ),
    behavior: z.unknown().optional(),
  }),
});

export const podDisruptionBudget = kubeObject.extend({
  spec: z.object({
    minAvailable: z.union([z.number(), z.string()]).optional(),
    maxUnavailable: z.union([z.number(), z.string()]).optional(),
    selector: labelSelector,
  }),
});

export const networkPolicy = kubeObject.extend({
  spec: z.object({
    podSelector: labelSelector,
    policyTypes: z.array(z.string()),
    ingress: z.array(
      z.object({
        from: z.array(z.object({ podSelector: labelSelector })),
        ports: z.array(
          z.object({ port: z.union([z.string(), z.number()]), protocol: z.string().optional() }),
        ),
      }),
    ),
  }),
});

/**
 * Any object that runs pods from a template (Deployment, StatefulSet, DaemonSet, …), read only for what
 * the kubelet enforces of every container, so that a new kind of workload is checked as well.
 */
export const podTemplateOwner = kubeObject.extend({
  spec: z.looseObject({
    template: z.looseObject({
      spec: z.looseObject({
        securityContext: securityContext.optional(),
        initContainers: z
          .array(z.looseObject({ name: z.string(), securityContext: securityContext.optional() }))
          .default([]),
        containers: z
          .array(z.looseObject({ name: z.string(), securityContext: securityContext.optional() }))
          .min(1),
      }),
    }),
  }),
});

/** Whether every label a selector asks for is on the pod. */
export function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/**
 * What keeps a container from the rules deploy/meshsync.yaml's pod meets (the restricted Pod Security
 * Standard): a numeric non-root user and group the kubelet can verify, RuntimeDefault seccomp, no
 * privilege escalation, a read-only root filesystem, every capability dropped and none added.
 * Empty when it meets them all.
 */
export function restrictedPodProblems(
  pod: { securityContext?: SecurityContext | undefined },
  target: { securityContext?: SecurityContext | undefined },
): string[] {
  const own = target.securityContext;
  const inherited = pod.securityContext;
  const problems: string[] = [];
  const user = own?.runAsUser ?? inherited?.runAsUser;
  const group = own?.runAsGroup ?? inherited?.runAsGroup;
  if (!(Number.isInteger(user) && user! > 0)) problems.push(`runAsUser ${user}`);
  if (!(Number.isInteger(group) && group! > 0)) problems.push(`runAsGroup ${group}`);
  if ((own?.runAsNonRoot ?? inherited?.runAsNonRoot) !== true) problems.push("runAsNonRoot is not true");
  const seccomp = own?.seccompProfile ?? inherited?.seccompProfile;
  if (seccomp?.type !== "RuntimeDefault") problems.push(`seccompProfile ${JSON.stringify(seccomp)}`);
  if (own?.allowPrivilegeEscalation !== false) problems.push("allowPrivilegeEscalation is not false");
  if (own?.readOnlyRootFilesystem !== true) problems.push("readOnlyRootFilesystem is not true");
  const capabilities = own?.capabilities;
  if (JSON.stringify(capabilities?.drop) !== JSON.stringify(["ALL"])) {
    problems.push(`capabilities.drop ${JSON.stringify(capabilities?.drop)}`);
  }
  if (capabilities?.add !== undefined) problems.push(`capabilities.add ${JSON.stringify(capabilities.add)}`);
  return problems;
}

/** What `kubectl apply -o name` prints for an object, e.g. statefulset.apps/nats or service/nats. */
export function kubectlName(object: KubeObject): string {
  const group = object.apiVersion.includes("/") ? object.apiVersion.split("/")[0] : "";
  return `${object.kind.toLowerCase()}${group ? `.${group}` : ""}/${object.metadata.name}`;
}
