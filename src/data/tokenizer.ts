/**
 * Tokenizers for one's own text: words (Unicode-aware, punctuation split off) or characters
 * (one token per code point). The same functions split the training corpus, a prompt typed
 * in the page and a `--prompt` of `deno task generate`, so all three agree token for token.
 * Browser-compatible.
 *
 * @example
 * ```ts
 * import { splitText } from "./tokenizer.ts";
 * splitText("Héllo, world!", { mode: "word", lower: true }); // ["héllo", ",", "world", "!"]
 * splitText("a😀\n", { mode: "char", lower: false }); // ["a", "😀", "\n"]
 * splitText("One\r\ntwo", { mode: "word", lower: false, lines: true }); // ["One", "\n", "two"]
 * ```
 * @module
 */

import { type RulePiece, RuleState, type TextRules, undoRules } from "./text_rules.ts";

/** How text becomes tokens. */
export type TokenMode = "word" | "char";

/** The token modes, for flag checks and messages. */
export const TOKEN_MODES: readonly TokenMode[] = ["word", "char"];

/** The settings that decide the split (part of a run's metadata and of every export). */
export interface SplitSpec {
  /** Word or char tokens. */
  readonly mode: TokenMode;
  /** Lower-case the text first (`--lower`). */
  readonly lower: boolean;
  /**
   * Word mode: each line break (`\n`, `\r\n` or `\r`) is a `"\n"` token, as fastai keeps
   * them, so generated text has lines. One token per break: a blank line is two, and joined
   * back they give the lines as written. Absent in runs made before it, whose line breaks
   * were whitespace and stay so.
   */
  readonly lines?: boolean;
  /** Word mode: text rules (`--rules fastai`, `text_rules.ts`); absent: none. */
  readonly rules?: TextRules;
}

/** The line-break token of word mode with `lines`. */
export const NEWLINE = "\n";

/** The unknown-token special: rare words and words never seen in training. */
export const UNK = "xxunk";
/** The beginning-of-stream special: the first token of every file. */
export const BOS = "xxbos";

// A word is a run of letters, digits and combining marks (so "naïve" written with a combining
// diaeresis stays whole). Anything else that is not whitespace is a token of its own, with the
// marks that follow it and any zero-width-joined sequence ("❤️" with its variation selector,
// a ZWJ family emoji): one symbol as the reader sees it.
const WORD_TOKEN =
  /[\p{L}\p{N}\p{M}]+|[^\s\p{L}\p{N}\p{M}]\p{M}*(?:\u200d[^\s\p{L}\p{N}\p{M}]\p{M}*)*/gu;
// With lines: a line break first ("\r\n" is one), then a word token as above.
const LINE_WORD_TOKEN = new RegExp(`\\r\\n?|\\n|${WORD_TOKEN.source}`, "gu");
// With rules: a line break, or a chunk of text between whitespace (what fastai's rules read).
const BREAK_OR_CHUNK = /\r\n?|\n|\S+/gu;
const WORD_CHAR = /[\p{L}\p{N}\p{M}]/u;
const WORD_RUN = /[\p{L}\p{N}\p{M}]*/uy;
const MARK = /\p{M}/u;
const SPACE = /\s/u;
const ZWJ = "\u200d";

/**
 * Splits text into tokens. Text is first put in Unicode normalization form NFC, so "é"
 * typed as one code point and "e" + U+0301 (as macOS often saves files) are the same token;
 * `lower` then lower-cases each token.
 *
 * @param text Any string.
 * @param spec Word or char mode, lowercasing.
 * @returns The tokens in order (no specials: the caller adds `xxbos`).
 */
export function splitText(text: string, spec: SplitSpec): string[] {
  return split(text, spec, splitState(spec), true).tokens;
}

/**
 * The longest word mode keeps, in code points: a run of letters longer than this is no word
 * (a hash, a base64 blob, a text without spaces) and is cut to its first `MAX_WORD`, so that
 * 200 MB without whitespace is one short token, not one of 200 MB.
 */
export const MAX_WORD = 100;

/** What a split carries from one piece of a stream to the next. */
interface SplitState {
  /** The run of a repeated word, with rules. */
  readonly rules: RuleState | undefined;
  /** Whether the text starts inside a chunk too long for the rules (`HOLD_LIMIT`). */
  opaque: boolean;
  /** Whether the previous piece ended with "\r", so a "\n" first ends the same line break. */
  afterCR: boolean;
}

function splitState(spec: SplitSpec): SplitState {
  const rules = spec.mode === "word" && spec.rules ? new RuleState() : undefined;
  return { rules, opaque: false, afterCR: false };
}

/**
 * Word mode with rules: line breaks and chunks through the rules, then each piece of text
 * split into words. A chunk longer than `HOLD_LIMIT` is no text for the rules: a stream cuts
 * it before it ends, so the rules could not see it whole.
 */
function ruleWords(text: string, spec: SplitSpec, state: SplitState, final: boolean): string[] {
  const rules = state.rules!;
  const pieces: RulePiece[] = [];
  for (const m of text.matchAll(BREAK_OR_CHUNK)) {
    const s = m[0];
    if (s === "\n" || s[0] === "\r") {
      if (!spec.lines) continue; // whitespace, as fastai's rules read it
      rules.flush(pieces); // a run of repeated words stays within its line
      pieces.push(NEWLINE);
    } else if (s.length > HOLD_LIMIT || (m.index === 0 && state.opaque)) {
      rules.flush(pieces);
      pieces.push({ text: s.normalize("NFC"), lower: false });
    } else {
      rules.chunk(s.normalize("NFC"), pieces);
    }
  }
  if (final) rules.flush(pieces);
  const tokens: string[] = [];
  for (const p of pieces) {
    if (typeof p === "string") tokens.push(p);
    else for (const t of p.text.match(WORD_TOKEN) ?? []) tokens.push(p.lower ? t.toLowerCase() : t);
  }
  return tokens;
}

/**
 * `splitText` of one piece of a stream, how many tokens it cut to `MAX_WORD`, and whether
 * the last was one.
 */
function split(
  text: string,
  spec: SplitSpec,
  state: SplitState,
  final: boolean,
): { tokens: string[]; cut: number; lastCut: boolean } {
  if (spec.mode === "word" && spec.lines) {
    if (state.afterCR && text.startsWith("\n")) text = text.slice(1);
    state.afterCR = text.endsWith("\r");
  }
  let tokens: string[];
  if (spec.mode === "char") {
    // Array.from iterates code points, so a surrogate pair is one token.
    tokens = Array.from(text.normalize("NFC"));
  } else if (state.rules) {
    tokens = ruleWords(text, spec, state, final);
  } else if (spec.lines) {
    tokens = (text.normalize("NFC").match(LINE_WORD_TOKEN) ?? []).map((t) =>
      t[0] === "\r" ? NEWLINE : t
    );
  } else {
    tokens = text.normalize("NFC").match(WORD_TOKEN) ?? [];
  }
  const last = tokens.at(-1);
  const cut = spec.mode === "word" ? capWords(tokens) : 0;
  const lastCut = tokens.at(-1) !== last;
  // Lower-cased token by token, not as one text: a rule with context (Greek final sigma)
  // then sees only its token, so any cut of a stream between tokens gives the same result.
  return { tokens: spec.lower ? tokens.map((t) => t.toLowerCase()) : tokens, cut, lastCut };
}

/** Cuts tokens longer than `MAX_WORD` code points in place; returns how many it cut. */
function capWords(tokens: string[]): number {
  let cut = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.length <= MAX_WORD) continue; // code units: never fewer than code points
    let end = 0;
    for (let k = 0; k < MAX_WORD && end < t.length; k++) {
      end += t.codePointAt(end)! > 0xffff ? 2 : 1;
    }
    if (end < t.length) {
      tokens[i] = t.slice(0, end);
      cut++;
    }
  }
  return cut;
}

/** Longest run without whitespace held back before it is cut at a safe boundary. */
const HOLD_LIMIT = 1 << 16;

/** The code point ending at `i` (exclusive) and its start. */
function pointBefore(text: string, i: number): [string, number] {
  const low = text.charCodeAt(i - 1);
  const start = i >= 2 && low >= 0xdc00 && low <= 0xdfff ? i - 2 : i - 1;
  return [text.slice(start, i), start];
}

/**
 * Splits a stream of text that arrives in chunks into exactly the tokens `splitText` gives the
 * whole text. The tail of each chunk that the next chunk may continue is held back: in word
 * mode, the text after the last whitespace (no token, normalization or case rule crosses
 * whitespace; fastai's rules read whole chunks between whitespace, and the one that spans
 * whitespace, repeated words, keeps its run as state; a "\r" that ends one piece and a "\n"
 * that starts the next are one line break); in char mode, the last character with its
 * combining marks. A run without whitespace longer than 64 KiB is cut at the last point no
 * token spans (between a word and a symbol), so a megabyte-long line costs linear time, not
 * quadratic (the rules leave such a run alone: they could not see it whole); a run of letters
 * that long is a word past `MAX_WORD`, cut there as it streams, its rest dropped as it arrives.
 */
export class StreamSplitter {
  readonly #state: SplitState;
  #pending = "";
  /** The last safe boundary inside `#pending`, or 0 for none. */
  #safe = 0;
  /** Whether the rest of a word already cut to `MAX_WORD` is being dropped. */
  #skipping = false;
  #cutWords = 0;

  /**
   * A splitter for one stream.
   *
   * @param spec Word or char mode, lowercasing.
   */
  constructor(readonly spec: SplitSpec) {
    this.#state = splitState(spec);
  }

  /**
   * Splits the next chunk.
   *
   * @param chunk Text continuing the previous chunk.
   * @returns The tokens that are complete so far.
   */
  push(chunk: string): string[] {
    if (this.#skipping) {
      chunk = this.#skip(chunk);
      if (this.#skipping) return [];
    }
    const held = this.#pending.length;
    const text = this.#pending + chunk;
    const cut = this.spec.mode === "char" ? charCut(text) : this.#wordCut(text, held);
    if (cut === 0 && this.spec.mode === "word" && text.length > HOLD_LIMIT) {
      const long = this.#longWord(text);
      if (long) return long;
    }
    this.#pending = text.slice(cut);
    this.#safe = this.#safe > cut ? this.#safe - cut : 0;
    if (cut === 0) return [];
    // A word-mode cut not after whitespace is inside a chunk past the limit: no rules there.
    const inside = this.spec.mode === "word" && !SPACE.test(text[cut - 1]);
    if (inside) this.#state.opaque = true;
    const tokens = this.#split(text.slice(0, cut));
    if (!inside) this.#state.opaque = false;
    return tokens;
  }

  /**
   * Ends the stream (one file).
   *
   * @returns The tokens still held back.
   */
  end(): string[] {
    const rest = this.#pending;
    this.#pending = "";
    this.#safe = 0;
    this.#skipping = false;
    const tokens = this.#split(rest, true);
    this.#state.opaque = false;
    this.#state.afterCR = false;
    return tokens;
  }

  /** Words cut to `MAX_WORD` code points so far, over every stream this splitter read. */
  get cutWords(): number {
    return this.#cutWords;
  }

  #split(text: string, final = false): string[] {
    const { tokens, cut } = split(text, this.spec, this.#state, final);
    this.#cutWords += cut;
    return tokens;
  }

  /** Whether the last `MAX_WORD + 1` code points of `text` are letters, digits or marks. */
  static #endsInLongRun(text: string): boolean {
    let i = text.length;
    for (let k = 0; k <= MAX_WORD; k++) {
      if (i === 0) return false;
      const [point, start] = pointBefore(text, i);
      if (!WORD_CHAR.test(point)) return false;
      i = start;
    }
    return true;
  }

  /**
   * Held text past the limit with no whitespace and no safe boundary: at most a symbol and
   * one run of letters that goes on. That run is already longer than `MAX_WORD`, and what
   * follows cannot change its first `MAX_WORD` code points (NFC composes a letter only with
   * the marks after it), so it is cut now and the rest of the run dropped as it arrives:
   * memory stays at one chunk however long the run. Undefined when the run is not letters
   * (a symbol with a long tail of marks), which is held back as before.
   */
  #longWord(text: string): string[] | undefined {
    if (!StreamSplitter.#endsInLongRun(text)) return undefined;
    // The text is one chunk past the limit (no whitespace): split as it is, without rules,
    // and with a state of its own, so a run that is refused changes nothing.
    const alone = { rules: undefined, opaque: true, afterCR: false };
    const { tokens, cut, lastCut } = split(text, this.spec, alone, false);
    // A symbol's tail of marks ends where letters start: only a run of letters is dropped.
    const [first] = Array.from(tokens.at(-1)?.slice(0, 2) ?? "");
    if (!lastCut || !WORD_CHAR.test(first)) return undefined;
    // A run of repeated words held by the rules ends before this chunk.
    const before = this.#split("", true);
    this.#state.opaque = true;
    this.#cutWords += cut;
    this.#pending = "";
    this.#safe = 0;
    this.#skipping = true;
    return [...before, ...tokens];
  }

  /**
   * Drops the letters, digits and marks that continue a word already cut; returns the text
   * after them (skipping ends there), or "" when the chunk is all word (skipping goes on).
   */
  #skip(text: string): string {
    WORD_RUN.lastIndex = 0;
    const end = WORD_RUN.exec(text)![0].length;
    if (end === text.length) return "";
    this.#skipping = false;
    return text.slice(end);
  }

  /**
   * Word mode: the end of the last whitespace, searched only after `held` (the held text has
   * none); for a run without whitespace past the limit, the last safe boundary. Either search
   * looks at each character once over the whole stream.
   */
  #wordCut(text: string, held: number): number {
    let safe = 0;
    for (let i = text.length; i > held;) {
      const [cur, start] = pointBefore(text, i);
      // Every \s character is in the BMP, so testing one code point is exact.
      if (SPACE.test(cur)) return i;
      if (safe === 0 && start > 0 && isSafeBoundary(text, start, cur)) safe = start;
      i = start;
    }
    if (safe > 0) this.#safe = safe;
    return text.length > HOLD_LIMIT ? this.#safe : 0;
  }
}

/**
 * Whether no token spans the boundary before `cur` (at `start`): a word next to a symbol, or
 * two symbols, where `cur` is no mark and no zero-width joiner joins across.
 */
function isSafeBoundary(text: string, start: number, cur: string): boolean {
  const [prev] = pointBefore(text, start);
  if (MARK.test(cur) || cur === ZWJ || prev === ZWJ || SPACE.test(prev)) return false;
  return !(WORD_CHAR.test(prev) && WORD_CHAR.test(cur));
}

/** Hangul conjoining jamo, which NFC composes into syllables (up to three in a row). */
const JAMO = /[\u1100-\u11ff\ua960-\ua97f\ud7b0-\ud7ff]/u;

/**
 * Char mode: hold back what NFC could still compose with the next chunk: the last base
 * character with the marks after it, and a run of Hangul jamo before it.
 */
function charCut(text: string): number {
  let i = text.length;
  while (i > 0) {
    const [point, start] = pointBefore(text, i);
    i = start;
    if (!MARK.test(point) && point !== ZWJ) break;
  }
  for (let k = 0; k < 2 && i > 0; k++) {
    const [point, start] = pointBefore(text, i);
    if (!JAMO.test(point)) break;
    i = start;
  }
  return i;
}

// Punctuation that attaches to the word before it, and to the word after it.
const CLOSING = /^[.,;:!?%)\]}”’»…]$/u;
const OPENING = /^[(\[{“‘«¿¡]$/u;
// Inside a word: an apostrophe before a contraction's end ("don't", "it’s"); a separator
// between digits ("3.14", "1,000", "12:30").
const APOSTROPHE = /^['’]$/u;
const CONTRACTION = /^(s|t|re|ve|ll|d|m)$/iu;
const DIGITS = /^\p{N}+$/u;
const NUMBER_SEPARATOR = /^[.,:]$/u;
const STRAIGHT_QUOTE = /^['"]$/u;

/** Whether token `i` joins the tokens on both sides into one word. */
function joinsBothSides(tokens: readonly string[], i: number): boolean {
  const [prev, t, next] = [tokens[i - 1], tokens[i], tokens[i + 1]];
  if (prev === undefined || next === undefined) return false;
  if (APOSTROPHE.test(t)) return WORD_CHAR.test(prev) && CONTRACTION.test(next);
  return NUMBER_SEPARATOR.test(t) && DIGITS.test(prev) && DIGITS.test(next);
}

/** What joining needs to know of a tokenizer: its mode, and its rules to undo. */
export type JoinSpec = Pick<SplitSpec, "mode" | "rules">;

const ENDS_IN_WORD = /[\p{L}\p{N}\p{M}]$/u;

/**
 * Joins tokens back into text: characters as they are; words with spaces, punctuation
 * attached to its word (`hello , world .` → `hello, world.`), contractions and numbers kept
 * whole (`don ' t` → `don't`, `3 . 14` → `3.14`), a `"\n"` token as a line break with no
 * space on either side. `xxbos` starts a new line. With rules, their markers are undone
 * (`xxmaj word` → `Word`, `xxrep 4 a` → `aaaa`; `text_rules.ts`).
 *
 * @param tokens Tokens of one mode.
 * @param spec `word` or `char`, or the tokenizer (whose rules are undone).
 * @param leadingSpace Whether the text continues earlier words (word mode), so a word needs a
 *   space before it.
 * @returns The text.
 */
export function joinTokens(
  tokens: readonly string[],
  spec: TokenMode | JoinSpec,
  leadingSpace = false,
): string {
  const { mode, rules } = typeof spec === "string" ? { mode: spec, rules: undefined } : spec;
  const shown = mode === "word" && rules
    ? undoRules(tokens)
    : tokens.map((t) => ({ text: t, as: t, attach: false }));
  const as = shown.map((s) => s.as);
  let out = "";
  let glue = !leadingSpace; // true: the next token attaches without a space
  const open = new Set<string>(); // straight quotes opened and not yet closed
  shown.forEach(({ text, as: t, attach }, i) => {
    if (t === BOS) {
      out += "\n";
      glue = true;
    } else if (mode === "char") {
      out += t;
    } else if (t === NEWLINE) {
      out += "\n";
      glue = true;
    } else if (attach && ENDS_IN_WORD.test(out)) {
      out += text; // a repetition that fastai's rule cut out of this word ("hell" + "ooo")
      glue = false;
    } else if (joinsBothSides(as, i)) {
      out += text;
      glue = true;
    } else if (STRAIGHT_QUOTE.test(t)) {
      // A straight quote opens (attaches to the next word) or closes (to the one before).
      const closing = open.delete(t);
      if (!closing) open.add(t);
      out += glue || closing ? text : ` ${text}`;
      glue = !closing;
    } else {
      out += glue || CLOSING.test(t) ? text : ` ${text}`;
      glue = OPENING.test(t);
    }
  });
  return out;
}

/** Everything that turns text into a model's token ids: the split and the specials. */
export interface TokenizerSpec extends SplitSpec {
  /**
   * Special tokens in the vocabulary: `["xxunk", "xxbos"]` for one's own text; none for Human
   * Numbers, whose book vocabulary has no unknown token (an unknown word is refused).
   */
  readonly specials: readonly string[];
}

/** Human Numbers' tokenizer: lower-case words and ".", the book's 30-word vocabulary. */
export const HUMAN_NUMBERS_TOKENIZER: TokenizerSpec = { mode: "word", lower: true, specials: [] };
