/**
 * `deno task train --from RUN`: a new run that starts from another run's weights, ULMFiT's
 * fine-tuning. The model and its sizes are the parent's; the recipe is new; the text is the
 * parent's unless `--text` gives another, whose vocabulary the weights are carried over to
 * (`src/run/transfer.ts`).
 *
 * @module
 */

import { resolve } from "node:path";
import { findModel, type ModelEntry } from "../../../models/registry.ts";
import type { SizeOverrides } from "../../../models/sizing.ts";
import type { RunPlan, RunRequest } from "../../../src/run/start_run.ts";
import { type Transferred, transferWeights, vocabParameters } from "../../../src/run/transfer.ts";
import { UsageError } from "../cli/cli.ts";
import { readRunForExport, type RunMeta } from "./run_dir.ts";
import { humanNumbersCorpus, ownTextCorpus, type RunCorpus, runCorpus } from "./run_corpus.ts";
import { corpusFlags, type Flags } from "./train_flags.ts";

/** The parent run: its directory, metadata and checked weights. */
export interface ParentSource {
  /** `--from` as given. */
  readonly dir: string;
  readonly meta: RunMeta;
  readonly weights: ReadonlyMap<string, Float32Array>;
  readonly entry: ModelEntry;
}

/**
 * Reads the parent run (its last checkpoint), checking its weights are whole and finite.
 *
 * @param from `--from`.
 * @returns The parent.
 * @throws Error naming the file for a missing, malformed or diverged checkpoint.
 */
export async function readParent(from: string): Promise<ParentSource> {
  const run = await readRunForExport(from, `--from ${from}`);
  if (!run.finished) throw new UsageError(`--from ${from}: the run has no finished epoch yet`);
  return { dir: from, meta: run.meta, weights: run.weights, entry: findModel(run.meta.model) };
}

/**
 * The model to fine-tune: the parent's; a model name given must be the same.
 *
 * @param parent The parent run.
 * @param name The model name given, if any.
 * @returns The registry entry.
 * @throws UsageError for another model.
 */
export function fineTunedModel(parent: ParentSource, name: string | undefined): ModelEntry {
  if (name === undefined) return parent.entry;
  let entry;
  try {
    entry = findModel(name);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (entry.name !== parent.entry.name) {
    throw new UsageError(
      `--from ${parent.dir} is a run of ${parent.entry.name}: its weights cannot start ` +
        `${entry.name}; leave out the model name, or give ${parent.entry.name}`,
    );
  }
  return entry;
}

/**
 * The sizes of the fine-tuned run: the parent's hidden size and layers (its weights' shapes;
 * a GPT's embd, layers, heads, block and biases), with `--bs`, `--sl` and `--dropout` free to
 * change.
 *
 * @param sizes The size flags given.
 * @param parent The parent run.
 * @returns The sizes.
 * @throws UsageError for `--hidden` or `--layers` other than the parent's.
 */
export function fineTunedSizes(
  sizes: Omit<SizeOverrides, "vocabSize">,
  parent: ParentSource,
): Omit<SizeOverrides, "vocabSize"> {
  const arch = parent.meta.arch;
  if (arch.softmax) {
    // Its head and tails hold rows by frequency rank, not by token: another vocabulary's
    // ranks would need rows moved between clusters, which transferWeights does not do.
    throw new UsageError(
      `--from ${parent.dir}: fine-tuning with an adaptive softmax is not supported (its ` +
        `clusters follow the vocabulary's frequency order); continue the run with --resume, ` +
        `or train a new one`,
    );
  }
  if (sizes.softmax === "adaptive" || sizes.cutoffs) {
    throw new UsageError(
      `--from ${parent.dir}: the parent has the full softmax, and its decoder's weights have ` +
        `no place in an adaptive one; fine-tune without --softmax and --cutoffs, or train a ` +
        `new run with them`,
    );
  }
  const g = arch.gpt;
  const kept: [string, number | boolean | undefined, number | boolean][] = g
    ? [
      ["embd", sizes.embd, arch.hidden],
      ["layers", sizes.layers, arch.layers],
      ["heads", sizes.heads, g.heads],
      ["block", sizes.block, g.block],
      ["bias", sizes.bias, g.bias],
    ]
    : [["hidden", sizes.hidden, arch.hidden], ["layers", sizes.layers, arch.layers]];
  for (const [flag, given, has] of kept) {
    if (given !== undefined && given !== has) {
      throw new UsageError(
        `--from ${parent.dir}: --${flag} ${given} differs from the parent's ${has}; a ` +
          `fine-tuned model keeps its parent's sizes (leave out --${flag})`,
      );
    }
  }
  if (g) {
    // A GPT's width is --embd and its windows are its block: --hidden and --sl stay refused.
    return {
      ...sizes,
      embd: arch.hidden,
      layers: arch.layers,
      heads: g.heads,
      block: g.block,
      bias: g.bias,
      dropout: sizes.dropout ?? arch.dropout,
    };
  }
  return {
    ...sizes,
    hidden: arch.hidden,
    layers: arch.layers,
    dropout: sizes.dropout ?? arch.dropout,
  };
}

/**
 * The text to fine-tune on: `--text` (tokenized as the parent's text was: its token mode, its
 * lower-casing and its rules, unless `--lower` or `--rules` are given; another token mode is
 * refused), else the parent's own, re-read and checked.
 *
 * @param flags The parsed flags.
 * @param parent The parent run.
 * @param progress Draw the reading progress bar.
 * @returns The corpus.
 * @throws UsageError for a token mode other than the parent's.
 */
export async function fineTunedCorpus(
  flags: Flags,
  parent: ParentSource,
  progress: boolean,
): Promise<RunCorpus> {
  const was = parent.meta.tokenizer;
  if (flags.text === undefined) {
    corpusFlags(flags); // refuses --tokens and the like without --text
    return parent.meta.corpus.kind === "human-numbers"
      ? humanNumbersCorpus()
      : await runCorpus(parent.meta, progress);
  }
  if (flags.tokens !== undefined && flags.tokens !== was.mode) {
    throw new UsageError(
      `--from ${parent.dir}: --tokens ${flags.tokens} differs from the parent's ${was.mode} ` +
        `tokens; its rows are ${was.mode} embeddings (leave out --tokens)`,
    );
  }
  const text = corpusFlags({
    ...flags,
    tokens: was.mode,
    lower: flags.lower || was.lower,
    // The parent's markers (xxmaj, ...) have trained rows: its rules go on unless given.
    ...(flags.rules === undefined && was.rules ? { rules: was.rules } : {}),
  })!;
  return await ownTextCorpus(text, progress);
}

/**
 * The parent as the child's request records it.
 *
 * @param parent The parent run.
 * @returns The request's `parent`.
 */
export function parentOfRequest(parent: ParentSource): NonNullable<RunRequest["parent"]> {
  const last = parent.meta.learner.history.at(-1)!;
  return {
    run: resolve(parent.dir),
    model: parent.meta.model,
    epoch: parent.meta.learner.epoch,
    valid_loss: last.valid_loss,
    vocab: parent.meta.vocab,
  };
}

/**
 * The child's initial weights: the parent's, carried over to the child's vocabulary.
 *
 * @param parent The parent run.
 * @param plan The child's plan (model, sizes, corpus).
 * @returns The weights and the vocabulary overlap.
 */
export function fineTunedWeights(parent: ParentSource, plan: RunPlan): Transferred {
  const make = (vocabSize: number) => plan.entry.create({ ...plan.arch, vocabSize });
  return transferWeights(
    { vocab: parent.meta.vocab, weights: parent.weights },
    plan.entry.create(plan.arch),
    plan.corpus.vocab,
    vocabParameters(make),
  );
}
