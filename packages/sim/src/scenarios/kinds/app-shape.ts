/** What a workload runs; pod templates and pods are built from it, each time as a fresh tree. */
export interface AppShape {
  /** The value of the "app" label and the base of every related object's name. */
  name: string;
  image: string;
  port: number;
  portName: string;
  serviceAccount: string;
  cpu: string;
  memory: string;
  /** A ConfigMap the containers read their environment from. */
  configMap?: string;
  /** A Secret mounted into the containers. */
  secret?: string;
  /** A StatefulSet's volumeClaimTemplate name; each pod mounts "<claim>-<pod>". */
  claim?: string;
  /** Extra pod labels beyond "app" (e.g. k8s-app for system components). */
  labels?: Record<string, string>;
}

/** The selector labels of a workload's pods. */
export function appLabels(shape: AppShape): Record<string, string> {
  return shape.labels ? { ...shape.labels } : { app: shape.name };
}

function readinessProbe(shape: AppShape): Record<string, unknown> {
  const probe: Record<string, unknown> = shape.portName.startsWith("http")
    ? { httpGet: { path: "/healthz", port: shape.portName, scheme: "HTTP" } }
    : { tcpSocket: { port: shape.portName } };
  probe.initialDelaySeconds = 5;
  probe.timeoutSeconds = 1;
  probe.periodSeconds = 10;
  probe.successThreshold = 1;
  probe.failureThreshold = 3;
  return probe;
}

function container(shape: AppShape): Record<string, unknown> {
  const c: Record<string, unknown> = {
    name: shape.name,
    image: shape.image,
    imagePullPolicy: "IfNotPresent",
    ports: [{ name: shape.portName, containerPort: shape.port, protocol: "TCP" }],
    resources: {
      limits: { memory: shape.memory },
      requests: { cpu: shape.cpu, memory: shape.memory },
    },
    readinessProbe: readinessProbe(shape),
    terminationMessagePath: "/dev/termination-log",
    terminationMessagePolicy: "File",
  };
  if (shape.configMap) c.envFrom = [{ configMapRef: { name: shape.configMap } }];
  if (shape.secret || shape.claim) {
    const mounts: Record<string, unknown>[] = [];
    if (shape.secret) mounts.push({ name: "credentials", mountPath: "/etc/credentials", readOnly: true });
    if (shape.claim) mounts.push({ name: shape.claim, mountPath: "/data" });
    c.volumeMounts = mounts;
  }
  return c;
}

/** A pod template's spec with the defaults the API server fills in. */
export function templateSpec(shape: AppShape): Record<string, unknown> {
  const spec: Record<string, unknown> = {
    containers: [container(shape)],
    dnsPolicy: "ClusterFirst",
    restartPolicy: "Always",
    schedulerName: "default-scheduler",
    securityContext: {},
    serviceAccountName: shape.serviceAccount,
    terminationGracePeriodSeconds: 30,
  };
  if (shape.secret) {
    spec.volumes = [{ name: "credentials", secret: { secretName: shape.secret, defaultMode: 420 } }];
  }
  return spec;
}
