// deploy/ as the API server and the kubelet will take it. Every file: each document an object, in
// meshsync's namespace, each container one the restricted namespace admits, RBAC that names what it
// grants and binds what deploy/ defines, no grant defined twice. deploy/meshsync.yaml, the layout
// applied on its own: the namespace created before what lives in it, a pod the kubelet may start
// under runAsNonRoot, an image that names the release, and least-privilege RBAC for its account.
import { describe, expect, it } from "vitest";
import {
  binding,
  containerPortOf,
  deployment,
  fileObjects,
  flagValue,
  grants,
  type KubeObject,
  kubeObject,
  kubeObjects,
  manifestDocuments,
  objectIn,
  packageVersion,
  podTemplateOwner,
  restrictedPodProblems,
  role,
  service,
} from "./manifests.js";

const namespace = "meshery";
/** The single-Deployment layout, applied on its own with `kubectl apply -f deploy/meshsync.yaml`. */
const single = "meshsync.yaml";
const workloadKinds = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"];
const isRole = (object: KubeObject) => /^(Cluster)?Role$/.test(object.kind);
const isBinding = (object: KubeObject) => /^(Cluster)?RoleBinding$/.test(object.kind);

function theDeployment() {
  return objectIn(single, "Deployment", deployment, "meshsync");
}

function theContainer() {
  return theDeployment().spec.template.spec.containers[0]!;
}

describe("every file of deploy/", () => {
  it("holds only Kubernetes objects: every YAML document has an apiVersion, a kind and a name", () => {
    const documents = manifestDocuments();
    expect(documents.length).toBeGreaterThan(0);
    for (const { file, index, value } of documents) {
      expect(value, `deploy/${file} document ${index}`).toMatchObject({
        apiVersion: expect.stringMatching(/\S/),
        kind: expect.stringMatching(/\S/),
        metadata: { name: expect.stringMatching(/\S/) },
      });
    }
  });

  it("puts every namespaced object in meshsync's namespace", () => {
    const namespaced = kubeObjects().filter((object) => object.metadata.namespace !== undefined);
    expect(namespaced.length).toBeGreaterThan(0);
    for (const object of namespaced) {
      expect(object.metadata.namespace, `${object.kind}/${object.metadata.name}`).toBe(namespace);
    }
  });

  it("runs every container as the restricted Pod Security Standard, which the namespace enforces, asks", () => {
    const checked: string[] = [];
    for (const object of kubeObjects().filter((candidate) => workloadKinds.includes(candidate.kind))) {
      const pod = podTemplateOwner.parse(object).spec.template.spec;
      for (const target of [...pod.initContainers, ...pod.containers]) {
        const name = `${object.kind}/${object.metadata.name} container ${target.name}`;
        expect(restrictedPodProblems(pod, target), name).toEqual([]);
        checked.push(name);
      }
    }
    expect(checked).toContain("Deployment/meshsync container meshsync");
  });
});

describe("deploy/meshsync.yaml", () => {
  it("creates its namespace before anything that lives in it", () => {
    const objects = fileObjects(single);
    const created = objects.findIndex(
      (object) => object.kind === "Namespace" && object.metadata.name === namespace,
    );
    expect(created, "a Namespace named meshery").toBeGreaterThanOrEqual(0);
    const namespaced = objects.filter((object) => object.metadata.namespace !== undefined);
    expect(namespaced.length).toBeGreaterThan(0);
    for (const object of namespaced) {
      expect(object.metadata.namespace, `${object.kind}/${object.metadata.name}`).toBe(namespace);
      expect(
        objects.indexOf(object),
        `${object.kind}/${object.metadata.name} comes after the Namespace`,
      ).toBeGreaterThan(created);
    }
  });

  it("runs the image of this release, tagged with the package version", () => {
    const image = theContainer().image;
    expect(image).not.toMatch(/:latest$/);
    expect(image.split(":").at(-1)).toBe(packageVersion());
  });

  it("runs as a numeric non-root user the kubelet can verify, with nothing to escalate", () => {
    const pod = theDeployment().spec.template.spec;
    const container = theContainer();
    const user = container.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
    const group = container.securityContext?.runAsGroup ?? pod.securityContext?.runAsGroup;
    expect(Number.isInteger(user) && user! > 0, `runAsUser ${user}`).toBe(true);
    expect(Number.isInteger(group) && group! > 0, `runAsGroup ${group}`).toBe(true);
    expect(container.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot).toBe(true);
    expect(container.securityContext?.seccompProfile ?? pod.securityContext?.seccompProfile).toEqual({
      type: "RuntimeDefault",
    });
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(container.securityContext?.capabilities?.add).toBeUndefined();
  });

  it("probes startup and liveness on /healthz and readiness on /readyz, on the port serve listens on", () => {
    const container = theContainer();
    const { startupProbe, livenessProbe, readinessProbe } = container;
    expect(startupProbe?.httpGet.path).toBe("/healthz");
    expect(livenessProbe?.httpGet.path).toBe("/healthz");
    expect(readinessProbe?.httpGet.path).toBe("/readyz");
    const listening = Number(flagValue(container.args, "--port"));
    expect(Number.isInteger(listening), `--port in ${container.args.join(" ")}`).toBe(true);
    for (const probe of [startupProbe!, livenessProbe!, readinessProbe!]) {
      expect(containerPortOf(container, probe.httpGet.port), `probe port ${probe.httpGet.port}`).toBe(
        listening,
      );
    }
    // The startup probe gives the process room to start before liveness may restart it.
    expect(
      (startupProbe!.periodSeconds ?? 10) * (startupProbe!.failureThreshold ?? 3),
    ).toBeGreaterThanOrEqual(30);
  });

  it("asks for resources and is bounded by limits", () => {
    const resources = theContainer().resources;
    expect(Object.keys(resources?.requests ?? {}).sort()).toEqual(["cpu", "memory"]);
    expect(Object.keys(resources?.limits ?? {}).sort()).toEqual(["cpu", "memory"]);
  });

  it("bounds Node's heap under the memory limit, so that the collector runs before the kubelet kills", () => {
    const container = theContainer();
    const limit = String(container.resources?.limits?.memory ?? "");
    const quantity = /^(\d+)(Mi|Gi)$/.exec(limit);
    const limitMiB = Number(quantity?.[1]) * (quantity?.[2] === "Gi" ? 1024 : 1);
    const options = String(container.env.find((variable) => variable.name === "NODE_OPTIONS")?.value ?? "");
    const heapMiB = Number(/--max-old-space-size=(\d+)/.exec(options)?.[1]);
    expect(heapMiB).toBeGreaterThan(0);
    expect(heapMiB).toBeLessThan(limitMiB * 0.9);
  });

  it("binds all interfaces only with a token, read from a Secret", () => {
    const container = theContainer();
    expect(flagValue(container.args, "--host")).toBe("0.0.0.0");
    expect(container.env.find((variable) => variable.name === "MESHSYNC_TOKEN")).toMatchObject({
      valueFrom: { secretKeyRef: { name: expect.any(String), key: expect.any(String) } },
    });
  });

  it("exposes the pods through a Service whose target is the container's port", () => {
    const target = objectIn(single, "Service", service, "meshsync");
    const pod = theDeployment().spec.template;
    const container = theContainer();
    for (const [key, value] of Object.entries(target.spec.selector))
      expect(pod.metadata.labels[key]).toBe(value);
    for (const [key, value] of Object.entries(theDeployment().spec.selector.matchLabels)) {
      expect(pod.metadata.labels[key]).toBe(value);
    }
    expect(target.spec.ports).toHaveLength(1);
    expect(containerPortOf(container, target.spec.ports[0]!.targetPort)).toBe(
      Number(flagValue(container.args, "--port")),
    );
  });
});

describe("deploy/ RBAC, every file", () => {
  it("grants no wildcard verb, resource, group or URL", () => {
    for (const object of kubeObjects().filter(isRole)) {
      for (const rule of role.parse(object).rules) {
        const words = [
          ...rule.verbs,
          ...(rule.resources ?? []),
          ...(rule.apiGroups ?? []),
          ...(rule.nonResourceURLs ?? []),
        ];
        expect(
          words.filter((word) => word.includes("*")),
          `${object.kind}/${object.metadata.name}`,
        ).toEqual([]);
      }
    }
  });

  it("defines each role and binding in one file only, so that applying one layout never rewrites another's grants", () => {
    const seen = new Map<string, string>();
    const repeated: string[] = [];
    for (const { file, value } of manifestDocuments()) {
      const object = kubeObject.parse(value);
      if (!isRole(object) && !isBinding(object)) continue;
      const identity = `${object.kind}/${object.metadata.namespace ?? ""}/${object.metadata.name}`;
      const first = seen.get(identity);
      if (first !== undefined) repeated.push(`${identity} in deploy/${first} and deploy/${file}`);
      else seen.set(identity, file);
    }
    expect(seen.size).toBeGreaterThan(0);
    expect(repeated).toEqual([]);
  });

  it("binds only roles and service accounts that deploy/ defines, each in the binding's namespace", () => {
    const objects = kubeObjects();
    const roles = objects.filter(isRole);
    const accounts = objects.filter((object) => object.kind === "ServiceAccount");
    const bindings = objects.filter(isBinding).map((object) => binding.parse(object));
    expect(bindings.length).toBeGreaterThan(0);
    for (const bound of bindings) {
      const name = `${bound.kind}/${bound.metadata.name}`;
      const target = roles.find(
        (candidate) =>
          candidate.kind === bound.roleRef.kind &&
          candidate.metadata.name === bound.roleRef.name &&
          (bound.roleRef.kind === "ClusterRole" || candidate.metadata.namespace === bound.metadata.namespace),
      );
      expect(target, `${name} refers to a role in deploy/`).toBeDefined();
      expect(bound.subjects.length, name).toBeGreaterThan(0);
      for (const subject of bound.subjects) {
        expect(subject.kind, name).toBe("ServiceAccount");
        expect(
          accounts.some(
            (account) =>
              account.metadata.name === subject.name && account.metadata.namespace === subject.namespace,
          ),
          `${name} binds ServiceAccount ${subject.namespace}/${subject.name}, defined in deploy/`,
        ).toBe(true);
      }
    }
  });
});

describe("deploy/meshsync.yaml RBAC", () => {
  const reader = () => objectIn(single, "ClusterRole", role, "meshsync-reader");

  it("only reads cluster-wide, and reads no proxy, log, exec, attach, port-forward or Secret", () => {
    const rules = reader().rules;
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(rule.verbs.filter((verb) => !["get", "list", "watch"].includes(verb))).toEqual([]);
      expect(rule.nonResourceURLs).toBeUndefined();
      for (const resource of rule.resources ?? []) {
        expect(resource, "a subresource").not.toContain("/");
        // Secrets are left out on purpose; the manifest says why and how to add them.
        expect(resource === "secrets" && (rule.apiGroups ?? []).includes(""), "core secrets").toBe(false);
      }
    }
  });

  it("reads the kube-system namespace, whose uid names the cluster, and CustomResourceDefinitions", () => {
    const rules = reader().rules;
    const kubeSystem = rules.some(
      (rule) =>
        (rule.apiGroups ?? []).includes("") &&
        (rule.resources ?? []).includes("namespaces") &&
        rule.verbs.includes("get") &&
        (rule.resourceNames ?? ["kube-system"]).includes("kube-system"),
    );
    expect(kubeSystem).toBe(true);
    for (const verb of ["get", "list", "watch"]) {
      expect(grants(rules, "apiextensions.k8s.io", "customresourcedefinitions", verb), verb).toBe(true);
    }
  });

  it("holds a leader-election Lease only in its own namespace, through a Role", () => {
    const leases = objectIn(single, "Role", role, "meshsync-leader-election");
    expect(leases.metadata.namespace).toBe(namespace);
    expect(leases.rules).toHaveLength(1);
    expect(leases.rules[0]).toMatchObject({ apiGroups: ["coordination.k8s.io"], resources: ["leases"] });
    expect(leases.rules[0]!.verbs.sort()).toEqual(["create", "get", "update"]);
    expect(grants(reader().rules, "coordination.k8s.io", "leases", "update")).toBe(false);
  });

  it("binds each of its roles to meshsync's service account, the one the Deployment runs as", () => {
    const objects = fileObjects(single);
    const account = objectIn(single, "ServiceAccount", kubeObject, "meshsync");
    expect(theDeployment().spec.template.spec.serviceAccountName).toBe(account.metadata.name);
    const bindings = objects.filter(isBinding).map((object) => binding.parse(object));
    const roles = objects.filter(isRole);
    expect(bindings.length).toBe(roles.length);
    for (const bound of bindings) {
      const target = roles.find(
        (candidate) =>
          candidate.kind === bound.roleRef.kind && candidate.metadata.name === bound.roleRef.name,
      );
      expect(
        target,
        `${bound.kind}/${bound.metadata.name} refers to a role in deploy/${single}`,
      ).toBeDefined();
      if (bound.kind === "RoleBinding") expect(bound.metadata.namespace).toBe(target!.metadata.namespace);
      expect(bound.subjects).toEqual([{ kind: "ServiceAccount", name: account.metadata.name, namespace }]);
    }
  });
});
