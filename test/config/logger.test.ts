import { describe, expect, it } from "vitest";
import { openConsole } from "../../src/commands/console.js";
import { createLogger, defaultLogFormat } from "../../src/config/index.js";

function collected() {
  const lines: string[] = [];
  return { lines, destination: { write: (text: string) => lines.push(text) } };
}

describe("createLogger", () => {
  it("writes one JSON object per line in the json format", () => {
    const { lines, destination } = collected();
    createLogger({ level: "info", format: "json", destination }).info({ types: 3 }, "cluster synced");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 30,
      service: "meshsync",
      types: 3,
      msg: "cluster synced",
    });
  });

  it("writes pino-pretty's lines in the pretty format, without colours unless asked", () => {
    const { lines, destination } = collected();
    const logger = createLogger({ level: "info", format: "pretty", destination });
    logger.info({ types: 3 }, "cluster synced");
    logger.debug("below the level");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: cluster synced\n {4}types: 3\n$/);
    expect(() => JSON.parse(lines[0]!)).toThrow();
  });

  it("colours pretty lines when asked", () => {
    const { lines, destination } = collected();
    createLogger({ level: "info", format: "pretty", destination, colors: true }).warn("careful");
    expect(lines[0]).toContain("\x1b[");
  });
});

describe("the log format by default", () => {
  it("is pretty on a terminal and JSON on anything else", () => {
    expect(defaultLogFormat({ isTTY: true })).toBe("pretty");
    expect(defaultLogFormat({ isTTY: false })).toBe("json");
    expect(defaultLogFormat({})).toBe("json");
  });

  it("draws progress in place only on a terminal with pretty lines", () => {
    const tty = { isTTY: true, columns: 80 };
    const pipe = { isTTY: false, columns: 80 };
    expect(openConsole({ logLevel: "info" }, tty, {}).statusLine).toBeDefined();
    expect(openConsole({ logLevel: "info", logFormat: "json" }, tty, {}).statusLine).toBeUndefined();
    expect(openConsole({ logLevel: "info" }, pipe, {}).statusLine).toBeUndefined();
    expect(openConsole({ logLevel: "info", logFormat: "pretty" }, pipe, {}).statusLine).toBeUndefined();
  });
});
