/**
 * Writes the exact batches `deno task train lm6` trains on, so that an outside reference (the
 * PyTorch anchor of the GPU run) sees the same tokens in the same order:
 * `deno run -A tools/gpu/dump_batches.ts OUT [--text FILE] [--bs N] [--sl N]`.
 *
 * OUT holds little-endian int32s: vocabulary size, batch size, sequence length, the number of
 * training batches and of validation batches, then each batch's inputs and targets
 * (`bs × sl` each), training batches first. A `--text` is read as `train --text FILE
 * --min-freq 1` reads it.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { findModel } from "../../models/registry.ts";
import { textDefaults } from "../../src/run/corpus.ts";
import type { BatchSource } from "../../src/data/stream_batches.ts";
import { humanNumbersCorpus, ownTextCorpus } from "../lib/run/run_corpus.ts";

const { positionals, values } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: { text: { type: "string" }, bs: { type: "string" }, sl: { type: "string" } },
});
if (positionals.length !== 1) {
  console.error("usage: dump_batches.ts OUT [--text FILE] [--bs N] [--sl N]");
  Deno.exit(2);
}
const entry = findModel("lm6");
const recipe = {
  ...entry.recipe,
  ...(values.bs ? { batchSize: Number(values.bs) } : {}),
  ...(values.sl ? { seqLen: Number(values.sl) } : {}),
};
const corpus = values.text
  ? await ownTextCorpus(
    { text: values.text, tokens: "word", lower: false, ...textDefaults("word"), minFreq: 1 },
    false,
  )
  : humanNumbersCorpus();
const data = corpus.data(recipe, 42);
const all = (s: BatchSource) => Array.from({ length: s.length }, (_, i) => s.batch(i));
const batches = [...all(data.train), ...all(data.valid)];
const n = recipe.batchSize * recipe.seqLen;
const out = new Int32Array(5 + batches.length * 2 * n);
out.set([
  corpus.vocab.length,
  recipe.batchSize,
  recipe.seqLen,
  data.train.length,
  data.valid.length,
]);
batches.forEach((b, i) => {
  if (b.x.length !== n || b.y.length !== n) throw new Error(`batch ${i} is not ${n} tokens`);
  out.set(Array.from(b.x, Number), 5 + 2 * i * n);
  out.set(Array.from(b.y, Number), 5 + (2 * i + 1) * n);
});
await Deno.writeFile(positionals[0]!, new Uint8Array(out.buffer));
console.log(
  `${positionals[0]}: vocab ${corpus.vocab.length}, ${data.train.length} + ${data.valid.length} ` +
    `batches of ${recipe.batchSize}x${recipe.seqLen}`,
);
