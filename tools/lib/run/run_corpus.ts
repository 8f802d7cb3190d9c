/**
 * The corpus of a training run: Human Numbers (the default, with the book's exact vocabulary
 * and pipelines) or one's own text (`--text`), as batches for the learner and as the facts the
 * run's metadata keeps. A resumed run re-reads its text and checks that it is unchanged.
 *
 * @module
 */

import { resolve } from "node:path";
import {
  CorpusSizeError,
  humanNumbersCorpus as bookCorpus,
  type RunCorpus,
  sourceSplit,
  textRunCorpus,
} from "../../../src/run/corpus.ts";
import type { TokenMode } from "../../../src/data/tokenizer.ts";
import type { TextRules } from "../../../src/data/text_rules.ts";
import type { Recipe } from "../../../src/train/recipe.ts";
import type { CorpusMeta, RunMeta } from "../../../src/train/run_meta.ts";
import type { TrainData } from "../../../src/data/stream_batches.ts";
import { UsageError } from "../cli/cli.ts";
import { CorpusInputError, readCorpus } from "./read_corpus.ts";

export type { RunCorpus } from "../../../src/run/corpus.ts";

/** The corpus flags of `deno task train`. */
export interface CorpusFlags {
  readonly text: string;
  readonly valid?: string;
  readonly validPct: number;
  readonly tokens: TokenMode;
  readonly lower: boolean;
  /** Line breaks as tokens (word mode of a new run; absent in runs made before). */
  readonly lines?: boolean | undefined;
  /** `--rules`, if given. */
  readonly rules?: TextRules | undefined;
  /** `--ext`, when not `.txt`. */
  readonly ext?: readonly string[] | undefined;
  readonly minFreq: number;
  readonly maxVocab: number;
}

/** Runs `work`, turning a size error into a usage error (its message names the flags). */
function asUsage<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof CorpusSizeError) throw new UsageError(error.message);
    throw error;
  }
}

/** A corpus whose size errors are usage errors. */
function asFlags(corpus: RunCorpus): RunCorpus {
  return {
    ...corpus,
    fit: (recipe: Recipe) => asUsage(() => corpus.fit(recipe)),
    data: (recipe: Recipe, seed: number): TrainData => asUsage(() => corpus.data(recipe, seed)),
  };
}

/** Human Numbers, the default corpus. */
export function humanNumbersCorpus(): RunCorpus {
  return asFlags(bookCorpus());
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
    split: sourceSplit(flags),
    ...(flags.ext ? { ext: flags.ext } : {}),
    limits: { minFreq: flags.minFreq, maxVocab: flags.maxVocab },
    progress,
  });
  // Paths as the run records them: absolute, so a resume from another directory finds them.
  const recorded = {
    text: resolve(flags.text),
    valid: flags.valid === undefined ? null : resolve(flags.valid),
  };
  return asFlags(asUsage(() => textRunCorpus({ ...flags, recorded }, corpus)));
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
    // The run's own split and files, so a run made before these settings reads as it did.
    lines: meta.tokenizer.lines,
    rules: meta.tokenizer.rules,
    ext: c.ext,
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
