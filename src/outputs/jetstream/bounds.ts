/**
 * The defaults with the given bounds over them; throws RangeError naming a bound that is not a
 * positive number (or, with `whole`, not a positive whole number).
 */
export function resolveBounds<T extends { [K in keyof T]?: number }>(
  defaults: Required<T>,
  given: T,
  what: string,
  whole = false,
): Required<T> {
  const bounds = { ...defaults } as Record<string, number>;
  for (const [name, value] of Object.entries(given) as [string, number | undefined][]) {
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value <= 0 || (whole && !Number.isInteger(value)))
      throw new RangeError(`${what} ${name} must be a positive ${whole ? "whole number" : "number"}`);
    bounds[name] = value;
  }
  return bounds as Required<T>;
}
