# syntax=docker/dockerfile:1
# Build stage: install everything, compile TypeScript to dist/ (the product) and packages/*/dist/ (the
# Kubernetes semantics it shares with the simulator, and the simulator, its embedded default cluster).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/k8s/package.json ./packages/k8s/
COPY packages/sim/package.json ./packages/sim/
COPY packages/testing/package.json ./packages/testing/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY packages ./packages
COPY src ./src
RUN npm run build && npm prune --omit=dev

# Runtime stage: compiled code and production dependencies only, as a non-root user. node_modules/@meshsync/*
# are links to packages/*, whose exports resolve to their dist/ without the source condition.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/packages/k8s/package.json ./packages/k8s/
COPY --from=build /app/packages/k8s/dist ./packages/k8s/dist
COPY --from=build /app/packages/sim/package.json ./packages/sim/
COPY --from=build /app/packages/sim/dist ./packages/sim/dist
COPY package.json ./
USER node
EXPOSE 8080
ENTRYPOINT ["node", "dist/cli.js"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080"]
