# syntax=docker/dockerfile:1
# meshsync's image: Node 24 (the maintained LTS), the compiled product, its production dependencies
# only, run as a numeric non-root user. Build it with the package version as the tag:
#   docker build -t meshery/meshsync-ts:0.1.0 .
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

# Build stage: every dependency, then TypeScript compiled to dist/ (the product) and packages/*/dist/
# (the Kubernetes semantics it shares with the simulator, and the simulator, its embedded default cluster).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/k8s/package.json ./packages/k8s/
COPY packages/sim/package.json ./packages/sim/
COPY packages/testing/package.json ./packages/testing/
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY packages ./packages
COPY src ./src
RUN npm run build

# Production dependencies, installed apart so that nothing of the build's node_modules (TypeScript,
# tsx, esbuild, vitest, biome) can reach the image. tsx runs bin/meshsync.js from source in a checkout;
# the image runs dist/cli.js, so it goes, and esbuild with it. @kubernetes/client-node lists type
# declarations among its dependencies (@types/*, undici-types): files no program loads, removed too.
# packages/testing (test helpers) is left out, and with it its link in node_modules.
FROM ${NODE_IMAGE} AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/k8s/package.json ./packages/k8s/
COPY packages/sim/package.json ./packages/sim/
RUN npm pkg delete dependencies.tsx \
  && npm install --omit=dev --ignore-scripts --no-audit --no-fund \
  && find node_modules -type d \( -path "*node_modules/@types" -o -path "*node_modules/undici-types" \) -prune \
    -exec rm -rf {} +

# Runtime stage: compiled code and production dependencies. node_modules/@meshsync/* are links to
# packages/*, whose exports resolve to their dist/ without the source condition.
FROM ${NODE_IMAGE}
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="meshsync" \
  org.opencontainers.image.description="Keeps a live, typed picture of Kubernetes clusters and serves it over GraphQL" \
  org.opencontainers.image.version="${VERSION}" \
  org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production \
  MESHSYNC_HOST=0.0.0.0 \
  MESHSYNC_PORT=8080
WORKDIR /app
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/packages/k8s/package.json ./packages/k8s/
COPY --from=build /app/packages/k8s/dist ./packages/k8s/dist
COPY --from=build /app/packages/sim/package.json ./packages/sim/
COPY --from=build /app/packages/sim/dist ./packages/sim/dist
COPY package.json ./
# Numeric, so that a kubelet can verify runAsNonRoot: 1000:1000 is the base image's user node.
USER 1000:1000
EXPOSE 8080
# MeshSync's health port: in broker mode (BROKER_URL set, as Meshery's operator sets it) /healthz and
# /readyz answer there too, where probes written for the Go MeshSync look.
EXPOSE 11000
# The slim image has no curl; Node's own fetch asks the port the server was given.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.MESHSYNC_PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/cli.js"]
CMD ["serve"]
