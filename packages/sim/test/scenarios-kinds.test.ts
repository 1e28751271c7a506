import { describe, expect, it } from "vitest";
import { generateScenario } from "../src/scenarios/index.js";
import { qualifiedImage, repositoryOf } from "../src/scenarios/kinds/index.js";

type Json = Record<string, unknown>;
const asRecord = (value: unknown): Json =>
  typeof value === "object" && value !== null ? (value as Json) : {};
const asList = (value: unknown): Json[] => (Array.isArray(value) ? value.map(asRecord) : []);

describe("image references", () => {
  it("spell out Docker Hub's registry and library namespace as containerd reports them", () => {
    expect(qualifiedImage("nginx:1.27.4")).toBe("docker.io/library/nginx:1.27.4");
    expect(qualifiedImage("prom/prometheus:v3.2.1")).toBe("docker.io/prom/prometheus:v3.2.1");
    expect(qualifiedImage("registry.k8s.io/pause:3.10")).toBe("registry.k8s.io/pause:3.10");
    expect(qualifiedImage("localhost:5000/app:1")).toBe("localhost:5000/app:1");
  });

  it("find the repository without tag or digest", () => {
    expect(repositoryOf("docker.io/library/nginx:1.27.4")).toBe("docker.io/library/nginx");
    expect(repositoryOf("localhost:5000/app")).toBe("localhost:5000/app");
    expect(repositoryOf("ghcr.io/a/b@sha256:00")).toBe("ghcr.io/a/b");
  });
});

describe("node images", () => {
  const objects = generateScenario("demo", 1);

  it("list every image a node's pods run, plus the sandbox image, largest first", () => {
    for (const node of objects.filter((o) => o.kind === "Node")) {
      const images = asList(asRecord(node.status).images);
      const names = new Set(images.flatMap((i) => i.names as string[]));
      expect(names.has("registry.k8s.io/pause:3.10")).toBe(true);
      const sizes = images.map((i) => Number(i.sizeBytes));
      expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
      expect(images.length).toBeLessThanOrEqual(50);
      const pods = objects.filter(
        (o) => o.kind === "Pod" && asRecord(o.spec).nodeName === node.metadata?.name,
      );
      for (const pod of pods) {
        for (const status of asList(asRecord(pod.status).containerStatuses)) {
          expect(names.has(String(status.image)), `${node.metadata?.name} ${String(status.image)}`).toBe(
            true,
          );
          expect(names.has(String(status.imageID))).toBe(true);
        }
      }
    }
  });

  it("report container images fully qualified, with digests of the same repository", () => {
    const pod = objects.find((o) => o.kind === "Pod" && o.metadata?.name === "redis-0");
    const status = asList(asRecord(pod?.status).containerStatuses)[0];
    expect(status?.image).toBe("docker.io/library/redis:7.4.2");
    expect(String(status?.imageID)).toMatch(/^docker\.io\/library\/redis@sha256:[0-9a-f]{64}$/);
  });
});
