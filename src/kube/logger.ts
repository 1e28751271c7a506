// The engine logs through whatever the caller hands it, so the CLI decides format and level and tests
// can stay silent or capture lines. The shape matches pino's (obj, msg) call form.

export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
