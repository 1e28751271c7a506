// Deleting a namespace marks it Terminating, deletes everything in it, then removes it, so
// watchers see the same sequence a real namespace controller produces.

import { isPlainObject, nowTimestamp } from "./object-meta.js";
import type { ObjectStore } from "./object-store.js";

export function installNamespaceCascade(store: ObjectStore): void {
  store.addHook("", "namespaces", {
    beforeDelete(obj) {
      const name = obj.metadata?.name;
      if (typeof name !== "string") return;
      const type = store.resolve("", "v1", "namespaces");
      store.rewrite(type, undefined, name, (namespace) => {
        const meta = namespace.metadata ?? {};
        meta.deletionTimestamp = nowTimestamp();
        namespace.metadata = meta;
        namespace.status = {
          ...(isPlainObject(namespace.status) ? namespace.status : {}),
          phase: "Terminating",
        };
      });
      store.deleteNamespaceContents(name);
    },
  });
}
