// GraphiQL, served whole from this server (no CDN), opening on meshsync's own example operations.
export {
  changesSinceExample,
  type ExampleTab,
  exampleTabs,
  followChangesExample,
  historyExample,
  labelSelectorExample,
  newTabQuery,
  syncStatusExample,
  topologyExample,
  workloadsExample,
} from "./examples.js";
export {
  acceptsGzip,
  contentSecurityPolicy,
  graphiqlOptions,
  serveGraphiql,
  wantsGraphiql,
} from "./page.js";
