import type { CodegenConfig } from "@graphql-codegen/cli";

// Typed documents for the operations the tests send, from the committed SDL: a schema change that
// breaks an operation fails `npm run codegen` and the type check.
const config: CodegenConfig = {
  schema: "schema/schema.graphql",
  documents: ["test/**/*.graphql", "!test/generated/**"],
  ignoreNoDocuments: true,
  emitLegacyCommonJSImports: false,
  generates: {
    "test/generated/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        strictScalars: true,
        scalars: { JSON: "unknown" },
      },
    },
  },
};

export default config;
