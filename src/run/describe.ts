/**
 * How a run names itself in its report, its artifacts and its export: one line on what it is,
 * the corpus it read, and the runtime that trained it. The CLI and the page share these, so a
 * run trained in the browser reads like one trained by `deno task train`.
 *
 * @module
 */

import { describeSoftmax } from "../nn/adaptive_softmax.ts";
import type { Architecture, Recipe } from "../train/recipe.ts";
import { scheduleFloor } from "../train/steps_schedule.ts";
import type { RunMeta } from "../train/run_meta.ts";

/** What the registry says about the run's model. */
export interface ModelFacts {
  /** One line on the model and its book recipe (`LMModel6: ...`). */
  readonly description: string;
  /** The book's sizes. */
  readonly arch: Architecture;
  /** The book's recipe. */
  readonly recipe: Recipe;
}

/**
 * What a run is, in one line: the registry's description for the book's Human Numbers runs;
 * the model, corpus and sizes for one's own text (the registry's recipe text would be wrong).
 *
 * @param meta The run's metadata.
 * @param entry The registry's facts about its model.
 * @param options `schedule`: also describe a book-sized run whose epochs or lr differ from the
 *   recipe's (for exports).
 * @returns The line (the report's subtitle and the export's description).
 */
export function runDescription(
  meta: Omit<RunMeta, "learner">,
  entry: ModelFacts,
  options: { schedule?: boolean } = {},
): string {
  const a = meta.arch;
  const book = entry.arch;
  const sameSize = a.hidden === book.hidden && a.layers === book.layers &&
    a.dropout === book.dropout && meta.recipe.batchSize === entry.recipe.batchSize &&
    meta.recipe.seqLen === entry.recipe.seqLen && !a.softmax &&
    JSON.stringify(a.gpt) === JSON.stringify(book.gpt);
  // The training artifacts keep the registry's text for the book's sizes (their bytes stay
  // those of before); an export also says when the schedule was not the recipe's.
  const sameSchedule = !options.schedule ||
    (meta.epochs === entry.recipe.epochs && meta.lrMax === entry.recipe.lrMax &&
      JSON.stringify(meta.recipe.schedule) === JSON.stringify(entry.recipe.schedule));
  if (meta.corpus.kind === "human-numbers" && sameSize && sameSchedule) return entry.description;
  const kind = entry.description.slice(0, entry.description.indexOf(":"));
  // The corpus by its base name: an export's description travels, a home directory should not.
  const corpus = meta.corpus.kind === "text"
    ? `${meta.corpus.text.replace(/\/+$/, "").split("/").at(-1)} (${meta.tokenizer.mode} tokens)`
    : "Human Numbers";
  return `${kind} on ${corpus}: vocabulary ${a.vocabSize}, ${describeSize(a)}; ` +
    `${describeSchedule(meta.recipe, meta.epochs, meta.lrMax)} at bs ${meta.recipe.batchSize}` +
    (a.gpt ? "" : `, sl ${meta.recipe.seqLen}`);
}

/**
 * A model's sizes in words.
 *
 * @param a The architecture.
 * @returns `hidden 64, 2 layers[, dropout P][, adaptive softmax ...]`, or a GPT's `embd 128,
 *   4 layers, 4 heads, block 64[, dropout P][, biases]`.
 */
export function describeSize(a: Architecture): string {
  const layers = `${a.layers} layer${a.layers === 1 ? "" : "s"}`;
  const dropout = a.dropout ? `, dropout ${a.dropout}` : "";
  if (a.gpt) {
    return `embd ${a.hidden}, ${layers}, ${a.gpt.heads} head${a.gpt.heads === 1 ? "" : "s"}, ` +
      `block ${a.gpt.block}${dropout}${a.gpt.bias ? ", biases" : ""}`;
  }
  return `hidden ${a.hidden}, ${layers}${dropout}${
    a.softmax ? `, ${describeSoftmax(a.softmax)}` : ""
  }`;
}

/**
 * A run's schedule in words.
 *
 * @param recipe The recipe (its steps schedule, optimizer settings).
 * @param epochs The run's epochs.
 * @param lrMax Its peak learning rate.
 * @returns `fit_one_cycle(15, 0.01)`, or nanoGPT's `2000 steps of AdamW(0.9, 0.99) at lr
 *   0.001, warmup 100, cosine to 0.0001, clip 1`.
 */
export function describeSchedule(recipe: Recipe, epochs: number, lrMax: number): string {
  const s = recipe.schedule;
  if (!s) return `fit_one_cycle(${epochs}, ${lrMax})`;
  return `${s.steps} steps of AdamW(${recipe.moms[0]}, ${recipe.sqrMom ?? 0.99}) at lr ` +
    `${lrMax}, warmup ${s.warmup}, cosine to ${scheduleFloor(recipe, lrMax)}` +
    (recipe.clip !== undefined ? `, clip ${recipe.clip}` : "");
}

const PROVIDERS: Readonly<Record<RunMeta["device"], string>> = {
  cpu: "CPU",
  cuda: "CUDA",
  webgpu: "WebGPU",
  wasm: "wasm",
};

/**
 * The runtime line of a report.
 *
 * @param backend The onnxruntime build (`onnxruntime-node 1.30.0`).
 * @param device The execution provider.
 * @returns `onnxruntime-node 1.30.0, CPU execution provider`.
 */
export function runtimeName(backend: string, device: RunMeta["device"]): string {
  return `${backend}, ${PROVIDERS[device]} execution provider`;
}

/**
 * The corpus line of a report.
 *
 * @param meta The run's metadata.
 * @returns `Human Numbers`, or the text, its tokens and split sizes.
 */
export function corpusLine(meta: Omit<RunMeta, "learner">): string {
  const c = meta.corpus;
  if (c.kind === "human-numbers") return "Human Numbers";
  const rules = meta.tokenizer.rules ? ` (${meta.tokenizer.rules} rules)` : "";
  return `${c.text}${
    c.valid ? ` (valid ${c.valid})` : ""
  }, ${meta.tokenizer.mode} tokens${rules}, ` +
    `${c.tokens.train} train / ${c.tokens.valid} valid`;
}
