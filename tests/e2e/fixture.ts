/**
 * Model fixtures for the web page's tests: one of the book's models trained briefly
 * (seeded), exported with the real exporter (`exportModel`) into a models directory.
 *
 * @module
 */

import { findModel } from "../../models/registry.ts";
import { humanNumbers } from "../../src/data/pipelines.ts";
import { exportModel, type Sidecar } from "../../src/export/mod.ts";
import { Learner } from "../../src/train/learner.ts";

/**
 * Trains `model` for `epochs` epochs and writes `<model>.onnx` + `<model>.json` into `dir`.
 *
 * @param dir Models directory (created when missing).
 * @param model Registry name (`lm6`, `lm1`, ...).
 * @param epochs Epochs of the model's one-cycle recipe (short: a fixture, not a result).
 * @param seed Seed for initialization and dropout.
 * @returns The sidecar.
 */
export async function exportFixture(
  dir: string,
  model: string,
  epochs: number,
  seed = 42,
): Promise<Sidecar> {
  const entry = findModel(model);
  const lm = entry.create();
  const learner = await Learner.create(lm, entry.recipe, { seed, session: { threads: 1 } });
  let weights: Map<string, Float32Array>;
  try {
    await learner.fit(epochs, entry.recipe.lrMax);
    const tensors = learner.runner.tensors();
    weights = new Map(
      lm.namedParameters().map(([key]) => [key, tensors.get(key)!.data as Float32Array]),
    );
  } finally {
    await learner.release();
  }
  const last = learner.history.at(-1)!;
  const { sidecar, files } = exportModel(lm, weights, {
    name: entry.name,
    description: entry.description,
    vocab: humanNumbers().vocab.words,
    metrics: { accuracy: last.accuracy, valid_loss: last.valid_loss, epochs },
    recipe: entry.recipe,
    seed,
    context: entry.recipe.seqLen === 3 ? 3 : 1,
  });
  await Deno.mkdir(dir, { recursive: true });
  for (const [name, bytes] of files) await Deno.writeFile(`${dir}/${name}`, bytes);
  return sidecar;
}
