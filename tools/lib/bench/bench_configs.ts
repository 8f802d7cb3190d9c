/**
 * What `deno task bench` measures: every book model at the book's size on Human Numbers, and
 * LSTMs at the sizes people train on their own text (hidden 256 and 1024, a vocabulary of
 * 10,000 words, bs 64, sl 64) on a generated corpus of Zipf-distributed token ids, each also
 * with an adaptive softmax.
 *
 * @module
 */

import { describeSoftmax } from "../../../src/nn/adaptive_softmax.ts";
import { findModel, type ModelEntry, MODELS } from "../../../models/registry.ts";
import { sizedModel } from "../../../models/sizing.ts";
import { streamBatches } from "../../../src/data/stream_batches.ts";
import { mulberry32 } from "../../../src/generate/sampling.ts";
import { humanNumbersData } from "../../../src/data/pipelines.ts";
import type { TrainData } from "../../../src/data/stream_batches.ts";
import type { Architecture, Recipe } from "../../../src/train/recipe.ts";
import { UsageError } from "../cli/cli.ts";

/** One configuration of the suite. */
export interface BenchConfig {
  /** Its name on the command line and in the table (`lm6`, `lstm-h256`). */
  readonly name: string;
  /** The registered model it builds. */
  readonly entry: ModelEntry;
  readonly arch: Architecture;
  readonly recipe: Recipe;
  /** One line on the data. */
  readonly data: string;
  /** Epochs `bench` times by default: a book model's full recipe, 2 for a scaled one. */
  readonly epochs: number;
  /** Training and validation batches (built on first use: a large corpus takes a moment). */
  batches(): TrainData;
}

/**
 * Token ids drawn from a Zipf distribution over `vocab` words (rank r has weight 1/(r+1)), as
 * word frequencies in text are: seeded, so every run times the same batches.
 *
 * @param vocab Vocabulary size.
 * @param length Tokens.
 * @param seed The seed.
 * @returns The ids.
 */
export function zipfIds(vocab: number, length: number, seed: number): Int32Array {
  const cdf = new Float64Array(vocab);
  let total = 0;
  for (let i = 0; i < vocab; i++) cdf[i] = total += 1 / (i + 1);
  const random = mulberry32(seed);
  const ids = new Int32Array(length);
  for (let t = 0; t < length; t++) {
    const u = random() * total;
    let lo = 0;
    let hi = vocab - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    ids[t] = lo;
  }
  return ids;
}

function book(entry: ModelEntry): BenchConfig {
  return {
    name: entry.name,
    entry,
    arch: entry.arch,
    recipe: entry.recipe,
    data: "Human Numbers",
    epochs: entry.recipe.epochs,
    batches: () => humanNumbersData(entry.recipe),
  };
}

/**
 * An LSTM (lm6's structure) at a size beyond the book, on generated words; `adaptive`: with
 * an adaptive softmax at its default cutoffs (`-adaptive` in the name).
 */
function scaled(
  hidden: number,
  trainSteps: number,
  vocabSize = 10_000,
  adaptive = false,
): BenchConfig {
  const entry = findModel("lm6");
  const { arch, recipe } = sizedModel(entry, {
    vocabSize,
    hidden,
    batchSize: 64,
    seqLen: 64,
    ...(adaptive ? { softmax: "adaptive" } : {}),
  });
  // Enough tokens for `trainSteps` training batches and one validation batch.
  const perBatch = recipe.batchSize * recipe.seqLen;
  let cached: TrainData | undefined;
  return {
    name: `lstm-h${hidden}${vocabSize === 10_000 ? "" : `-v${vocabSize / 1000}k`}${
      adaptive ? "-adaptive" : ""
    }`,
    entry,
    arch,
    recipe,
    data: `generated Zipf words, vocabulary ${vocabSize}, ${trainSteps} training batches${
      arch.softmax ? `, ${describeSoftmax(arch.softmax)}` : ""
    }`,
    epochs: 2,
    batches() {
      const opts = { data: recipe.data, bs: recipe.batchSize, sl: recipe.seqLen };
      cached ??= {
        train: streamBatches(zipfIds(vocabSize, trainSteps * perBatch + 64, 1), opts),
        valid: streamBatches(zipfIds(vocabSize, perBatch + 64, 2), opts),
      };
      return cached;
    },
  };
}

/** Every configuration, in the order the table lists them. */
export const BENCH_CONFIGS: readonly BenchConfig[] = [
  ...MODELS.map(book),
  scaled(256, 16),
  scaled(1024, 4),
  scaled(256, 4, 60_000),
  scaled(256, 16, 10_000, true),
  scaled(1024, 4, 10_000, true),
  scaled(256, 4, 60_000, true),
];

/** The configurations `bench` runs when none is named. */
export const DEFAULT_CONFIGS: readonly string[] = ["lm1", "lm6", "lm7", "lstm-h256", "lstm-h1024"];

/**
 * The configurations named on the command line (registry aliases work for book models).
 *
 * @param names Names, or none for the defaults.
 * @returns The configurations.
 * @throws UsageError naming an unknown one and listing the known ones.
 */
export function pickConfigs(names: readonly string[]): BenchConfig[] {
  return (names.length ? names : DEFAULT_CONFIGS).map((name) => {
    const direct = BENCH_CONFIGS.find((c) => c.name === name);
    if (direct) return direct;
    try {
      const entry = findModel(name);
      return BENCH_CONFIGS.find((c) => c.name === entry.name)!;
    } catch {
      throw new UsageError(
        `unknown configuration "${name}": expected one of ${
          BENCH_CONFIGS.map((c) => c.name).join(", ")
        } (or a model alias)`,
      );
    }
  });
}
