// What runs when a client execs into a simulated container: a small scripted sh (interactive, or
// `sh -c SCRIPT`) and a handful of one-shot programs, answering as a busybox/debian container would,
// so kubectl exec, client-go and meshsync's relay see real prompts, output and exit codes.
import { StringDecoder } from "node:string_decoder";

export interface ProcessContext {
  pod: string;
  namespace: string;
  container: string;
  /** The container's literal env values from its spec. */
  env: Record<string, string>;
  tty: boolean;
  /** Stdin is open: an interactive shell reads it; without it a shell reads nothing and ends. */
  stdin: boolean;
  /** A line longer than this is refused rather than held. */
  maxLineBytes: number;
}

export interface ProcessIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** The process ended with this exit code. */
  exit(code: number): void;
}

/** Why the runtime could not start the program at all (not an exit code). */
export class StartFailure extends Error {}

const SHELLS = new Set(["sh", "bash", "ash", "dash"]);
const ROOT_ENTRIES = [
  "bin",
  "dev",
  "etc",
  "home",
  "lib",
  "proc",
  "root",
  "run",
  "sbin",
  "sys",
  "tmp",
  "usr",
  "var",
];
const DIRECTORIES: Record<string, string[]> = {
  "/": ROOT_ENTRIES,
  "/etc": ["hostname", "hosts", "os-release", "passwd", "resolv.conf"],
  "/tmp": [],
  "/root": [],
  "/home": [],
  "/var": ["log", "run", "tmp"],
  "/usr": ["bin", "lib", "local", "sbin", "share"],
};
const MAX_VARIABLES = 256;

function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/**
 * Starts `command`. Throws StartFailure when there is no such program (the runtime's error, which
 * the server reports as a failure status rather than an exit code).
 */
export function startProcess(
  command: readonly string[],
  context: ProcessContext,
  io: ProcessIo,
): ScriptedProcess {
  const program = baseName(command[0] ?? "");
  if (SHELLS.has(program)) return new Shell(command, context, io);
  if (!(program in programs) || program === "exit" || program === "cd" || program === "export") {
    throw new StartFailure(`exec: "${command[0] ?? ""}": executable file not found in $PATH`);
  }
  return new OneShot(command, context, io);
}

export interface ScriptedProcess {
  input(data: Buffer): void;
  /** Stdin has ended (v5's close of channel 0, or the session going away). */
  endInput(): void;
  resize(width: number, height: number): void;
  readonly ended: boolean;
}

interface State {
  context: ProcessContext;
  vars: Map<string, string>;
  cwd: string;
  size: { width: number; height: number };
  lastStatus: number;
}

type Program = (
  args: string[],
  state: State,
  out: (text: string) => void,
  err: (text: string) => void,
) => number;

function environment(context: ProcessContext): Map<string, string> {
  const vars = new Map<string, string>([
    ["PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
    ["HOSTNAME", context.pod],
    ["HOME", "/root"],
    ["KUBERNETES_SERVICE_HOST", "10.96.0.1"],
    ["KUBERNETES_SERVICE_PORT", "443"],
    ["KUBERNETES_PORT", "tcp://10.96.0.1:443"],
  ]);
  if (context.tty) vars.set("TERM", "xterm");
  for (const [name, value] of Object.entries(context.env)) vars.set(name, value);
  return vars;
}

const programs: Record<string, Program> = {
  echo(args, _state, out) {
    const noNewline = args[0] === "-n";
    out(`${(noNewline ? args.slice(1) : args).join(" ")}${noNewline ? "" : "\n"}`);
    return 0;
  },
  pwd(_args, state, out) {
    out(`${state.cwd}\n`);
    return 0;
  },
  hostname(_args, state, out) {
    out(`${state.context.pod}\n`);
    return 0;
  },
  whoami(_args, _state, out) {
    out("root\n");
    return 0;
  },
  id(_args, _state, out) {
    out("uid=0(root) gid=0(root) groups=0(root)\n");
    return 0;
  },
  uname(args, state, out) {
    out(args.includes("-a") ? `Linux ${state.context.pod} 6.1.0 #1 SMP x86_64 GNU/Linux\n` : "Linux\n");
    return 0;
  },
  date(_args, _state, out) {
    out(`${dateText(new Date())}\n`);
    return 0;
  },
  env(_args, state, out) {
    out([...state.vars].map(([name, value]) => `${name}=${value}\n`).join(""));
    return 0;
  },
  printenv(args, state, out) {
    if (args.length === 0) return programs.env!(args, state, out, () => {});
    const found = args.filter((name) => state.vars.has(name));
    out(found.map((name) => `${state.vars.get(name)}\n`).join(""));
    return found.length === args.length ? 0 : 1;
  },
  ls(args, state, out, err) {
    const targets = args.filter((arg) => !arg.startsWith("-"));
    let status = 0;
    for (const target of targets.length > 0 ? targets : [state.cwd]) {
      const entries = DIRECTORIES[resolvePath(state.cwd, target)];
      if (!entries) {
        err(`ls: cannot access '${target}': No such file or directory\n`);
        status = 2;
        continue;
      }
      if (entries.length > 0) out(state.context.tty ? `${entries.join("  ")}\n` : `${entries.join("\n")}\n`);
    }
    return status;
  },
  cat(args, state, out, err) {
    let status = 0;
    for (const file of args) {
      const text = fileText(resolvePath(state.cwd, file), state);
      if (text === undefined) {
        err(`cat: ${file}: No such file or directory\n`);
        status = 1;
      } else out(text);
    }
    return status;
  },
  true: () => 0,
  false: () => 1,
  stty(args, state, out, err) {
    if (args[0] !== "size") return 0;
    if (!state.context.tty) {
      err("stty: 'standard input': Inappropriate ioctl for device\n");
      return 1;
    }
    out(`${state.size.height} ${state.size.width}\n`);
    return 0;
  },
  // Shell builtins; the Shell runs them, and they are no programs of their own to exec.
  exit: () => 0,
  cd: () => 0,
  export: () => 0,
};

function dateText(now: Date): string {
  const day = now.toUTCString().slice(0, 3);
  const month = now.toUTCString().slice(8, 11);
  const time = now.toISOString().slice(11, 19);
  return `${day} ${month} ${String(now.getUTCDate()).padStart(2, " ")} ${time} UTC ${now.getUTCFullYear()}`;
}

function resolvePath(cwd: string, path: string): string {
  const parts = (path.startsWith("/") ? path : `${cwd}/${path}`).split("/");
  const out: string[] = [];
  for (const part of parts) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return `/${out.join("/")}`;
}

function fileText(path: string, state: State): string | undefined {
  switch (path) {
    case "/etc/hostname":
      return `${state.context.pod}\n`;
    case "/etc/hosts":
      return `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n`;
    case "/etc/os-release":
      return 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n';
    case "/etc/resolv.conf":
      return `search ${state.context.namespace}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n`;
    case "/etc/passwd":
      return "root:x:0:0:root:/root:/bin/sh\n";
    default:
      return undefined;
  }
}

/** A program that runs once: its output, then its exit; `cat` alone copies stdin until it ends. */
class OneShot implements ScriptedProcess {
  ended = false;
  private readonly copying: boolean;
  private readonly state: State;

  constructor(
    command: readonly string[],
    context: ProcessContext,
    private readonly io: ProcessIo,
  ) {
    this.state = {
      context,
      vars: environment(context),
      cwd: "/",
      size: { width: 80, height: 24 },
      lastStatus: 0,
    };
    const program = baseName(command[0]!);
    const args = command.slice(1);
    this.copying = program === "cat" && args.length === 0 && context.stdin;
    if (this.copying) return;
    // After the caller has wired the session, so the output follows the connected notice.
    queueMicrotask(() => {
      const code = programs[program]!(args, this.state, io.stdout, io.stderr);
      this.finish(code);
    });
  }

  input(data: Buffer): void {
    if (this.copying && !this.ended && data.length > 0) this.io.stdout(data.toString("utf8"));
  }

  endInput(): void {
    if (this.copying) this.finish(0);
  }

  resize(width: number, height: number): void {
    this.state.size = { width, height };
  }

  private finish(code: number): void {
    if (this.ended) return;
    this.ended = true;
    this.io.exit(code);
  }
}

/** sh: `-c SCRIPT` runs once; otherwise it reads lines from stdin, prompting when on a tty. */
class Shell implements ScriptedProcess {
  ended = false;
  private readonly state: State;
  private readonly decoder = new StringDecoder("utf8");
  private pending = "";
  private lineNumber = 0;
  private readonly name: string;

  constructor(
    command: readonly string[],
    private readonly context: ProcessContext,
    private readonly io: ProcessIo,
  ) {
    this.name = baseName(command[0]!);
    this.state = {
      context,
      vars: environment(context),
      cwd: "/",
      size: { width: 80, height: 24 },
      lastStatus: 0,
    };
    const args = command.slice(1).filter((arg) => arg !== "-i" && arg !== "-l");
    const scriptAt = args.indexOf("-c");
    queueMicrotask(() => {
      if (scriptAt >= 0) {
        for (const line of (args[scriptAt + 1] ?? "").split("\n")) {
          this.lineNumber += 1;
          this.runLine(line);
          if (this.ended) return;
        }
        this.finish(this.state.lastStatus);
        return;
      }
      if (!context.stdin) {
        this.finish(0);
        return;
      }
      this.prompt();
    });
  }

  input(data: Buffer): void {
    if (this.ended) return;
    const text = this.decoder.write(data);
    if (this.context.tty) this.typed(text);
    else this.piped(text);
  }

  endInput(): void {
    if (this.ended) return;
    const rest = this.pending + this.decoder.end();
    this.pending = "";
    if (rest !== "" && !this.context.tty) this.acceptLine(rest);
    if (this.context.tty && !this.ended) this.out("exit\n");
    this.finish(this.state.lastStatus);
  }

  resize(width: number, height: number): void {
    this.state.size = { width, height };
  }

  private piped(text: string): void {
    let start = 0;
    let newline = text.indexOf("\n");
    while (newline >= 0 && !this.ended) {
      const line = this.pending + text.slice(start, newline);
      this.pending = "";
      if (Buffer.byteLength(line) > this.context.maxLineBytes) this.tooLong();
      else this.acceptLine(line);
      start = newline + 1;
      newline = text.indexOf("\n", start);
    }
    if (!this.ended) this.hold(text.slice(start));
  }

  /** A terminal: the line discipline echoes what is typed and edits the line, Enter sends it. */
  private typed(text: string): void {
    for (const char of text) {
      if (this.ended) return;
      if (char === "\r" || char === "\n") {
        this.out("\n");
        const line = this.pending;
        this.pending = "";
        this.acceptLine(line);
      } else if (char === "\u007f" || char === "\b") {
        if (this.pending !== "") {
          this.pending = this.pending.slice(0, -1);
          this.io.stdout("\b \b");
        }
      } else if (char === "\u0003") {
        this.pending = "";
        this.out("^C\n");
        this.state.lastStatus = 130;
        this.prompt();
      } else if (char === "\u0004") {
        if (this.pending === "") this.endInput();
      } else {
        this.io.stdout(char);
        this.hold(char);
      }
    }
  }

  private hold(text: string): void {
    this.pending += text;
    if (Buffer.byteLength(this.pending) > this.context.maxLineBytes) {
      this.pending = "";
      this.tooLong();
    }
  }

  private tooLong(): void {
    this.err(`${this.name}: line longer than ${this.context.maxLineBytes} bytes; dropped\n`);
    this.state.lastStatus = 2;
  }

  private acceptLine(line: string): void {
    this.lineNumber += 1;
    this.runLine(line);
    if (!this.ended) this.prompt();
  }

  private prompt(): void {
    if (this.context.tty) this.io.stdout("# ");
  }

  /** Output as the terminal shows it: a tty turns "\n" into "\r\n". */
  private out(text: string): void {
    this.io.stdout(this.context.tty ? text.replace(/\n/g, "\r\n") : text);
  }

  private err(text: string): void {
    // A tty has no stderr of its own: errors are on the same screen.
    if (this.context.tty) this.out(text);
    else this.io.stderr(text);
  }

  private runLine(line: string): void {
    let words: Word[][];
    try {
      words = splitCommands(line, this.state);
    } catch (error) {
      this.err(`${this.name}: ${this.lineNumber}: ${(error as Error).message}\n`);
      this.state.lastStatus = 2;
      return;
    }
    let skip = false;
    for (const command of words) {
      const last = command[command.length - 1];
      const joiner = typeof last === "object" ? last.op : ";";
      const argv = command.filter((word): word is string => typeof word === "string");
      if (!skip && argv.length > 0) {
        this.state.lastStatus = this.runCommand(argv);
        if (this.ended) return;
      }
      skip =
        (joiner === "&&" && this.state.lastStatus !== 0) || (joiner === "||" && this.state.lastStatus === 0);
    }
  }

  private runCommand(argv: string[]): number {
    const [name, ...args] = argv as [string, ...string[]];
    const where = `${this.name}: ${this.lineNumber}`;
    switch (name) {
      case "exit": {
        const code = args[0] === undefined ? this.state.lastStatus : Number(args[0]);
        if (!Number.isInteger(code) || code < 0) {
          this.err(`${where}: exit: Illegal number: ${args[0]}\n`);
          return 2;
        }
        this.finish(code & 255);
        return code & 255;
      }
      case "cd": {
        const target = resolvePath(this.state.cwd, args[0] ?? "/root");
        if (!DIRECTORIES[target]) {
          this.err(`${where}: cd: can't cd to ${args[0]}\n`);
          return 2;
        }
        this.state.cwd = target;
        return 0;
      }
      case "export":
        for (const assignment of args) {
          const equals = assignment.indexOf("=");
          if (equals > 0 && this.state.vars.size < MAX_VARIABLES) {
            this.state.vars.set(assignment.slice(0, equals), assignment.slice(equals + 1));
          }
        }
        return 0;
    }
    const program = programs[baseName(name)];
    if (!program) {
      this.err(`${where}: ${name}: not found\n`);
      return 127;
    }
    return program(
      args,
      this.state,
      (text) => this.out(text),
      (text) => this.err(text),
    );
  }

  private finish(code: number): void {
    if (this.ended) return;
    this.ended = true;
    this.io.exit(code);
  }
}

type Word = string | { op: ";" | "&&" | "||" };

/**
 * Splits a line into commands joined by ; && || and each into words, with quotes, backslashes,
 * $NAME and $? as sh reads them (no globbing, no redirection, no subshells).
 */
export function splitCommands(
  line: string,
  state: { vars: Map<string, string>; lastStatus: number },
): Word[][] {
  const commands: Word[][] = [];
  let current: Word[] = [];
  let word = "";
  let inWord = false;
  let i = 0;
  const endWord = () => {
    if (inWord) current.push(word);
    word = "";
    inWord = false;
  };
  const variable = (): string => {
    if (line[i + 1] === "?") {
      i += 2;
      return String(state.lastStatus);
    }
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(line.slice(i + 1));
    if (!match) {
      i += 1;
      return "$";
    }
    i += 1 + match[0].length;
    return state.vars.get(match[0]) ?? "";
  };
  while (i < line.length) {
    const char = line[i]!;
    if (char === "#" && !inWord) break;
    if (char === " " || char === "\t") {
      endWord();
      i += 1;
    } else if (
      char === ";" ||
      (char === "&" && line[i + 1] === "&") ||
      (char === "|" && line[i + 1] === "|")
    ) {
      endWord();
      const op = char === ";" ? ";" : char === "&" ? "&&" : "||";
      current.push({ op });
      commands.push(current);
      current = [];
      i += op.length;
    } else if (char === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error("Syntax error: Unterminated quoted string");
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (char === '"') {
      inWord = true;
      i += 1;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === "\\" && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) {
          word += line[i + 1];
          i += 2;
        } else if (line[i] === "$") word += variable();
        else word += line[i++];
      }
      if (i >= line.length) throw new Error("Syntax error: Unterminated quoted string");
      i += 1;
    } else if (char === "\\") {
      word += line[i + 1] ?? "";
      inWord = true;
      i += 2;
    } else if (char === "$") {
      const value = variable();
      word += value;
      if (value !== "") inWord = true;
    } else {
      word += char;
      inWord = true;
      i += 1;
    }
  }
  endWord();
  if (current.length > 0) commands.push(current);
  return commands;
}
