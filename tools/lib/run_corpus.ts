/**
 * The corpus of a training run: Human Numbers (the default, with the book's exact vocabulary
 * and pipelines) or one's own text (`--text`), as batches for the learner and as the facts the
 * run's metadata keeps. A resumed run re-reads its text and checks that it is unchanged.
 *
 * @module
 */

import { humanNumbers, mostCommonTokenBaseline } from "../../src/data/pipelines.ts";
import {
  arrayBatches,
  sampleCount,
  streamBatches,
  tokensForOneBatch,
} from "../../src/data/stream_batches.ts";
import { idsChecksum, type TextCorpus } from "../../src/data/text_corpus.ts";
import {
  HUMAN_NUMBERS_TOKENIZER,
  type TokenizerSpec,
  type TokenMode,
} from "../../src/data/tokenizer.ts";
import { SPECIALS } from "../../src/data/text_vocab.ts";
import { humanNumbersData, type TrainData } from "../../src/train/learner.ts";
import type { Recipe } from "../../src/train/recipe.ts";
import type { CorpusMeta, RunMeta } from "../../src/train/run_meta.ts";
import { resolve } from "node:path";
import { UsageError } from "./cli.ts";
import { CorpusInputError, readCorpus } from "./read_corpus.ts";

/** Share of `xxunk` tokens above which the run warns that accuracy is inflated. */
const UNK_WARNING = 0.05;

/** The corpus flags of `deno task train`. */
export interface CorpusFlags {
  readonly text: string;
  readonly valid?: string;
  readonly validPct: number;
  readonly tokens: TokenMode;
  readonly lower: boolean;
  readonly minFreq: number;
  readonly maxVocab: number;
}

/** A corpus ready to train on. */
export interface RunCorpus {
  readonly corpus: CorpusMeta;
  readonly tokenizer: TokenizerSpec;
  readonly vocab: readonly string[];
  /** One line about it for the run's header. */
  readonly summary: string;
  /** A line to print when the vocabulary leaves many tokens unknown. */
  readonly warning?: string | undefined;
  /** Accuracy of always predicting the most frequent training token. */
  readonly baseline: { readonly token: string; readonly accuracy: number };
  /**
   * Batches in a recipe's layout.
   *
   * @throws UsageError naming `--bs`/`--sl` when a split is too short for one batch.
   */
  data(recipe: Recipe): TrainData;
}

/** Human Numbers, the default corpus. */
export function humanNumbersCorpus(): RunCorpus {
  const baseline = mostCommonTokenBaseline();
  return {
    corpus: { kind: "human-numbers" },
    tokenizer: HUMAN_NUMBERS_TOKENIZER,
    vocab: humanNumbers().vocab.words,
    summary: "Human Numbers (63,095 tokens, 30 words)",
    baseline: { token: baseline.token, accuracy: baseline.accuracy },
    data(recipe) {
      let data: TrainData;
      try {
        data = humanNumbersData(recipe);
      } catch {
        // groupChunks refuses fewer samples than bs: no batch at all.
        data = { train: arrayBatches([]), valid: arrayBatches([]) };
      }
      if (!data.train.length || !data.valid.length) {
        throw new UsageError(
          `--bs ${recipe.batchSize}${
            recipe.data === "sequence" ? ` --sl ${recipe.seqLen}` : ""
          }: ` +
            `Human Numbers has too few samples for one ${
              data.train.length ? "validation" : "training"
            } batch; use a smaller --bs`,
        );
      }
      return data;
    },
  };
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

/** A path as the run records it: absolute, so a resume from another directory finds it. */
const absolute = (path: string) => resolve(path);

function textCorpus(flags: CorpusFlags, c: TextCorpus): RunCorpus {
  if (c.vocab.length <= SPECIALS.length) {
    throw new UsageError(
      `--min-freq ${flags.minFreq}: no token of --text ${flags.text} occurs that often, so the ` +
        `vocabulary would be only ${SPECIALS.join(" and ")}; lower --min-freq`,
    );
  }
  const tokenizer: TokenizerSpec = { mode: flags.tokens, lower: flags.lower, specials: SPECIALS };
  const corpus: CorpusMeta = {
    kind: "text",
    text: absolute(flags.text),
    valid: flags.valid === undefined ? null : absolute(flags.valid),
    validPct: flags.validPct,
    minFreq: flags.minFreq,
    maxVocab: flags.maxVocab,
    files: c.files,
    tokens: { train: c.train.length, valid: c.valid.length },
    checksum: idsChecksum(c.train, c.valid),
  };
  const fileNote = c.files.train + c.files.valid > 1
    ? ` in ${c.files.train} + ${c.files.valid} files`
    : "";
  return {
    corpus,
    tokenizer,
    vocab: c.vocab,
    summary:
      `${flags.text}: ${c.train.length} train / ${c.valid.length} valid ${flags.tokens} tokens${fileNote}, ` +
      `vocabulary ${c.vocab.length} (xxunk: ${(c.unkRate * 100).toFixed(2)}% of training tokens, ` +
      `${(c.validUnkRate * 100).toFixed(2)}% of validation tokens)`,
    warning: c.unkRate > UNK_WARNING || c.validUnkRate > UNK_WARNING
      ? `warning: ${(c.unkRate * 100).toFixed(1)}% of training and ${
        (c.validUnkRate * 100).toFixed(1)
      }% of validation tokens are xxunk, and predicting xxunk counts as correct: the accuracy ` +
        `overstates the model; lower --min-freq or raise --max-vocab`
      : undefined,
    baseline: textBaseline(c),
    data(recipe) {
      const { data, batchSize: bs, seqLen: sl } = recipe;
      const keepLast = data === "three-token";
      const flag = `--bs ${bs}${data === "sequence" ? ` --sl ${sl}` : ""}`;
      for (
        const [split, ids, path, partial] of [
          ["training", c.train, flags.text, false],
          ["validation", c.valid, flags.valid ?? flags.text, keepLast],
        ] as const
      ) {
        if (sampleCount(ids.length, data, sl) < (partial ? 1 : bs)) {
          const needed = tokensForOneBatch(data, bs, sl, partial);
          const where = split === "validation" && !flags.valid
            ? ` (the last ${flags.validPct} of ${path}; raise --valid-pct or pass --valid)`
            : ` (${path})`;
          throw new UsageError(
            `${flag}: the ${split} text is too short for one batch: ${ids.length} tokens found, ${needed} needed${where}`,
          );
        }
      }
      return {
        train: streamBatches(c.train, { data, bs, sl }),
        valid: streamBatches(c.valid, { data, bs, sl, keepLast }),
      };
    },
  };
}

/**
 * Reads one's own text.
 *
 * @param flags The corpus flags.
 * @param progress Draw the reading progress bar.
 * @returns The corpus.
 * @throws CorpusInputError for a bad path or file.
 */
export async function ownTextCorpus(
  flags: CorpusFlags,
  progress: boolean,
  labelPrefix = "",
): Promise<RunCorpus> {
  const { corpus } = await readCorpus({
    labelPrefix,
    text: flags.text,
    ...(flags.valid ? { valid: flags.valid } : {}),
    validPct: flags.validPct,
    split: { mode: flags.tokens, lower: flags.lower },
    limits: { minFreq: flags.minFreq, maxVocab: flags.maxVocab },
    progress,
  });
  return textCorpus(flags, corpus);
}

/**
 * The corpus of a saved run, re-read and checked against what the run recorded.
 *
 * @param meta The run's metadata.
 * @param progress Draw the reading progress bar.
 * @returns The corpus.
 * @throws CorpusInputError when the text changed since the run started.
 */
export async function runCorpus(meta: RunMeta, progress: boolean): Promise<RunCorpus> {
  const c = meta.corpus;
  if (c.kind === "human-numbers") return humanNumbersCorpus();
  const flags: CorpusFlags = {
    text: c.text,
    ...(c.valid ? { valid: c.valid } : {}),
    validPct: c.validPct,
    tokens: meta.tokenizer.mode,
    lower: meta.tokenizer.lower,
    minFreq: c.minFreq,
    maxVocab: c.maxVocab,
  };
  const again = await ownTextCorpus(flags, progress, "the run's ");
  const now = again.corpus as Extract<CorpusMeta, { kind: "text" }>;
  if (now.checksum !== c.checksum || again.vocab.join("\n") !== meta.vocab.join("\n")) {
    throw new CorpusInputError(
      `--text ${c.text}: the text changed since the run started (${now.tokens.train} + ${now.tokens.valid} ` +
        `tokens now, ${c.tokens.train} + ${c.tokens.valid} then); restore it, or start a new run with another --out`,
    );
  }
  return again;
}
