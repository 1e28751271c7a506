// Reads a subscription until stopped, over either transport, with each transport's own client.
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { subscribe } from "./graphql-client.js";
import { sseClient } from "./sse-client.js";

export type Transport = "graphql-ws" | "graphql-sse";

export interface Following {
  stop(): Promise<void>;
}

/**
 * Calls `onData` with each event's data, in order, until stop(); a closed stream just ends the reading.
 * With a token, it is sent as each transport's client sends headers.
 */
export function follow<TData, TVariables>(
  transport: Transport,
  url: string,
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  onData: (data: TData) => void,
  token?: string,
): Following {
  if (transport === "graphql-ws") {
    const subscription = subscribe(url, document, variables, token === undefined ? {} : { token });
    const reading = (async () => {
      for await (const data of subscription) onData(data);
    })().catch(() => {});
    return {
      stop: async () => {
        await subscription.close();
        await reading;
      },
    };
  }
  const client = sseClient(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
  const subscription = client.subscribe(document, variables);
  let open = true;
  const reading = (async () => {
    while (open) {
      const result = await subscription.next(Number.POSITIVE_INFINITY);
      if (result.data) onData(result.data);
    }
  })().catch(() => {});
  return {
    stop: async () => {
      open = false;
      await subscription.close();
      client.dispose();
      await reading;
    },
  };
}
