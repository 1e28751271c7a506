// Deleting a namespace deletes everything in it first, so watchers see the contents go before it.
import type { ObjectStore } from "./object-store.js";

export function installNamespaceCascade(store: ObjectStore): void {
  store.addHook("", "namespaces", {
    beforeDelete(obj) {
      const name = obj.metadata?.name;
      if (typeof name === "string") store.deleteNamespaceContents(name);
    },
  });
}
