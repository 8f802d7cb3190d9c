/**
 * How the page writes figures and tokens, free of the DOM: sizes, durations and medians for
 * the timing card, whitespace tokens and control characters made visible, and the vocabulary
 * search. The page uses
 * it through the bundle (`src/browser.ts`). Browser-compatible.
 *
 * @module
 */

/**
 * A size for people: `812 B`, `33.8 kB`, `1.2 MB`.
 *
 * @param bytes Size.
 * @returns The text.
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/**
 * A count and its noun, plural unless the count is 1: `1 epoch`, `3 epochs`, `0 epochs`.
 *
 * @param n The count.
 * @param noun The singular noun (made plural with an "s").
 * @returns The text.
 */
export function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/**
 * Milliseconds for people: `0.084 ms`, `12.3 ms`, `1,204 ms`.
 *
 * @param ms Duration.
 * @returns The text.
 */
export function formatMs(ms: number): string {
  if (ms < 1) return `${ms.toFixed(3)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  return `${Math.round(ms).toLocaleString("en")} ms`;
}

/**
 * The median of some numbers (NaN for none).
 *
 * @param values Numbers.
 * @returns The median.
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Marks for whitespace tokens, so a char model's " " or "\n" can be seen on a chip. */
const VISIBLE = new Map([[" ", "␣"], ["\n", "↵"], ["\t", "⇥"], ["\r", "␍"]]);

/** `U+202E`: a code point as Unicode writes it. */
function codePoint(c: string): string {
  return `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}

// Control characters but tab, newline and carriage return (which text holds as layout), and
// the bidirectional formatting characters (ALM, LRM, RLM, LRE..RLO, LRI..PDI): shown raw, a
// NUL is invisible and U+202E RIGHT-TO-LEFT OVERRIDE reverses all the text after it.
// deno-lint-ignore no-control-regex -- matching control characters is the point
const HIDDEN = /[\0-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/**
 * Text with its control and bidirectional formatting characters shown as `⟨U+202E⟩` marks,
 * so that a token or a generated text can neither hide characters nor reorder what follows.
 * Tab, newline and carriage return stay as they are; so does everything else.
 *
 * @param text Any text: a token, generated text, a name.
 * @returns The text to show.
 */
export function visibleText(text: string): string {
  return text.replace(HIDDEN, (c) => `⟨${codePoint(c)}⟩`);
}

/**
 * A token as a chip shows it: whitespace as a visible mark (`␣`, `↵`, `⇥`, or `U+00A0` for
 * others), control and bidirectional formatting characters as `⟨U+202E⟩` (`visibleText`),
 * everything else as it is.
 *
 * @param token A vocabulary entry or a typed token.
 * @returns The text to show.
 */
export function visibleToken(token: string): string {
  const mark = VISIBLE.get(token);
  if (mark) return mark;
  if (/^\s$/u.test(token)) return codePoint(token);
  return visibleText(token);
}

/**
 * The vocabulary entries that match a search, for a list too long to show whole: those that
 * start with the query first, then those that contain it (case-insensitive), each group in
 * vocabulary order.
 *
 * @param vocab Token strings by id.
 * @param query What was typed ("" matches everything).
 * @param limit Most ids to return.
 * @returns The first `limit` matching ids, and how many match in all.
 */
export function filterVocab(
  vocab: readonly string[],
  query: string,
  limit: number,
): { ids: number[]; total: number } {
  const q = query.toLowerCase();
  if (q === "") return { ids: vocab.slice(0, limit).map((_, i) => i), total: vocab.length };
  const starts: number[] = [];
  const contains: number[] = [];
  vocab.forEach((token, id) => {
    const t = token.toLowerCase();
    if (t.startsWith(q)) starts.push(id);
    else if (t.includes(q)) contains.push(id);
  });
  const all = [...starts, ...contains];
  return { ids: all.slice(0, limit), total: all.length };
}
