// graphql-sse's own client, for the tests: the conformance test of the server's SSE transport.

import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { type ExecutionResult, print } from "graphql";
import { createClient } from "graphql-sse";

export interface SseSubscription<TData> {
  next(timeoutMs?: number): Promise<ExecutionResult<TData>>;
  close(): Promise<void>;
}

export interface SseClient {
  subscribe<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables> | string,
    variables?: TVariables,
  ): SseSubscription<TData>;
  dispose(): void;
}

export function sseClient(
  url: string,
  options: { singleConnection?: boolean; headers?: Record<string, string> } = {},
): SseClient {
  const client = createClient({
    url,
    singleConnection: options.singleConnection ?? false,
    headers: options.headers ?? {},
    retryAttempts: 0,
  });
  return {
    subscribe(document, variables) {
      const iterator = client.iterate({
        query: typeof document === "string" ? document : print(document),
        variables: (variables ?? {}) as Record<string, unknown>,
      });
      return {
        async next(timeoutMs = 10_000) {
          let timer: NodeJS.Timeout | undefined;
          const timeout = new Promise<never>((_resolve, reject) => {
            if (!Number.isFinite(timeoutMs)) return;
            timer = setTimeout(() => reject(new Error(`no SSE event within ${timeoutMs} ms`)), timeoutMs);
          });
          try {
            const step = await Promise.race([iterator.next(), timeout]);
            if (step.done) throw new Error("the SSE subscription ended");
            return step.value as ExecutionResult<never>;
          } finally {
            clearTimeout(timer);
          }
        },
        async close() {
          await iterator.return?.();
        },
      };
    },
    dispose: () => client.dispose(),
  };
}
