import { builder } from "../builder.js";

const ResourceOrderFieldEnum = builder.enumType("ResourceOrderField", {
  values: {
    NAME: { description: "metadata.name." },
    NAMESPACE: { description: 'metadata.namespace; cluster-scoped objects as "".' },
    CREATED: { description: "metadata.creationTimestamp; objects without one first." },
  } as const,
});

const OrderDirectionEnum = builder.enumType("OrderDirection", {
  values: ["ASC", "DESC"] as const,
});

export const ResourceOrderInput = builder.inputType("ResourceOrder", {
  description:
    "A list order; ties are broken by the stable order (cluster, namespace, kind, name, uid), and DESC reverses the whole of it.",
  fields: (t) => ({
    field: t.field({ type: ResourceOrderFieldEnum, required: true }),
    direction: t.field({ type: OrderDirectionEnum, defaultValue: "ASC" }),
  }),
});
