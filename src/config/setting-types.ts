import { z } from "zod";

/**
 * What one kind of setting accepts. A config file must already hold the typed value (YAML's `8080`,
 * `true`, a list); a flag's or an environment variable's text is first turned into that value by
 * `fromText`, the same rule for both, and then checked by the same schema. Nothing is guessed:
 * `"no"` is not false and `123456` is not a token.
 */
export interface SettingType<T> {
  readonly schema: z.ZodType<T>;
  /** Said in errors: `expected <expected>, got …`. */
  readonly expected: string;
  fromText(text: string): unknown;
}

const asIs = (text: string): unknown => text;

/** Decimal integers only: "0x10", "1e3", "8080 " and "" stay text, so the schema refuses them. */
const integerText = (text: string): unknown => (/^-?\d{1,16}$/.test(text) ? Number(text) : text);

const numberText = (text: string): unknown => (/^-?\d{1,16}(\.\d{1,16})?$/.test(text) ? Number(text) : text);

const booleanText = (text: string): unknown => (text === "true" ? true : text === "false" ? false : text);

function listText(text: string): unknown {
  return text
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

function integer(min: number, max: number, expected: string): SettingType<number> {
  return { schema: z.number().int().min(min).max(max), expected, fromText: integerText };
}

export const port = integer(0, 65_535, "a port (an integer from 0 to 65535)");

export const boolean: SettingType<boolean> = {
  schema: z.boolean(),
  expected: "true or false",
  fromText: booleanText,
};

export function positiveInteger(max: number): SettingType<number> {
  return integer(1, max, `an integer from 1 to ${max}`);
}

export function nonNegativeInteger(max: number): SettingType<number> {
  return integer(0, max, `an integer from 0 to ${max}`);
}

export function nonNegativeNumber(max: number): SettingType<number> {
  return { schema: z.number().min(0).max(max), expected: `a number from 0 to ${max}`, fromText: numberText };
}

/** A name or path: not empty, no line breaks. */
export const text: SettingType<string> = {
  schema: z.string().regex(/^[^\r\n]+$/),
  expected: "a non-empty string on one line",
  fromText: asIs,
};

/** An address to bind: a host name or an IP address, without scheme or port. */
export const bindHost: SettingType<string> = {
  schema: z
    .string()
    .regex(/^(\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)$/),
  expected: "a host name or IP address (no scheme, no port)",
  fromText: asIs,
};

/** A bearer token: visible ASCII without spaces, which is what an Authorization header can carry intact. */
export const token: SettingType<string> = {
  schema: z.string().regex(/^[\x21-\x7e]{1,4096}$/),
  expected: "a token of visible ASCII characters, without spaces",
  fromText: asIs,
};

export const logLevel: SettingType<"fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent"> = {
  schema: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]),
  expected: "one of fatal, error, warn, info, debug, trace, silent",
  fromText: asIs,
};

/** How logs are written: JSON lines for machines, or pino-pretty's lines for a person at a terminal. */
export const logFormat: SettingType<"json" | "pretty"> = {
  schema: z.enum(["json", "pretty"]),
  expected: "json or pretty",
  fromText: asIs,
};

/**
 * A list: in a file, a YAML list of strings or one comma-separated string; as text, comma-separated.
 * A repeatable flag hands over its values as a list already.
 */
export function list(item: z.ZodString, expected: string): SettingType<string[]> {
  return {
    schema: z.union([
      z.array(item),
      z.string().transform((value, ctx) => {
        const items = listText(value) as string[];
        for (const entry of items) {
          if (!item.safeParse(entry).success) ctx.addIssue({ code: "custom", message: expected });
        }
        return items;
      }),
    ]),
    expected,
    fromText: listText,
  };
}

export const names = list(z.string().regex(/^[^\s,]+$/), "a list of names");

/** `https://meshery.example`: scheme, host and port only, as a browser sends Origin. */
export const origins = list(
  z.string().refine((value) => {
    try {
      return new URL(value).origin === value;
    } catch {
      return false;
    }
  }),
  "a list of origins such as https://meshery.example (scheme, host and optional port, no path)",
);

/** Host names a browser may address meshsync by; a leading dot allows every subdomain. */
export const hostNames = list(
  z.string().regex(/^\.?[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/),
  'a list of host names such as meshsync.example or ".example.com" (no scheme, no port)',
);

/** MeshSync's output modes: publish to NATS for Meshery Server, or write a YAML snapshot file. */
export const outputMode: SettingType<"broker" | "file"> = {
  schema: z.enum(["broker", "file"]),
  expected: "broker or file",
  fromText: asIs,
};

const durationUnits: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};
const durationPart = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;

/**
 * Go's time.ParseDuration spelling, as MeshSync's --stopAfter takes it ("8s", "1m30s", "250ms"), in
 * milliseconds. A bare number is refused, as Go refuses it (only "0" needs no unit).
 */
function durationText(text: string): unknown {
  if (text === "0") return 0;
  if (text.length > 64) return text;
  let ms = 0;
  durationPart.lastIndex = 0;
  while (durationPart.lastIndex < text.length) {
    const start = durationPart.lastIndex;
    const match = durationPart.exec(text);
    if (match === null || match.index !== start) return text;
    ms += Number(match[1]) * (durationUnits[match[2]!] ?? Number.NaN);
  }
  return text === "" ? text : ms;
}

export function duration(maxMs: number): SettingType<number> {
  return {
    schema: z.number().min(0).max(maxMs),
    expected: `a duration such as 8s, 1m30s or 250ms, at most ${maxMs / 3_600_000}h`,
    fromText: durationText,
  };
}

/** NATS server addresses, comma-separated as BROKER_URL holds them: nats://host:4222, or host:port. */
export const brokerUrls = list(
  z
    .string()
    .regex(/^((nats|tls|ws|wss):\/\/)?([^\s/@,]+@)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(:\d{1,5})?\/?$/),
  "a list of NATS addresses such as nats://meshery-nats:4222 or host:4222",
);

/**
 * A boolean as Go's strconv.ParseBool reads an environment variable: MeshSync's own variables
 * (MESHSYNC_REDACT_SECRETS, MESHSYNC_BROKER_CONTENT_DEDUP) are spelled that way in Meshery's charts.
 */
export const goBoolean: SettingType<boolean> = {
  schema: z.boolean(),
  expected: "a boolean (1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False)",
  fromText: (text) =>
    ["1", "t", "T", "TRUE", "true", "True"].includes(text)
      ? true
      : ["0", "f", "F", "FALSE", "false", "False"].includes(text)
        ? false
        : text,
};
