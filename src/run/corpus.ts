/**
 * The corpus of a training run, as the CLI and the page both use it: Human Numbers (the
 * default, with the book's exact vocabulary and pipelines) or one's own text, as batches for
 * the learner and as the facts the run's metadata keeps. Reading files is the caller's job
 * (`tools/lib/run/read_corpus.ts` in the CLI, a paste or an upload in the page), so this stays
 * browser-compatible.
 *
 * @module
 */

import { humanNumbers, mostCommonTokenBaseline } from "../data/pipelines.ts";
import { sequenceSamples, splitSamples } from "../data/samples.ts";
import { arrayBatches, rowsOfTokens, streamBatches } from "../data/stream_batches.ts";
import { windowBatches } from "./window_data.ts";
import { CorpusSizeError, fitLayout, fitRecipe, type FittedRecipe } from "./short_text.ts";
import { idsChecksum, type TextCorpus } from "../data/text_corpus.ts";
import {
  HUMAN_NUMBERS_TOKENIZER,
  type SplitSpec,
  type TokenizerSpec,
  type TokenMode,
} from "../data/tokenizer.ts";
import type { TextRules } from "../data/text_rules.ts";
import { specialsFor } from "../data/text_vocab.ts";
import { humanNumbersData } from "../data/pipelines.ts";
import type { TrainData } from "../data/stream_batches.ts";
import type { Recipe } from "../train/recipe.ts";
import type { CorpusMeta } from "../train/run_meta.ts";

/** Share of `xxunk` tokens above which a run warns that accuracy is inflated. */
const UNK_WARNING = 0.05;

export { CorpusSizeError } from "./short_text.ts";

/** Where one's own text came from and how it was read (the `--text` flags). */
export interface TextSource {
  /** The text's path (a file or folder), or the name of a paste or upload. */
  readonly text: string;
  /** The validation text's path, when validation does not come from the end of `text`. */
  readonly valid?: string | undefined;
  /** Share kept for validation when there is no `valid` text (`--valid-pct`). */
  readonly validPct: number;
  /** Word or char tokens (`--tokens`). */
  readonly tokens: TokenMode;
  /** Lowercase every token (`--lower`). */
  readonly lower: boolean;
  /** Word mode: line breaks are `"\n"` tokens (new runs; absent in runs made before). */
  readonly lines?: boolean | undefined;
  /** Text rules (`--rules fastai`), if any. */
  readonly rules?: TextRules | undefined;
  /** File endings read from a folder (`--ext`), when not `.txt`. */
  readonly ext?: readonly string[] | undefined;
  /** Rarer tokens become `xxunk` (`--min-freq`). */
  readonly minFreq: number;
  /** Largest vocabulary, specials included (`--max-vocab`). */
  readonly maxVocab: number;
  /** The paths as the run records them, when not as given (the CLI records absolute ones). */
  readonly recorded?: { readonly text: string; readonly valid: string | null };
}

/**
 * fastai's defaults for one's own text, the same in `deno task train` and the Train panel:
 * 10% kept for validation, at most 60,000 tokens, and rare words (under 3 uses) read as
 * `xxunk`; every character is kept; words keep line breaks as tokens (as fastai keeps `\n`).
 *
 * @param tokens Word or char tokens.
 * @returns `validPct`, `maxVocab`, `minFreq` and, for words, `lines`.
 */
export function textDefaults(
  tokens: TokenMode,
): Pick<TextSource, "validPct" | "maxVocab" | "minFreq" | "lines"> {
  return {
    validPct: 0.1,
    maxVocab: 60000,
    minFreq: tokens === "word" ? 3 : 1,
    ...(tokens === "word" ? { lines: true } : {}),
  };
}

/**
 * How a text source is split, as its run records it: the one place that turns the
 * `--tokens`, `--lower` and `--rules` settings into a split.
 *
 * @param source The source's token settings.
 * @returns The split.
 */
export function sourceSplit(
  source: Pick<TextSource, "tokens" | "lower" | "lines" | "rules">,
): SplitSpec {
  return {
    mode: source.tokens,
    lower: source.lower,
    ...(source.lines ? { lines: true } : {}),
    ...(source.rules ? { rules: source.rules } : {}),
  };
}

/** A corpus ready to train on. */
export interface RunCorpus {
  /** Where the text came from, as the run's metadata keeps it. */
  readonly corpus: CorpusMeta;
  /** How prompts become tokens. */
  readonly tokenizer: TokenizerSpec;
  /** Tokens by id. */
  readonly vocab: readonly string[];
  /** One line about it for the run's header. */
  readonly summary: string;
  /** A line to show when the vocabulary leaves many tokens unknown. */
  readonly warning?: string | undefined;
  /** Whether nearly all validation tokens are unknown, so validation measures nothing. */
  readonly validForeign?: boolean;
  /** Accuracy of always predicting the most frequent training token. */
  readonly baseline: { readonly token: string; readonly accuracy: number };
  /** The validation text's token ids, in order (to judge an export on text it never trained on). */
  readonly validIds: ArrayLike<number>;
  /**
   * The recipe fitted to the text (`fitRecipe`): fewer or shorter rows when a short text
   * cannot fill one batch. Human Numbers keeps the book's batches.
   *
   * @throws CorpusSizeError naming the split when it cannot form one sample.
   */
  fit(recipe: Recipe): FittedRecipe;
  /**
   * Batches in a recipe's layout (fitted first: `fit`).
   *
   * @param recipe The fitted recipe.
   * @param seed The run's seed, which draws a transformer's random windows (`windows`).
   * @throws CorpusSizeError naming `--bs`/`--sl` when a split is too short for one batch.
   */
  data(recipe: Recipe, seed: number): TrainData;
}

/**
 * Human Numbers, the default corpus.
 *
 * @returns The corpus.
 */
export function humanNumbersCorpus(): RunCorpus {
  const baseline = mostCommonTokenBaseline();
  return {
    corpus: { kind: "human-numbers" },
    tokenizer: HUMAN_NUMBERS_TOKENIZER,
    vocab: humanNumbers().vocab.words,
    summary: "Human Numbers (63,095 tokens, 30 words)",
    baseline: { token: baseline.token, accuracy: baseline.accuracy },
    // The book's validation split of its 16-token sequences (LMModel4 and later).
    validIds: humanNumbers().nums.slice(
      splitSamples(sequenceSamples(humanNumbers().nums, 16)).cut * 16,
    ),
    fit: (recipe) => ({ recipe, notes: [] }),
    data(recipe, seed) {
      let data: TrainData;
      try {
        data = humanNumbersData(recipe);
        if (recipe.data === "windows") {
          // The windows are drawn from the tokens of the training sequences, split as the
          // validation batches were (the book's 80/20 cut, at the recipe's length).
          const nums = humanNumbers().nums;
          const sl = recipe.seqLen;
          const cut = splitSamples(sequenceSamples(nums, sl)).cut * sl;
          data = { ...data, ...windowBatches(Int32Array.from(nums.slice(0, cut)), recipe, seed) };
        }
      } catch {
        // groupChunks refuses fewer samples than bs: no batch at all.
        data = { train: arrayBatches([]), valid: arrayBatches([]) };
      }
      if (!data.train.length || !data.valid.length) {
        // A GPT's row length is its --block (its windows), the others' --sl.
        const windows = recipe.data === "windows";
        throw new CorpusSizeError(
          `--bs ${recipe.batchSize}${
            rowsOfTokens(recipe.data) ? ` --${windows ? "block" : "sl"} ${recipe.seqLen}` : ""
          }: Human Numbers has too few samples for one ${
            data.train.length ? "validation" : "training"
          } batch; use a smaller --bs${windows ? " or --block" : ""}`,
        );
      }
      return data;
    },
  };
}

/** The share of unknown validation tokens above which validation measures nothing. */
const FOREIGN_VALIDATION = 0.9;

/**
 * A warning when many tokens read as xxunk: a validation text that shares almost nothing with
 * the training text measures nothing (its accuracy is near 0, not overstated); otherwise
 * predicting xxunk counts as correct, so the accuracy can overstate the model.
 */
function unkWarning(unkRate: number, validUnkRate: number): string | undefined {
  const pct = (rate: number) => (rate * 100).toFixed(1);
  if (validUnkRate >= FOREIGN_VALIDATION) {
    return `warning: ${pct(validUnkRate)}% of validation tokens are not in the training ` +
      `vocabulary (xxunk): the validation text shares almost nothing with the training text, so ` +
      `its loss and accuracy say little about the model; check --valid (or --valid-pct)`;
  }
  if (unkRate <= UNK_WARNING && validUnkRate <= UNK_WARNING) return undefined;
  return `warning: ${pct(unkRate)}% of training and ${pct(validUnkRate)}% of validation ` +
    `tokens are xxunk, and predicting xxunk counts as correct: the accuracy can overstate the ` +
    `model; lower --min-freq or raise --max-vocab`;
}

function textBaseline(c: TextCorpus): { token: string; accuracy: number } {
  const counts = new Float64Array(c.vocab.length);
  for (const id of c.train) counts[id]++;
  let best = 0;
  for (let i = 1; i < counts.length; i++) if (counts[i] > counts[best]) best = i;
  let hits = 0;
  for (let i = 1; i < c.valid.length; i++) if (c.valid[i] === best) hits++;
  return { token: c.vocab[best], accuracy: c.valid.length > 1 ? hits / (c.valid.length - 1) : 0 };
}

/**
 * One's own text, numericalized (`TextCorpusBuilder`), as a run's corpus.
 *
 * @param source Where it came from and how it was read, as the run records it.
 * @param c The numericalized text.
 * @returns The corpus.
 * @throws CorpusSizeError when `minFreq` leaves only the special tokens.
 */
export function textRunCorpus(source: TextSource, c: TextCorpus): RunCorpus {
  const specials = specialsFor(source.rules);
  if (c.vocab.length <= specials.length) {
    throw new CorpusSizeError(
      `--min-freq ${source.minFreq}: no token of --text ${source.text} occurs that often, so ` +
        `the vocabulary would be only ${specials.join(" and ")}; lower --min-freq`,
    );
  }
  const tokenizer: TokenizerSpec = { ...sourceSplit(source), specials };
  const corpus: CorpusMeta = {
    kind: "text",
    text: source.recorded?.text ?? source.text,
    valid: source.recorded ? source.recorded.valid : source.valid ?? null,
    validPct: source.validPct,
    minFreq: source.minFreq,
    maxVocab: source.maxVocab,
    files: c.files,
    tokens: { train: c.train.length, valid: c.valid.length },
    checksum: idsChecksum(c.train, c.valid),
    ...(source.ext ? { ext: source.ext } : {}),
  };
  const fileNote = c.files.train + c.files.valid > 1
    ? ` in ${c.files.train} + ${c.files.valid} files`
    : "";
  const pct = (rate: number, digits: number) => (rate * 100).toFixed(digits);
  return {
    corpus,
    tokenizer,
    vocab: c.vocab,
    summary:
      `${source.text}: ${c.train.length} train / ${c.valid.length} valid ${source.tokens} tokens${fileNote}, ` +
      `vocabulary ${c.vocab.length} (xxunk: ${pct(c.unkRate, 2)}% of training tokens, ` +
      `${pct(c.validUnkRate, 2)}% of validation tokens)`,
    warning: unkWarning(c.unkRate, c.validUnkRate),
    validForeign: c.validUnkRate >= FOREIGN_VALIDATION,
    baseline: textBaseline(c),
    validIds: c.valid,
    fit: (recipe) =>
      fitRecipe(recipe, { train: c.train.length, valid: c.valid.length }, {
        train: source.text,
        valid: source.valid ??
          `the last ${source.validPct} of ${source.text}; raise --valid-pct or pass --valid`,
      }),
    data(recipe, seed) {
      const { data, batchSize: bs, seqLen: sl } = recipe;
      if (data === "windows") {
        const valid = fitLayout(c.valid.length, "sequence", bs, sl);
        if (!valid || c.train.length < sl + 1) {
          throw new CorpusSizeError(
            `--block ${sl}: the ${
              valid ? "training" : "validation"
            } text is too short for it (fit the recipe to the text first)`,
          );
        }
        return {
          ...windowBatches(c.train, recipe, seed),
          valid: streamBatches(c.valid, { data: "sequence", bs: valid.rows, sl: valid.seqLen }),
        };
      }
      const minSeqLen = recipe.tar ? 2 : 1;
      const train = fitLayout(c.train.length, data, bs, sl, minSeqLen);
      const valid = fitLayout(c.valid.length, data, bs, sl, minSeqLen);
      // The training graph's batch is fixed: the recipe must already fit (`fit`).
      if (!train || train.rows !== bs || train.seqLen !== sl || !valid) {
        throw new CorpusSizeError(
          `--bs ${bs}${rowsOfTokens(data) ? ` --sl ${sl}` : ""}: the ${
            !train || train.rows !== bs || train.seqLen !== sl ? "training" : "validation"
          } text is too short for this batch layout (fit the recipe to the text first)`,
        );
      }
      return {
        train: streamBatches(c.train, { data, bs, sl }),
        valid: streamBatches(c.valid, {
          data,
          bs: valid.rows,
          sl: valid.seqLen,
          keepLast: data === "three-token",
        }),
      };
    },
  };
}
