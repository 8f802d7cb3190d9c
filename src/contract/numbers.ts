/**
 * Numbers typed by people: a flag's value, a field of the page, a setting in a URL hash. One
 * reader, so every place accepts the same text and says the same thing about the rest: the
 * name, the range, and the text given. Browser-compatible.
 *
 * @example
 * ```ts
 * import { readInteger, readNumber } from "./numbers.ts";
 * readInteger("--epochs", "4", 1, 1000); // 4
 * readNumber("lr", "3e-3", { above: 0, max: 10 }); // 0.003
 * try {
 *   readInteger("Tokens", "2.5", 1, 500);
 * } catch (e) {
 *   console.log((e as Error).message); // Tokens must be an integer from 1 to 500: got "2.5"
 * }
 * ```
 * @module
 */

/** Raised for text that is not a number in range; the message names it. */
export class NumberTextError extends Error {
  /** The error name. */
  override name = "NumberTextError";
}

/**
 * Reads an integer in `[min, max]` (digits, with a minus sign where min is negative).
 *
 * @param name What the number is, starting the message (`--epochs`, `Tokens`).
 * @param text The text.
 * @param min Smallest allowed.
 * @param max Largest allowed.
 * @returns The integer.
 * @throws NumberTextError naming the range and the text.
 */
export function readInteger(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\s*-?\d+\s*$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new NumberTextError(
      `${name} must be an integer from ${min} to ${max}: got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

/** The range of a number: `[min, max]`, or `(above, max]`. */
export type NumberRange = { readonly min: number; readonly max: number } | {
  readonly above: number;
  readonly max: number;
};

/**
 * Reads a finite number in a range.
 *
 * @param name What the number is, starting the message.
 * @param text The text.
 * @param range `{ min, max }` (both allowed) or `{ above, max }` (above excluded).
 * @returns The number.
 * @throws NumberTextError naming the range and the text.
 */
export function readNumber(name: string, text: string, range: NumberRange): number {
  const value = Number(text);
  const low = "above" in range ? value > range.above : value >= range.min;
  if (text.trim() === "" || !Number.isFinite(value) || !low || value > range.max) {
    const allowed = "above" in range
      ? `above ${range.above} and at most ${range.max}`
      : `from ${range.min} to ${range.max}`;
    throw new NumberTextError(`${name} must be a number ${allowed}: got ${JSON.stringify(text)}`);
  }
  return value;
}
