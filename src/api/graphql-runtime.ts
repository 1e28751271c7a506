// The graphql values (classes, functions) the API and server use, from graphql's CommonJS entry.
// Every library here (Pothos, yoga, graphql-ws) loads that build; a bare "graphql" import in source run
// by Vite (vitest) resolves to the ESM build instead, and the two copies fail each other's instanceof
// checks ("Cannot use GraphQLSchema from another module", errors not recognised as GraphQLError).
// Types may still be imported from "graphql": they are the same for both builds.
export {
  createSourceEventStream,
  execute,
  GraphQLError,
  getOperationAST,
  Kind,
  lexicographicSortSchema,
  parse,
  print,
  printSchema,
  valueFromASTUntyped,
} from "graphql/index.js";
