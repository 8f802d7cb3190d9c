/**
 * The book's two Human Numbers pipelines, ready to train on.
 *
 * @example
 * ```ts
 * import {
 *   type Baseline,
 *   type HumanNumbers,
 *   humanNumbers,
 *   type Loaders,
 *   mostCommonTokenBaseline,
 *   sequenceLoaders,
 *   threeTokenLoaders,
 * } from "./pipelines.ts";
 * const corpus: HumanNumbers = humanNumbers();
 * const stateful: Loaders = threeTokenLoaders({ stateful: true });
 * const sequences: Loaders = sequenceLoaders({ bs: 64, sl: 16 });
 * const baseline: Baseline = mostCommonTokenBaseline();
 * console.log(corpus.vocab.size, stateful.valid.length, sequences.train[0].xDims); // 30 65 [64,16]
 * console.log(baseline.token, baseline.accuracy); // "thousand" 0.15165200855716662
 * ```
 * @module
 */

import { type Batch, batchify } from "./batches.ts";
import { groupChunks } from "./group_chunks.ts";
import { humanNumbersLines, humanNumbersText, tokenize } from "./human_numbers.ts";
import { sequenceSamples, splitSamples, threeTokenSamples } from "./samples.ts";
import { Vocab } from "./vocab.ts";
import { arrayBatches, type DataKind, rowsOfTokens, type TrainData } from "./stream_batches.ts";

/** The tokenized corpus: tokens, their vocabulary and the tokens as indices. */
export interface HumanNumbers {
  /** All 63,095 tokens, train then valid. */
  tokens: readonly string[];
  /** The 30 words in order of first appearance. */
  vocab: Vocab;
  /** `tokens` as vocabulary indices. */
  nums: readonly number[];
}

/** Train and validation batches of one pipeline. */
export interface Loaders {
  /** Training batches, in order. */
  train: Batch[];
  /** Validation batches, in order. */
  valid: Batch[];
}

// The corpus is deterministic and takes a moment to build, so build it once.
let cached: HumanNumbers | undefined;

/**
 * The Human Numbers corpus, tokenized and numericalized (built once, then shared).
 *
 * The arrays are frozen because every caller shares them.
 *
 * @returns `tokens`, `vocab` and `nums`.
 */
export function humanNumbers(): HumanNumbers {
  if (cached === undefined) {
    const tokens = tokenize(humanNumbersText(humanNumbersLines()));
    const vocab = Vocab.fromTokens(tokens);
    cached = {
      tokens: Object.freeze(tokens),
      vocab,
      nums: Object.freeze(vocab.encode(tokens)),
    };
  }
  return cached;
}

/**
 * Batches for LMModel1-3: 3-token samples, split 80/20 in order, batches of `bs`.
 *
 * Non-stateful (LMModel1/2) follows fastai's defaults: train drops its last partial batch,
 * valid keeps it. Stateful (LMModel3) runs `group_chunks` on both splits and drops the last
 * partial batch on both, so every batch row continues the text of the row before.
 *
 * @param options `bs` (default 64); `stateful` (default false).
 * @returns Train and valid batches: 262 / 66 non-stateful, 262 / 65 stateful at bs 64.
 */
export function threeTokenLoaders(
  { bs = 64, stateful = false }: { bs?: number; stateful?: boolean } = {},
): Loaders {
  const { train, valid } = splitSamples(threeTokenSamples(humanNumbers().nums));
  if (stateful) {
    return {
      train: batchify(groupChunks(train, bs), bs, { dropLast: true }),
      valid: batchify(groupChunks(valid, bs), bs, { dropLast: true }),
    };
  }
  return {
    train: batchify(train, bs, { dropLast: true }),
    valid: batchify(valid, bs, { dropLast: false }),
  };
}

/**
 * Batches for LMModel4-7 and the GRU: sequence samples of length `sl`, split 80/20 in
 * order, `group_chunks` on both splits, last partial batch dropped on both.
 *
 * @param options `bs` (default 64); `sl` (default 16).
 * @returns Train and valid batches: 49 / 12 at bs 64, sl 16.
 */
export function sequenceLoaders(
  { bs = 64, sl = 16 }: { bs?: number; sl?: number } = {},
): Loaders {
  const { train, valid } = splitSamples(sequenceSamples(humanNumbers().nums, sl));
  return {
    train: batchify(groupChunks(train, bs), bs, { dropLast: true }),
    valid: batchify(groupChunks(valid, bs), bs, { dropLast: true }),
  };
}

/** The "always predict one word" baseline on the 3-token validation split. */
export interface Baseline {
  /** The most common target word. */
  token: string;
  /** Its vocabulary index. */
  index: number;
  /** Fraction of validation targets equal to it. */
  accuracy: number;
}

/**
 * The book's baseline: the most common target of the 3-token validation split.
 *
 * Ties go to the lowest index, like `torch.argmax` in the book. The accuracy is a float64
 * quotient, so it equals the book's 0.15165200855716662 exactly.
 *
 * @returns `thousand`, index 29, accuracy 0.15165200855716662.
 */
export function mostCommonTokenBaseline(): Baseline {
  const { vocab, nums } = humanNumbers();
  const { valid } = splitSamples(threeTokenSamples(nums));
  const counts = new Array<number>(vocab.size).fill(0);
  for (const s of valid) counts[s.y]++;
  let index = 0;
  for (let i = 1; i < counts.length; i++) if (counts[i] > counts[index]) index = i;
  return { token: vocab.word(index), index, accuracy: counts[index] / valid.length };
}

/**
 * Human Numbers in a recipe's layout (the book's pipelines).
 *
 * @param layout The recipe's data kind, batch size and sequence length.
 * @returns Training and validation batches.
 */
export function humanNumbersData(
  layout: { readonly data: DataKind; readonly batchSize: number; readonly seqLen: number },
): TrainData {
  // A GPT's (`windows`) validation reads the sequence layout; its training windows are drawn
  // by the run (`window_data.ts`).
  const loaders = rowsOfTokens(layout.data)
    ? sequenceLoaders({ bs: layout.batchSize, sl: layout.seqLen })
    : threeTokenLoaders({
      bs: layout.batchSize,
      stateful: layout.data === "three-token-stateful",
    });
  return { train: arrayBatches(loaders.train), valid: arrayBatches(loaders.valid) };
}
