import { quoteExcerpt } from "../graph/index.js";
import { badInput } from "./errors.js";

/** Longer than any RFC 3339 timestamp with nanoseconds and an offset: refused unread. */
const maxTimestampLength = 40;

const rfc3339 = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;

function isCalendarDate(date: string): boolean {
  const [year = 0, month = 0, day = 0] = date.split("-").map(Number);
  return (
    month >= 1 && month <= 12 && day >= 1 && new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day
  );
}

/**
 * The epoch milliseconds of an RFC 3339 timestamp (the ISO 8601 profile Kubernetes writes its times
 * in, e.g. 2026-12-01T22:00:00Z). The offset is required, so that the time never depends on the
 * server's zone; a fraction finer than milliseconds is cut, as meshsync's times are in milliseconds.
 */
export function parseTimestamp(text: string, argument: string): number {
  const parts = text.length <= maxTimestampLength ? rfc3339.exec(text) : null;
  let millis = Number.NaN;
  if (parts !== null) {
    const [, date = "", time, fraction = "", offset = "Z"] = parts;
    const ms = fraction.padEnd(3, "0").slice(0, 3);
    // Date.parse rolls a day past the month's end over into the next month; RFC 3339 refuses it.
    if (isCalendarDate(date)) millis = Date.parse(`${date}T${time}.${ms}${offset.toUpperCase()}`);
  }
  if (Number.isNaN(millis)) {
    throw badInput(
      `${argument} must be an RFC 3339 timestamp with an offset, such as 2026-12-01T22:00:00Z; got ${quoteExcerpt(text)}`,
    );
  }
  return millis;
}
