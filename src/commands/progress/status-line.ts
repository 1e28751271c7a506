// One line at the bottom of a terminal, drawn again in place at each update (carriage return, erase
// line), with log lines written above it: each log line first erases it, then it is drawn again
// below, in the same write, so that the two never share a row.
import type { LogDestination } from "../../config/index.js";

const eraseLine = "\r\x1b[2K";

export class StatusLine implements LogDestination {
  private shown = "";

  /**
   * `columns` is the terminal's width now (80 when it does not say); the line is cut to fit, as a
   * wrapped line cannot be erased.
   */
  constructor(
    private readonly terminal: LogDestination,
    private readonly columns: () => number | undefined,
  ) {}

  show(text: string): void {
    const columns = this.columns();
    const width = (columns !== undefined && columns > 1 ? columns : 80) - 1;
    this.shown = text.length > width ? `${text.slice(0, width - 1)}…` : text;
    this.terminal.write(`${eraseLine}${this.shown}`);
  }

  clear(): void {
    if (this.shown === "") return;
    this.shown = "";
    this.terminal.write(eraseLine);
  }

  /** A log line (or several, each ending in a newline), written above the status line. */
  write(text: string): void {
    this.terminal.write(this.shown === "" ? text : `${eraseLine}${text}${this.shown}`);
  }
}
