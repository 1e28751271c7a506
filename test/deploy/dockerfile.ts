// The Dockerfile read the way BuildKit reads it, as far as the tests need: comments and line
// continuations, the ARGs before the first FROM (and their substitution into FROM), stages with
// their instructions, and the exec form of CMD-like instructions.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./manifests.js";

export interface Instruction {
  /** Upper case: FROM, RUN, COPY, … */
  keyword: string;
  /** What follows the keyword, continuations joined with a space. */
  text: string;
  line: number;
}

export interface Stage {
  /** The image it starts from, global ARGs substituted. */
  base: string;
  name: string | undefined;
  instructions: Instruction[];
}

export interface Dockerfile {
  globalArgs: Map<string, string>;
  stages: Stage[];
}

export function readDockerfile(path = join(repoRoot, "Dockerfile")): Dockerfile {
  return parseDockerfile(readFileSync(path, "utf8"));
}

export function parseDockerfile(source: string): Dockerfile {
  const instructions: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  const lines = source.split("\n");
  for (const [index, raw] of lines.entries()) {
    const trimmed = raw.trim();
    // A comment line inside a continued instruction is dropped, and the instruction goes on.
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const continued = trimmed.endsWith("\\");
    const piece = continued ? trimmed.slice(0, -1).trim() : trimmed;
    pending = pending
      ? { text: `${pending.text} ${piece}`, line: pending.line }
      : { text: piece, line: index + 1 };
    if (continued) continue;
    const keyword = pending.text.split(/\s/, 1)[0]!;
    instructions.push({
      keyword: keyword.toUpperCase(),
      text: pending.text.slice(keyword.length).trim(),
      line: pending.line,
    });
    pending = undefined;
  }
  if (pending)
    throw new Error(`Dockerfile line ${pending.line}: the last instruction ends in a continuation`);

  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === "FROM") {
      const [image = "", as, name] = instruction.text.split(/\s+/);
      stages.push({
        base: substitute(image, globalArgs),
        name: as?.toUpperCase() === "AS" ? name : undefined,
        instructions: [],
      });
    } else if (stages.length === 0) {
      if (instruction.keyword !== "ARG") {
        throw new Error(`Dockerfile line ${instruction.line}: ${instruction.keyword} before the first FROM`);
      }
      const [name = "", value = ""] = instruction.text.split("=", 2);
      globalArgs.set(name, value);
    } else {
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

function substitute(text: string, args: Map<string, string>): string {
  return text.replace(
    /\$\{(\w+)\}|\$(\w+)/g,
    (_match, braced: string | undefined, bare: string | undefined) => {
      const name = braced ?? bare ?? "";
      const value = args.get(name);
      if (value === undefined) throw new Error(`Dockerfile: $${name} has no value`);
      return value;
    },
  );
}

export function finalStage(dockerfile: Dockerfile): Stage {
  const last = dockerfile.stages.at(-1);
  if (!last) throw new Error("Dockerfile has no FROM");
  return last;
}

export function stageNamed(dockerfile: Dockerfile, name: string): Stage {
  const stage = dockerfile.stages.find((candidate) => candidate.name === name);
  if (!stage) throw new Error(`Dockerfile has no stage named ${name}`);
  return stage;
}

export function instructionsOf(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((instruction) => instruction.keyword === keyword);
}

/** The JSON array of an exec-form instruction (CMD ["node", …]); throws on the shell form. */
export function execForm(text: string): string[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === "string")) {
    throw new Error(`not an exec form: ${text}`);
  }
  return parsed;
}

export interface Copy {
  /** The stage it copies from (--from=NAME), or undefined for the build context. */
  from: string | undefined;
  sources: string[];
  destination: string;
}

export function copiesOf(stage: Stage): Copy[] {
  return instructionsOf(stage, "COPY").map((instruction) => {
    const words = instruction.text.split(/\s+/);
    const flags = words.filter((word) => word.startsWith("--"));
    const paths = words.filter((word) => !word.startsWith("--"));
    const from = flags.find((flag) => flag.startsWith("--from="))?.slice("--from=".length);
    return { from, sources: paths.slice(0, -1), destination: paths.at(-1) ?? "" };
  });
}

/** The ENV of a stage, in both forms (`ENV A=1 B=2` and `ENV A 1`). */
export function envOf(stage: Stage): Map<string, string> {
  const env = new Map<string, string>();
  for (const instruction of instructionsOf(stage, "ENV")) {
    if (!instruction.text.includes("=")) {
      const [name = "", ...value] = instruction.text.split(/\s+/);
      env.set(name, value.join(" "));
      continue;
    }
    for (const match of instruction.text.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|\S+)/g)) {
      const value = match[2]!;
      env.set(match[1]!, value.startsWith('"') ? (JSON.parse(value) as string) : value);
    }
  }
  return env;
}

/** The LABELs of a stage (`LABEL key="value" …`), ARGs of the stage substituted with their defaults. */
export function labelsOf(stage: Stage): Map<string, string> {
  const args = new Map<string, string>();
  for (const instruction of instructionsOf(stage, "ARG")) {
    const [name = "", value = ""] = instruction.text.split("=", 2);
    args.set(name, value);
  }
  const labels = new Map<string, string>();
  for (const instruction of instructionsOf(stage, "LABEL")) {
    for (const match of instruction.text.matchAll(/([\w.-]+)=("(?:[^"\\]|\\.)*"|\S+)/g)) {
      const raw = match[2]!;
      const value = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
      labels.set(match[1]!, substitute(value, args));
    }
  }
  return labels;
}

/** The HEALTHCHECK's command as Docker runs it: the exec form after the options. */
export function healthCheckCommand(stage: Stage): string[] {
  const check = instructionsOf(stage, "HEALTHCHECK")[0];
  if (!check) throw new Error("the stage has no HEALTHCHECK");
  const at = check.text.indexOf("CMD ");
  if (at === -1) throw new Error(`HEALTHCHECK without CMD: ${check.text}`);
  return execForm(check.text.slice(at + "CMD ".length));
}
