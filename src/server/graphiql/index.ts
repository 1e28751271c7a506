// GraphiQL, served whole from this server (no CDN), opening on meshsync's own example operations.
export {
  changesSinceExample,
  countsByKindExample,
  type ExampleTab,
  exampleTabs,
  followChangesExample,
  historyExample,
  labelSelectorExample,
  newTabQuery,
  sortedPageExample,
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
