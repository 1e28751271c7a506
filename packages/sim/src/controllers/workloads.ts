// The deployment and ReplicaSet controllers, for the Deployments clients create (`kubectl create
// deployment`, an apply): a ReplicaSet per pod template, pods for its replicas, and the ready and
// available counts rolled up into both statuses as the pods start. A new template scales the old
// ReplicaSet to zero at once rather than rolling; nothing here surges or waits for minReadySeconds.
// Deployments a scenario or the churn creates arrive with a status already observed and are left to
// them.
import type { SimResourceType } from "../catalog.js";
import { type Json, record, records } from "../json.js";
import type { KubeObject } from "../object-api.js";
import { isPodReady } from "../pod-ready.js";
import { controllerRef } from "../scenarios/stamp.js";
import { type ObjectStore, storageKey } from "../store/index.js";
import { DelayedWork } from "./delayed-work.js";
import { templateHash } from "./pod-status.js";

const controllerManager = { name: "kube-controller-manager", operation: "Update" } as const;

/** How soon a controller reacts to a change it watches. */
const reactMs = 20;

const revisionKey = "deployment.kubernetes.io/revision";

function controllerUid(object: KubeObject): string | undefined {
  return object.metadata?.ownerReferences?.find((ref) => ref.controller)?.uid;
}

function replicasOf(object: KubeObject): number {
  const replicas = record(object.spec).replicas;
  return typeof replicas === "number" && replicas >= 0 ? replicas : 1;
}

function count(value: unknown): number {
  return typeof value === "number" ? value : 0;
}

/** maxUnavailable as a number of pods: a percentage rounds down, as the deployment controller's does. */
function maxUnavailable(deployment: KubeObject, desired: number): number {
  const strategy = record(record(deployment.spec).strategy);
  if (strategy.type === "Recreate") return 0;
  const value = record(strategy.rollingUpdate).maxUnavailable ?? "25%";
  if (typeof value === "number") return Math.min(value, desired);
  const percent = /^(\d{1,3})%$/.exec(String(value));
  return percent ? Math.floor((desired * Number(percent[1])) / 100) : 0;
}

function deploymentCondition(type: string, status: boolean, reason: string, message: string, time: string) {
  return {
    type,
    status: status ? "True" : "False",
    lastUpdateTime: time,
    lastTransitionTime: time,
    reason,
    message,
  };
}

/** Keeps a condition's lastTransitionTime (and its lastUpdateTime when nothing about it changed). */
function carryConditions(next: Json[], previous: Json[]): Json[] {
  return next.map((entry) => {
    const before = previous.find((old) => old.type === entry.type);
    if (!before || before.status !== entry.status) return entry;
    const same = before.reason === entry.reason && before.message === entry.message;
    return {
      ...entry,
      lastTransitionTime: before.lastTransitionTime ?? entry.lastTransitionTime,
      lastUpdateTime: same ? (before.lastUpdateTime ?? entry.lastUpdateTime) : entry.lastUpdateTime,
    };
  });
}

function nowTime(): string {
  return `${new Date().toISOString().slice(0, 19)}Z`;
}

export class WorkloadControllers {
  private readonly work = new DelayedWork();
  private readonly stopListening: () => void;
  /** The Deployments and ReplicaSets these controllers run, by uid. */
  private readonly deployments = new Set<string>();
  private readonly replicaSets = new Set<string>();
  private readonly types: {
    deployments: SimResourceType;
    replicaSets: SimResourceType;
    pods: SimResourceType;
  };

  constructor(private readonly store: ObjectStore) {
    this.types = {
      deployments: store.resolve("apps", "v1", "deployments"),
      replicaSets: store.resolve("apps", "v1", "replicasets"),
      pods: store.resolve("", "v1", "pods"),
    };
    const keys = {
      deployments: storageKey("apps", "deployments"),
      replicaSets: storageKey("apps", "replicasets"),
      pods: storageKey("", "pods"),
    };
    this.stopListening = store.onChange((change) => {
      const object = change.object;
      const uid = object.metadata?.uid ?? "";
      const namespace = object.metadata?.namespace ?? "";
      if (change.storageKey === keys.deployments) {
        if (change.type === "DELETED") this.deployments.delete(uid);
        else if (change.type === "ADDED" && record(object.status).observedGeneration === undefined)
          this.deployments.add(uid);
        if (this.deployments.has(uid)) this.scheduleDeployment(namespace, object.metadata?.name ?? "");
      } else if (change.storageKey === keys.replicaSets) {
        if (change.type === "DELETED") {
          this.replicaSets.delete(uid);
          this.scheduleOwner(object);
        } else if (this.replicaSets.has(uid)) {
          this.scheduleReplicaSet(namespace, object.metadata?.name ?? "");
        }
      } else if (change.storageKey === keys.pods) {
        const owner = object.metadata?.ownerReferences?.find((ref) => ref.controller);
        if (owner && this.replicaSets.has(owner.uid)) this.scheduleReplicaSet(namespace, owner.name);
      }
    });
  }

  /** True for an object these controllers run, which nothing else should then change. */
  manages(object: KubeObject): boolean {
    const uid = object.metadata?.uid ?? "";
    if (this.deployments.has(uid) || this.replicaSets.has(uid)) return true;
    const owner = controllerUid(object);
    return owner !== undefined && this.replicaSets.has(owner);
  }

  stop(): void {
    this.stopListening();
    this.work.stop();
  }

  private scheduleDeployment(namespace: string, name: string): void {
    this.work.schedule(`deployment/${namespace}/${name}`, reactMs, () =>
      this.syncDeployment(namespace, name),
    );
  }

  private scheduleReplicaSet(namespace: string, name: string): void {
    this.work.schedule(`replicaset/${namespace}/${name}`, reactMs, () =>
      this.syncReplicaSet(namespace, name),
    );
  }

  private scheduleOwner(object: KubeObject): void {
    const owner = object.metadata?.ownerReferences?.find((ref) => ref.controller);
    if (owner && this.deployments.has(owner.uid))
      this.scheduleDeployment(object.metadata?.namespace ?? "", owner.name);
  }

  private ownedBy<T extends KubeObject>(type: SimResourceType, namespace: string, uid: string): T[] {
    return this.store
      .listStored(type, namespace)
      .filter((object) => controllerUid(object) === uid && !object.metadata?.deletionTimestamp) as T[];
  }

  /** The object, when it is still there, not being deleted, and one of ours. */
  private runnable(type: SimResourceType, ours: Set<string>, namespace: string, name: string) {
    const object = this.store.getStored(type, namespace, name);
    if (!object || object.metadata?.deletionTimestamp || !ours.has(object.metadata?.uid ?? ""))
      return undefined;
    return object;
  }

  private syncDeployment(namespace: string, name: string): void {
    const { deployments, replicaSets } = this.types;
    const deployment = this.runnable(deployments, this.deployments, namespace, name);
    if (!deployment) return;
    const uid = deployment.metadata?.uid ?? "";
    const desired = replicasOf(deployment);
    const template = record(record(deployment.spec).template);
    const hash = templateHash(template);
    const owned = this.ownedBy(replicaSets, namespace, uid);
    const revisions = owned.map((rs) => Number(rs.metadata?.annotations?.[revisionKey] ?? 0));
    let current = owned.find((rs) => rs.metadata?.labels?.["pod-template-hash"] === hash);
    if (!current) {
      current = this.createReplicaSet(deployment, template, hash, desired, Math.max(0, ...revisions) + 1);
    } else if (replicasOf(current) !== desired) {
      current = this.resize(current, desired);
    }
    for (const old of owned) {
      if (old !== current && old.metadata?.uid !== current.metadata?.uid && replicasOf(old) > 0)
        this.resize(old, 0);
    }
    const revision = current.metadata?.annotations?.[revisionKey] ?? "1";
    if (deployment.metadata?.annotations?.[revisionKey] !== revision) {
      const annotated = structuredClone(deployment);
      if (annotated.metadata)
        annotated.metadata.annotations = {
          ...(annotated.metadata.annotations ?? {}),
          [revisionKey]: revision,
        };
      this.store.updateObject(deployments, namespace, name, annotated, { manager: controllerManager });
    }
    this.writeDeploymentStatus(namespace, name, current);
  }

  private createReplicaSet(
    deployment: KubeObject,
    template: Json,
    hash: string,
    replicas: number,
    revision: number,
  ): KubeObject {
    const namespace = deployment.metadata?.namespace ?? "";
    const templateMeta = record(template.metadata);
    const labels = { ...(record(templateMeta.labels) as Record<string, string>), "pod-template-hash": hash };
    const selector = record(record(deployment.spec).selector);
    const replicaSet: KubeObject = {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: {
        name: `${deployment.metadata?.name ?? ""}-${hash}`,
        namespace,
        labels: { ...labels },
        annotations: this.sizeAnnotations(deployment, replicas, revision),
        ownerReferences: [controllerRef(deployment)],
      },
      spec: {
        replicas,
        ...(record(deployment.spec).minReadySeconds !== undefined
          ? { minReadySeconds: record(deployment.spec).minReadySeconds }
          : {}),
        selector: {
          ...selector,
          matchLabels: {
            ...(record(selector.matchLabels) as Record<string, string>),
            "pod-template-hash": hash,
          },
        },
        template: { ...structuredClone(template), metadata: { ...structuredClone(templateMeta), labels } },
      },
    };
    const created = this.store.createObject(this.types.replicaSets, namespace, replicaSet, {
      manager: controllerManager,
    });
    this.replicaSets.add(created.metadata?.uid ?? "");
    this.scheduleReplicaSet(namespace, created.metadata?.name ?? "");
    return created;
  }

  private sizeAnnotations(
    deployment: KubeObject,
    replicas: number,
    revision: number,
  ): Record<string, string> {
    const desired = replicasOf(deployment);
    const surge = record(record(record(deployment.spec).strategy).rollingUpdate).maxSurge ?? "25%";
    const percent = /^(\d{1,3})%$/.exec(String(surge));
    const extra =
      typeof surge === "number" ? surge : percent ? Math.ceil((desired * Number(percent[1])) / 100) : 0;
    return {
      "deployment.kubernetes.io/desired-replicas": String(replicas === 0 ? desired : replicas),
      "deployment.kubernetes.io/max-replicas": String(desired + extra),
      [revisionKey]: String(revision),
    };
  }

  private resize(replicaSet: KubeObject, replicas: number): KubeObject {
    const next = structuredClone(replicaSet);
    next.spec = { ...record(next.spec), replicas };
    if (next.metadata && replicas > 0) {
      next.metadata.annotations = {
        ...(next.metadata.annotations ?? {}),
        "deployment.kubernetes.io/desired-replicas": String(replicas),
      };
    }
    return this.store.updateObject(
      this.types.replicaSets,
      next.metadata?.namespace,
      next.metadata?.name ?? "",
      next,
      { manager: controllerManager },
    );
  }

  private syncReplicaSet(namespace: string, name: string): void {
    const { replicaSets, pods } = this.types;
    const replicaSet = this.runnable(replicaSets, this.replicaSets, namespace, name);
    if (!replicaSet) return;
    const uid = replicaSet.metadata?.uid ?? "";
    const desired = replicasOf(replicaSet);
    let owned = this.ownedBy(pods, namespace, uid);
    if (owned.length < desired) {
      const template = record(record(replicaSet.spec).template);
      for (let i = owned.length; i < desired; i++) {
        this.store.createObject(
          pods,
          namespace,
          {
            apiVersion: "v1",
            kind: "Pod",
            metadata: {
              generateName: `${name}-`,
              namespace,
              labels: { ...(record(record(template.metadata).labels) as Record<string, string>) },
              ownerReferences: [controllerRef(replicaSet)],
            },
            spec: structuredClone(record(template.spec)),
          },
          { manager: controllerManager },
        );
      }
    } else if (owned.length > desired) {
      // Not-ready pods go first, then the youngest, as the ReplicaSet controller ranks them.
      const ranked = [...owned].sort(
        (a, b) =>
          Number(isPodReady(a)) - Number(isPodReady(b)) ||
          String(b.metadata?.creationTimestamp).localeCompare(String(a.metadata?.creationTimestamp)),
      );
      for (const pod of ranked.slice(0, owned.length - desired))
        this.store.deleteObject(pods, namespace, pod.metadata?.name ?? "");
    }
    owned = this.ownedBy(pods, namespace, uid);
    const ready = owned.filter(isPodReady).length;
    const status: Json = {
      replicas: owned.length,
      fullyLabeledReplicas: owned.length,
      observedGeneration: replicaSet.metadata?.generation ?? 1,
    };
    if (ready > 0) {
      status.readyReplicas = ready;
      status.availableReplicas = ready;
    }
    const next = structuredClone(replicaSet);
    next.status = status;
    this.store.updateObject(replicaSets, namespace, name, next, {
      subresource: "status",
      manager: controllerManager,
    });
    this.scheduleOwner(replicaSet);
  }

  private writeDeploymentStatus(namespace: string, name: string, current: KubeObject): void {
    const { deployments, replicaSets } = this.types;
    const deployment = this.store.getStored(deployments, namespace, name);
    if (!deployment) return;
    const owned = this.ownedBy(replicaSets, namespace, deployment.metadata?.uid ?? "");
    const desired = replicasOf(deployment);
    let replicas = 0;
    let ready = 0;
    let available = 0;
    for (const rs of owned) {
      const status = record(rs.status);
      replicas += count(status.replicas);
      ready += count(status.readyReplicas);
      available += count(status.availableReplicas);
    }
    const currentStatus = record(owned.find((rs) => rs.metadata?.uid === current.metadata?.uid)?.status);
    const updated = count(currentStatus.replicas);
    const time = nowTime();
    const rsName = current.metadata?.name ?? "";
    const complete =
      updated === desired && count(currentStatus.availableReplicas) === desired && replicas === desired;
    const minimum = available >= desired - maxUnavailable(deployment, desired);
    const previous = record(deployment.status);
    const status: Json = {
      observedGeneration: deployment.metadata?.generation ?? 1,
      replicas,
      updatedReplicas: updated,
      conditions: carryConditions(
        [
          minimum
            ? deploymentCondition(
                "Available",
                true,
                "MinimumReplicasAvailable",
                "Deployment has minimum availability.",
                time,
              )
            : deploymentCondition(
                "Available",
                false,
                "MinimumReplicasUnavailable",
                "Deployment does not have minimum availability.",
                time,
              ),
          complete
            ? deploymentCondition(
                "Progressing",
                true,
                "NewReplicaSetAvailable",
                `ReplicaSet "${rsName}" has successfully progressed.`,
                time,
              )
            : deploymentCondition(
                "Progressing",
                true,
                "ReplicaSetUpdated",
                `ReplicaSet "${rsName}" is progressing.`,
                time,
              ),
        ],
        records(previous.conditions),
      ),
    };
    if (ready > 0) status.readyReplicas = ready;
    if (available > 0) status.availableReplicas = available;
    if (desired - available > 0) status.unavailableReplicas = desired - available;
    const next = structuredClone(deployment);
    next.status = status;
    this.store.updateObject(deployments, namespace, name, next, {
      subresource: "status",
      manager: controllerManager,
    });
  }
}
