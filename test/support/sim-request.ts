// A request to the simulator's Kubernetes API, as the end-to-end tests make their changes: the JSON
// answer, or an error naming the request and the simulator's Status.

export async function simRequest(
  origin: string,
  method: string,
  path: string,
  body?: unknown,
  contentType = "application/json",
): Promise<Record<string, unknown>> {
  const response = await fetch(`${origin}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": contentType },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}
