// GraphiQL, served whole from this server (no CDN), opening on meshsync's own example operations.
export {
  countsByKindExample,
  type ExampleTab,
  exampleTabs,
  followChangesExample,
  labelSelectorExample,
  newTabQuery,
  sortedPageExample,
  syncStatusExample,
  workloadsExample,
} from "./examples.js";
export {
  acceptsGzip,
  contentSecurityPolicy,
  graphiqlOptions,
  serveGraphiql,
  wantsGraphiql,
} from "./page.js";
