import type { KubeObject } from "../object-api.js";
import { assembleCluster } from "./build/index.js";
import { demoSpec } from "./demo.js";
import { buildCrd, buildCustomResource } from "./kinds/crd.js";
import { ScenarioBuilder } from "./stamp.js";

const certManager = "cert-manager.io";
const monitoring = "monitoring.coreos.com";

function ready(time: string, message: string): Record<string, unknown> {
  return {
    conditions: [
      {
        type: "Ready",
        status: "True",
        reason: "Ready",
        message,
        lastTransitionTime: time,
        observedGeneration: 1,
      },
    ],
  };
}

/** The demo cluster with two operators' CRDs installed (cert-manager, Prometheus operator) and their resources. */
export function generateWithCrds(seed: number): KubeObject[] {
  const builder = new ScenarioBuilder(seed);
  assembleCluster(builder, demoSpec());
  builder.advance(600);
  const add = (object: KubeObject) => builder.add(object);

  add(
    buildCrd(builder, {
      group: certManager,
      kind: "Certificate",
      plural: "certificates",
      namespaced: true,
      versions: ["v1"],
      shortNames: ["cert", "certs"],
      categories: ["cert-manager"],
      columns: [
        { name: "Ready", jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
        { name: "Secret", jsonPath: ".spec.secretName" },
      ],
    }),
  );
  add(
    buildCrd(builder, {
      group: certManager,
      kind: "ClusterIssuer",
      plural: "clusterissuers",
      namespaced: false,
      versions: ["v1"],
      categories: ["cert-manager"],
    }),
  );
  add(
    buildCrd(builder, {
      group: monitoring,
      kind: "ServiceMonitor",
      plural: "servicemonitors",
      namespaced: true,
      versions: ["v1"],
      shortNames: ["smon"],
      categories: ["prometheus-operator"],
    }),
  );

  const issuer = add(
    buildCustomResource(builder, `${certManager}/v1`, "ClusterIssuer", "letsencrypt", undefined, {
      acme: {
        email: "ops@example.com",
        privateKeySecretRef: { name: "letsencrypt-account-key" },
        server: "https://acme-v02.api.letsencrypt.org/directory",
        solvers: [{ http01: { ingress: { ingressClassName: "nginx" } } }],
      },
    }),
  );
  const issued = builder.timestamp();
  issuer.status = ready(issued, "The ACME account was registered with the ACME server");
  // The TLS secrets the demo's ingresses use are the ones these certificates keep.
  for (const [namespace, name, host] of [
    ["shop", "frontend", "shop.example.com"],
    ["web", "blog", "blog.example.com"],
  ] as const) {
    add(
      buildCustomResource(
        builder,
        `${certManager}/v1`,
        "Certificate",
        `${name}-tls`,
        namespace,
        {
          dnsNames: [host],
          issuerRef: { group: certManager, kind: "ClusterIssuer", name: "letsencrypt" },
          secretName: `${name}-tls`,
        },
        {
          ...ready(issued, "Certificate is up to date and has not expired"),
          notAfter: "2027-01-05T09:00:00Z",
          revision: 1,
        },
      ),
    );
  }
  for (const [namespace, app] of [
    ["shop", "frontend"],
    ["payments", "payments-api"],
  ] as const) {
    add(
      buildCustomResource(builder, `${monitoring}/v1`, "ServiceMonitor", app, namespace, {
        endpoints: [{ interval: "30s", path: "/metrics", port: "http" }],
        selector: { matchLabels: { app } },
      }),
    );
  }
  return builder.objects;
}
