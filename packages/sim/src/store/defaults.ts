// Defaults and conversions the real API server applies on write for a few kinds: a Secret's
// stringData becomes base64 data, a Service gets a cluster IP, a new Pod starts Pending with its QoS class.
import type { KubeObject } from "../object-api.js";
import { isPlainObject } from "./object-meta.js";
import type { ObjectStore } from "./object-store.js";
import { qosClassOf } from "./qos-class.js";
import { invalid } from "./status-error.js";

export function installWriteDefaults(store: ObjectStore): void {
  store.addHook("", "secrets", { prepare: convertStringData });
  // Addresses in use, including those loaded scenarios bring, so no two services share one.
  const used = new Set<string>();
  let nextAddress = 10;
  const allocate = (): string => {
    for (;;) {
      const n = nextAddress++;
      const address = `10.96.${(n >> 8) & 255}.${n & 255}`;
      if (!used.has(address)) return address;
    }
  };
  store.addHook("", "services", {
    prepare(obj, previous) {
      const spec = isPlainObject(obj.spec) ? obj.spec : {};
      obj.spec = spec;
      if (spec.type === undefined) spec.type = "ClusterIP";
      if (spec.type === "ExternalName") return;
      const kept = isPlainObject(previous?.spec) ? previous.spec.clusterIP : undefined;
      if (typeof spec.clusterIP !== "string" || spec.clusterIP === "") {
        spec.clusterIP = typeof kept === "string" ? kept : allocate();
      }
      if (!Array.isArray(spec.clusterIPs)) spec.clusterIPs = [spec.clusterIP];
      used.add(spec.clusterIP as string);
    },
  });
  store.addHook("", "pods", {
    prepare(obj, previous) {
      if (previous) return;
      if (!isPlainObject(obj.status)) obj.status = {};
      const status = obj.status as Record<string, unknown>;
      if (status.phase === undefined) status.phase = "Pending";
      // The API server classifies a pod on create, before any kubelet sees it.
      if (status.qosClass === undefined)
        status.qosClass = qosClassOf(isPlainObject(obj.spec) ? obj.spec : {});
    },
  });
}

function convertStringData(obj: KubeObject): void {
  const stringData = obj.stringData;
  if (stringData === undefined) return;
  if (!isPlainObject(stringData) || Object.values(stringData).some((value) => typeof value !== "string")) {
    throw invalid("Secret", "", obj.metadata?.name ?? "", [
      {
        reason: "FieldValueInvalid",
        message: "Invalid value: must map strings to strings",
        field: "stringData",
      },
    ]);
  }
  const data = isPlainObject(obj.data) ? { ...obj.data } : {};
  for (const [key, value] of Object.entries(stringData)) {
    data[key] = Buffer.from(value as string, "utf8").toString("base64");
  }
  obj.data = data;
  delete obj.stringData;
}
