/**
 * fastai's default text rules for word tokens (`--rules fastai`), with fastai's semantics
 * (fastai `text/core.py`: `replace_rep`, `replace_wrep`, `replace_all_caps`, `replace_maj`, in
 * that order, then lower-casing): a character repeated 3 times or more becomes
 * `xxrep n c`; a word repeated 3 times or more, separated by whitespace, becomes
 * `xxwrep n w`; a word in capitals becomes `xxup w`, a capitalized word `xxmaj w`. They read
 * whitespace-delimited chunks of the text, as fastai's regular expressions do, so a
 * streaming split that cuts at whitespace gives the same tokens as a whole-text one; the one
 * rule that spans whitespace (`xxwrep`) keeps its run as state (`RuleState`).
 *
 * Differences from fastai, chosen on purpose: letters are Unicode letters (`ÉTÉ` is in
 * capitals; fastai's `[A-Z]` is ASCII), a word is what word mode calls one (letters, digits,
 * combining marks), a line break ends a run of repeated words (word mode keeps lines), and a
 * chunk longer than 64 Ki code units is no text for the rules (a streaming split cannot hold
 * it back whole). Browser-compatible.
 *
 * @example
 * ```ts
 * import { joinTokens, splitText } from "./tokenizer.ts";
 * const spec = { mode: "word", lower: true, rules: "fastai" } as const;
 * const tokens = splitText("Hellooo WORLD", spec); // xxmaj hell xxrep 3 o xxup world
 * joinTokens(tokens, spec); // "Hellooo WORLD"
 * ```
 * @module
 */

/** The text rules a run can name. */
export type TextRules = "fastai";

/** The text rules, for flag checks and messages. */
export const TEXT_RULES: readonly TextRules[] = ["fastai"];

/** A character repeated: `xxrep 4 a` is `aaaa`. */
export const REP = "xxrep";
/** A word repeated: `xxwrep 3 go` is `go go go`. */
export const WREP = "xxwrep";
/** The next word in capitals: `xxup word` is `WORD`. */
export const UP = "xxup";
/** The next word capitalized: `xxmaj word` is `Word`. */
export const MAJ = "xxmaj";
/** The markers the rules add, in the order a vocabulary lists them after its specials. */
export const RULE_MARKERS: readonly string[] = [REP, WREP, UP, MAJ];

/**
 * What the rules make of text: a token as it is (a marker, a count), or text that word mode
 * still splits, lower-cased when a case rule matched it.
 */
export type RulePiece = string | { readonly text: string; readonly lower: boolean };

const WORD_CHAR = /[\p{L}\p{N}\p{M}]/u;
const WORD_ONLY = /^[\p{L}\p{N}\p{M}]+$/u;
const APOSTROPHE = /^['’]$/u;
// fastai adds spaces around these before the case rules (`spec_add_spaces`).
const CASE_SEPARATORS = /([/#\\])/u;
// replace_all_caps: capitals, then anything but lower-case letters; replace_maj: one capital,
// then no capital. Each reads a whole chunk, and marks it only when it is longer than one
// character ("I" is lower-cased without a marker).
const ALL_CAPS = /^\p{Lu}+[^\p{Ll}]*$/u;
const CAPITALIZED = /^\p{Lu}[^\p{Lu}]*$/u;

/** The code points of a chunk: a run of 3 or more of the same one is a repetition. */
function repeats(points: readonly string[], at: number): number {
  let n = 1;
  while (at + n < points.length && points[at + n] === points[at]) n++;
  return n;
}

// A code point repeated 3 times (with `u`, `.` is a code point and `\1` repeats it).
const REPEAT = /(.)\1\1/su;

/** Whether a chunk holds a character repeated 3 times or more (`replace_rep` would mark it). */
function hasRepeat(chunk: string): boolean {
  return REPEAT.test(chunk);
}

/** The case rules on one piece of a chunk between separators and repetitions. */
function caseRules(text: string, out: RulePiece[]): void {
  if (text === "") return;
  const long = Array.from(text).length > 1;
  if (ALL_CAPS.test(text)) {
    if (long) out.push(UP);
    out.push({ text, lower: true });
  } else if (CAPITALIZED.test(text)) {
    if (long) out.push(MAJ);
    out.push({ text, lower: true });
  } else {
    out.push({ text, lower: false });
  }
}

/** The case rules on text between repetitions, split at fastai's separators first. */
function separated(text: string, out: RulePiece[]): void {
  if (!CASE_SEPARATORS.test(text)) return caseRules(text, out);
  for (const part of text.split(CASE_SEPARATORS)) caseRules(part, out);
}

/**
 * The rules of one chunk (text between whitespace) that is no repeated word: repetitions of
 * a character, then the case rules on what lies between them.
 *
 * @param chunk The chunk, in NFC.
 * @param out Where its pieces go.
 */
export function chunkRules(chunk: string, out: RulePiece[]): void {
  if (!hasRepeat(chunk)) return separated(chunk, out); // most chunks: no code points to walk
  const points = Array.from(chunk);
  let start = 0;
  for (let i = 0; i < points.length;) {
    const n = repeats(points, i);
    if (n >= 3) {
      separated(points.slice(start, i).join(""), out);
      // The repeated character is a chunk of its own in fastai: lower-cased, never marked.
      out.push(REP, String(n), { text: points[i], lower: true });
      start = i + n;
    }
    i += n;
  }
  separated(points.slice(start).join(""), out);
}

/**
 * The run of a repeated word (`replace_wrep`), carried from chunk to chunk: fastai's rule is
 * the one that spans whitespace, so a stream keeps the run, not the text, and a run of any
 * length costs two fields.
 */
export class RuleState {
  #word: string | undefined;
  #count = 0;

  /**
   * The pieces of the next chunk, and of the run it ends, if any.
   *
   * @param chunk Text between whitespace, in NFC.
   * @param out Where the pieces go.
   */
  chunk(chunk: string, out: RulePiece[]): void {
    const word = this.#word;
    if (word !== undefined) {
      if (chunk === word) {
        this.#count++;
        return;
      }
      // The run's last word may carry what follows it ("ah ah ah." is `xxwrep 3 ah .`).
      if (
        chunk.startsWith(word) && !WORD_CHAR.test(Array.from(chunk.slice(word.length))[0]) &&
        this.#count + 1 >= 3
      ) {
        this.#count++;
        this.flush(out);
        chunkRules(chunk.slice(word.length), out);
        return;
      }
      this.flush(out);
    }
    // A word with a repeated character is no repeated word: replace_rep runs first.
    if (WORD_ONLY.test(chunk) && !hasRepeat(chunk)) {
      this.#word = chunk;
      this.#count = 1;
    } else {
      chunkRules(chunk, out);
    }
  }

  /**
   * Ends the run held, if any: `xxwrep n w` for 3 or more, else the words as they are.
   *
   * @param out Where the pieces go.
   */
  flush(out: RulePiece[]): void {
    const word = this.#word;
    if (word === undefined) return;
    if (this.#count >= 3) {
      out.push(WREP, String(this.#count));
      caseRules(word, out);
    } else {
      for (let k = 0; k < this.#count; k++) caseRules(word, out);
    }
    this.#word = undefined;
    this.#count = 0;
  }
}

/** The most a repetition marker expands to when joined, so a generated count stays small. */
export const MAX_REPEAT = 1000;

/** A token as joining shows it, and the token whose spacing it takes. */
export interface ShownToken {
  /** The text shown. */
  readonly text: string;
  /** The token that decides its spacing (`!` for `!!!!`). */
  readonly as: string;
  /** Whether it continues the word before it (`hell` + `ooo`: fastai cut `hellooo` there). */
  readonly attach: boolean;
}

function count(token: string | undefined): number | undefined {
  if (token === undefined || !/^\d{1,6}$/.test(token)) return undefined;
  const n = Number(token);
  return n >= 1 && n <= MAX_REPEAT ? n : undefined;
}

function capitalize(word: string): string {
  const [first = ""] = Array.from(word);
  return first.toUpperCase() + word.slice(first.length);
}

const plain = (t: string): ShownToken => ({ text: t, as: t, attach: false });

/**
 * Undoes the rules for joining: `xxmaj word` → `Word`, `xxup word` → `WORD`, `xxrep 4 a` →
 * `aaaa`, `xxwrep 3 go` → `go go go`. A marker at the end waits for what follows (it shows
 * nothing yet); a marker with no valid count (a generated `xxrep xxunk`) shows as it is.
 *
 * @param tokens Word tokens of a run with rules.
 * @returns The tokens to join.
 */
export function undoRules(tokens: readonly string[]): ShownToken[] {
  const out: ShownToken[] = [];
  const marker = (t: string | undefined) => t !== undefined && RULE_MARKERS.includes(t);
  // The word after `i`, with a case marker applied; undefined when it has not come yet.
  const cased = (i: number): [string, number] | undefined => {
    const t = tokens[i];
    if (t !== UP && t !== MAJ) return t === undefined ? undefined : [t, i + 1];
    const next = tokens[i + 1];
    if (next === undefined) return undefined;
    if (marker(next)) return [t, i + 1]; // a case marker before a marker: shown as it is
    return [t === UP ? next.toUpperCase() : capitalize(next), i + 2];
  };
  for (let i = 0; i < tokens.length;) {
    const t = tokens[i];
    if (t === UP || t === MAJ) {
      const word = cased(i);
      if (!word) break;
      out.push({ text: word[0], as: tokens[word[1] - 1], attach: false });
      i = word[1];
      // fastai marks a whole chunk: `xxup i ' m` is `I'M`, its contraction in capitals too.
      while (t === UP && APOSTROPHE.test(tokens[i] ?? "") && WORD_ONLY.test(tokens[i + 1] ?? "")) {
        out.push(plain(tokens[i]), { ...plain(tokens[i + 1]), text: tokens[i + 1].toUpperCase() });
        i += 2;
      }
    } else if (t === REP || t === WREP) {
      const n = count(tokens[i + 1]);
      const word = n === undefined ? undefined : cased(i + 2);
      // The count or the word has not been generated yet: shown once it is.
      if (i + 1 === tokens.length || (n !== undefined && !word)) break;
      if (n === undefined || !word || marker(tokens[word[1] - 1])) {
        out.push(plain(t)); // no count, or a marker to repeat: as it is
        i++;
        continue;
      }
      const as = tokens[word[1] - 1];
      if (t === REP) {
        out.push({ text: word[0].repeat(n), as, attach: WORD_CHAR.test(word[0]) });
      } else {
        for (let k = 0; k < n; k++) out.push({ text: word[0], as, attach: false });
      }
      i = word[1];
    } else {
      out.push(plain(t));
      i++;
    }
  }
  return out;
}
