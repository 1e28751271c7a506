import { readFileSync } from "node:fs";
import { join } from "node:path";
import { generate } from "@graphql-codegen/cli";
import { describe, expect, it } from "vitest";
import config from "../../codegen.js";

const root = join(import.meta.dirname, "..", "..");

describe("typed documents", () => {
  it("in test/generated match the schema and the operations (run `npm run codegen` after changing either)", async () => {
    const outputs = (await generate({ ...config, cwd: root, silent: true }, false)) as {
      filename: string;
      content: string;
    }[];
    expect(outputs.map((o) => o.filename).sort()).toEqual(
      ["test/generated/gql.ts", "test/generated/graphql.ts", "test/generated/index.ts"].map((f) =>
        expect.stringContaining(f),
      ),
    );
    for (const output of outputs) {
      expect(readFileSync(join(root, output.filename.replace(root, "")), "utf8"), output.filename).toBe(
        output.content,
      );
    }
  });
});
