/**
 * Batches that fit a short text. fastai's `LMDataLoader` never refuses a text that holds a few
 * tokens: it cuts whatever length it gets into `bs` streams and shortens the last batch. Our
 * graphs have a fixed row length (the recurrent steps are unrolled), so the same idea is
 * applied the other way round: first fewer rows (a batch of every sample there is), then, for a
 * text shorter than one row, shorter rows. Only a text with no input/target pair at all is
 * refused. Browser-compatible.
 *
 * @module
 */

import { type DataKind, rowsOfTokens, sampleCount } from "../data/stream_batches.ts";
import type { Recipe } from "../train/recipe.ts";

/** Raised when a corpus cannot form one batch at the run's size, or leaves no vocabulary. */
export class CorpusSizeError extends Error {
  /** The error name. */
  override name = "CorpusSizeError";
}

/** Rows and row length of one split's batches. */
export interface BatchLayout {
  /** Rows per batch. */
  readonly rows: number;
  /** Tokens per row (3 for the three-token layouts). */
  readonly seqLen: number;
}

const count = (n: number) => `${n} token${n === 1 ? "" : "s"}`;

/** Fewer training batches than this per epoch earn a note suggesting a smaller `--bs`. */
export const FEW_BATCHES = 8;

/**
 * The fewest tokens a split needs for one sample: an input and its target (`sampleCount` > 0).
 *
 * @param data The layout.
 * @param minSeqLen The shortest row the model takes (2 for LMModel7's TAR).
 * @returns The token count.
 */
export function fewestTokens(data: DataKind, minSeqLen = 1): number {
  return (rowsOfTokens(data) ? minSeqLen : 3) + 2;
}

/**
 * The layout a split of `tokens` ids takes at a batch size and row length: the recipe's when
 * it fills one batch; else every sample in one batch of fewer rows; else one row as long as the
 * text allows.
 *
 * @param tokens Token ids in the split.
 * @param data The sample layout.
 * @param bs The recipe's batch size.
 * @param sl The recipe's row length (3 for the three-token layouts).
 * @param minSeqLen The shortest row the model takes.
 * @returns The layout, or undefined when no sample can be formed.
 */
export function fitLayout(
  tokens: number,
  data: DataKind,
  bs: number,
  sl: number,
  minSeqLen = 1,
): BatchLayout | undefined {
  const samples = sampleCount(tokens, data, sl);
  if (samples >= bs) return { rows: bs, seqLen: sl };
  if (samples > 0) return { rows: samples, seqLen: sl };
  if (!rowsOfTokens(data) || tokens < fewestTokens(data, minSeqLen)) return undefined;
  // sampleCount(tokens, sl') > 0 exactly when tokens >= sl' + 2.
  return { rows: 1, seqLen: tokens - 2 };
}

/** A recipe fitted to a text, and what was changed. */
export interface FittedRecipe {
  /** The recipe, with `batchSize`/`seqLen` lowered when the training text cannot fill a batch. */
  readonly recipe: Recipe;
  /** Lines for the run's header: what changed, or that an epoch has only a few batches. */
  readonly notes: readonly string[];
}

/** Where each split came from, for messages. */
export interface SplitSources {
  /** The training text (`--text`). */
  readonly train: string;
  /** The validation text, and how to make it longer. */
  readonly valid: string;
}

/**
 * Fits a recipe's batches to the training text: fewer rows when it has fewer samples than
 * `--bs`, shorter rows when it has fewer tokens than one row. The validation split's layout
 * follows from the fitted recipe (`fitLayout`), so a resumed run, which keeps its recorded
 * recipe, gets the same batches.
 *
 * @param recipe The recipe at the requested sizes.
 * @param tokens Token counts of the two splits.
 * @param sources The splits' sources, for messages.
 * @returns The recipe to train with and notes to show.
 * @throws CorpusSizeError naming the split when it cannot form one sample.
 */
export function fitRecipe(
  recipe: Recipe,
  tokens: { readonly train: number; readonly valid: number },
  sources: SplitSources,
): FittedRecipe {
  const { data, batchSize: bs, seqLen: sl } = recipe;
  if (data === "windows") return fitWindows(recipe, tokens, sources);
  // TAR compares consecutive time steps (LMModel7): rows of one token have none.
  const minSeqLen = recipe.tar ? 2 : 1;
  const unit = data === "sequence" ? `sequences of ${sl} tokens` : "samples of 3 tokens";
  const train = fitLayout(tokens.train, data, bs, sl, minSeqLen);
  if (!train) {
    throw new CorpusSizeError(
      `the training text has ${count(tokens.train)}, too few for one sample: at least ` +
        `${fewestTokens(data, minSeqLen)} are needed (${sources.train})`,
    );
  }
  const fitted: Recipe = { ...recipe, batchSize: train.rows, seqLen: train.seqLen };
  if (!fitLayout(tokens.valid, data, fitted.batchSize, fitted.seqLen, minSeqLen)) {
    throw new CorpusSizeError(
      `the validation text has ${count(tokens.valid)}, too few for one sample: at least ` +
        `${fewestTokens(data, minSeqLen)} are needed (${sources.valid})`,
    );
  }
  const notes: string[] = [];
  if (train.seqLen < sl) {
    notes.push(
      `note: the training text has ${tokens.train} tokens, fewer than one row of --sl ${sl}: ` +
        `training on one row of ${train.seqLen} tokens per batch`,
    );
  } else if (train.rows < bs) {
    notes.push(
      `note: the training text makes ${train.rows} ${unit}, fewer than --bs ${bs}: ` +
        `training on batches of ${train.rows} rows`,
    );
  }
  const batches = Math.floor(sampleCount(tokens.train, data, fitted.seqLen) / fitted.batchSize);
  if (batches < FEW_BATCHES) {
    // A power of two, as batch sizes usually are, that gives at least FEW_BATCHES batches.
    const most = Math.floor(sampleCount(tokens.train, data, fitted.seqLen) / FEW_BATCHES);
    const suggested = most >= 1 ? 2 ** Math.floor(Math.log2(most)) : 0;
    notes.push(
      `note: only ${batches} training batch${batches === 1 ? "" : "es"} per epoch, so the ` +
        `one-cycle schedule takes few steps` +
        (suggested >= 1 && suggested < fitted.batchSize
          ? `; --bs ${suggested} gives ${
            Math.floor(sampleCount(tokens.train, data, fitted.seqLen) / suggested)
          } per epoch`
          : ""),
    );
  }
  const valid = fitLayout(tokens.valid, data, fitted.batchSize, fitted.seqLen, minSeqLen)!;
  if (valid.seqLen < fitted.seqLen || valid.rows < fitted.batchSize) {
    notes.push(
      `note: the validation text has ${tokens.valid} tokens: validating on ${valid.rows} ` +
        `row${valid.rows === 1 ? "" : "s"} of ${valid.seqLen} tokens`,
    );
  }
  return { recipe: fitted, notes };
}

/**
 * A transformer's recipe against a text: random windows need one window of `--block` tokens and
 * its next token (they overlap, so any text that long fills a batch of any size); validation
 * reads the sequence layout, its rows shortened as for the recurrent models.
 */
function fitWindows(
  recipe: Recipe,
  tokens: { readonly train: number; readonly valid: number },
  sources: SplitSources,
): FittedRecipe {
  const { batchSize: bs, seqLen: block } = recipe;
  if (tokens.train < block + 1) {
    throw new CorpusSizeError(
      `the training text has ${count(tokens.train)}, fewer than one window of --block ${block} ` +
        `and its next token (${block + 1}); use a smaller --block (${sources.train})`,
    );
  }
  const valid = fitLayout(tokens.valid, "sequence", bs, block);
  if (!valid) {
    throw new CorpusSizeError(
      `the validation text has ${count(tokens.valid)}, too few for one sample: at least ` +
        `${fewestTokens("sequence")} are needed (${sources.valid})`,
    );
  }
  const notes = valid.seqLen < block || valid.rows < bs
    ? [
      `note: the validation text has ${tokens.valid} tokens: validating on ${valid.rows} ` +
      `row${valid.rows === 1 ? "" : "s"} of ${valid.seqLen} tokens`,
    ]
    : [];
  return { recipe, notes };
}
