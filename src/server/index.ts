// The HTTP server: GraphQL over HTTP and graphql-ws on /graphql, GraphiQL, /healthz, /readyz, /metrics.
export { tokenCookie } from "./auth.js";
export { type HealthServer, type HealthServerOptions, startHealthServer } from "./health-server.js";
export { defaultServerLimits, type Readiness, type ServerLimits, type ServerOptions } from "./options.js";
export { InsecureBindError, type RunningServer, startServer } from "./start-server.js";
