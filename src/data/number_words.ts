/**
 * English words for the numbers of the Human Numbers data set (fastbook chapter 12).
 *
 * The wording follows the files the book downloads: lower case, no "and", no hyphens
 * (`one hundred one`, `twenty one`), so every word is one token when split on spaces.
 * @module
 */

// Index = value; index 0 is never spoken on its own, so it stays empty.
const UNITS: readonly string[] = [
  "",
  "one",
  "two",
  "three",
  "four",
  "five",
  "six",
  "seven",
  "eight",
  "nine",
  "ten",
  "eleven",
  "twelve",
  "thirteen",
  "fourteen",
  "fifteen",
  "sixteen",
  "seventeen",
  "eighteen",
  "nineteen",
];

// Index = tens digit; 0 and 1 are covered by UNITS.
const TENS: readonly string[] = [
  "",
  "",
  "twenty",
  "thirty",
  "forty",
  "fifty",
  "sixty",
  "seventy",
  "eighty",
  "ninety",
];

// Smallest and largest numbers numberToWords() accepts (the data set stops at 9999).
const MIN_NUMBER = 1;

const MAX_NUMBER = 9999;

/** Words for 0..99 as a list; empty for 0 so callers can skip a zero remainder. */
function belowHundred(n: number): string[] {
  if (n < 20) return n === 0 ? [] : [UNITS[n]];
  const unit = n % 10;
  return unit === 0 ? [TENS[Math.floor(n / 10)]] : [TENS[Math.floor(n / 10)], UNITS[unit]];
}

/**
 * Spell out a number in the Human Numbers wording.
 *
 * @example
 * ```ts
 * import { numberToWords } from "./number_words.ts";
 * numberToWords(9999); // "nine thousand nine hundred ninety nine"
 * ```
 * @param n An integer in 1..9999.
 * @returns The lower-case words separated by single spaces.
 * @throws {RangeError} When `n` is not an integer in 1..9999.
 */
export function numberToWords(n: number): string {
  if (!Number.isInteger(n) || n < MIN_NUMBER || n > MAX_NUMBER) {
    throw new RangeError(
      `numberToWords(): n must be an integer in ${MIN_NUMBER}..${MAX_NUMBER}: got ${n}`,
    );
  }
  const thousands = Math.floor(n / 1000);
  const hundreds = Math.floor((n % 1000) / 100);
  const words: string[] = [];
  if (thousands > 0) words.push(UNITS[thousands], "thousand");
  if (hundreds > 0) words.push(UNITS[hundreds], "hundred");
  words.push(...belowHundred(n % 100));
  return words.join(" ");
}
