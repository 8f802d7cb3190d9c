/**
 * How lists of numbers and dims appear in error messages: `[2, 3]`.
 *
 * @module
 */

/**
 * Formats a list as `[a, b, c]`, with `null` shown as `?`.
 *
 * @param items Numbers, strings, bigints or nulls.
 * @returns The text.
 */
export function formatList(items: readonly (number | string | bigint | null)[]): string {
  return `[${items.map((d) => d === null ? "?" : String(d)).join(", ")}]`;
}
