import assert from "node:assert/strict";
import { findModel } from "../../models/registry.ts";
import { TransferError, transferWeights, vocabParameters } from "../../src/run/transfer.ts";
import { humanNumbersCorpus } from "../../src/run/corpus.ts";
import { planRun, startRun } from "../../src/run/start_run.ts";

const lm6 = findModel("lm6");
const lm7 = findModel("lm7");

/** Parent weights drawn from a seed, at a vocabulary. */
function parentOf(entry: typeof lm6, vocab: string[]) {
  const model = entry.create({ ...entry.arch, vocabSize: vocab.length });
  const weights = new Map<string, Float32Array>();
  for (const [name, values] of model.initParameters(7)) {
    weights.set(name, Float32Array.from(values));
  }
  return { vocab, weights };
}

Deno.test("vocabParameters finds the rows per token: embedding, decoder weight and bias", () => {
  const make = (e: typeof lm6) => (v: number) => e.create({ ...e.arch, vocabSize: v });
  assert.deepEqual([...vocabParameters(make(lm6))].sort(), [
    "h_o.bias",
    "h_o.weight",
    "i_h.weight",
  ]);
  // LMModel7's decoder shares the embedding's weight: one tensor, listed once.
  assert.deepEqual([...vocabParameters(make(lm7))].sort(), ["h_o.bias", "i_h.weight"]);
});

Deno.test("transferWeights keeps shared tokens' rows bit for bit, new tokens get the mean row", () => {
  const parent = parentOf(lm6, ["xxunk", "xxbos", "one", "two", "three", "."]);
  const vocab = ["xxunk", "xxbos", "three", ",", "one", "four"];
  const child = lm6.create({ ...lm6.arch, vocabSize: vocab.length });
  const perToken = vocabParameters((v) => lm6.create({ ...lm6.arch, vocabSize: v }));
  const t = transferWeights(parent, child, vocab, perToken);
  assert.deepEqual([t.shared, t.added, t.dropped], [4, 2, 2]);
  for (const [name, p] of child.namedParameters()) {
    const got = t.init.get(name)!;
    const was = parent.weights.get(name)!;
    assert.equal(got.length, p.size, name);
    if (!perToken.has(name)) {
      assert.deepEqual(got, was, `${name} is copied whole`);
      assert.notEqual(got, was, "a copy, never the parent's array");
      continue;
    }
    const row = p.size / vocab.length;
    const rowOf = (w: Float32Array, i: number) => w.subarray(i * row, (i + 1) * row);
    vocab.forEach((token, i) => {
      const j = parent.vocab.indexOf(token);
      if (j >= 0) {
        assert.deepEqual(rowOf(got, i), rowOf(was, j), `${name}: "${token}" keeps its row`);
      } else {
        for (let k = 0; k < row; k++) {
          let mean = 0;
          for (let r = 0; r < parent.vocab.length; r++) mean += rowOf(was, r)[k];
          mean /= parent.vocab.length;
          assert.ok(
            Math.abs(rowOf(got, i)[k] - mean) < 1e-6,
            `${name}: "${token}" is the mean row`,
          );
        }
      }
    });
  }
});

Deno.test("transferWeights names a parameter of another size", () => {
  const parent = parentOf(lm6, ["a", "b", "c"]);
  const wide = lm6.create({ ...lm6.arch, hidden: 32, vocabSize: 3 });
  const perToken = vocabParameters((v) => lm6.create({ ...lm6.arch, hidden: 32, vocabSize: v }));
  assert.throws(
    () => transferWeights(parent, wide, ["a", "b", "c"], perToken),
    (e) =>
      e instanceof TransferError &&
      /parameter "[^"]+" has \d+ values in the parent run/.test(e.message),
  );
});

Deno.test("a learner started from transferred weights holds them bit for bit before its first step", async () => {
  const corpus = humanNumbersCorpus();
  const plan = planRun({
    entry: lm6,
    corpus,
    sizes: {},
    epochs: 1,
    lrMax: 1e-2,
    seed: 1,
    device: "cpu",
  });
  const parent = parentOf(lm6, [...corpus.vocab].reverse()); // the same tokens, other ids
  const perToken = vocabParameters((v) => lm6.create({ ...plan.arch, vocabSize: v }));
  const t = transferWeights(parent, lm6.create(plan.arch), corpus.vocab, perToken);
  assert.deepEqual([t.shared, t.added], [corpus.vocab.length, 0]);
  const learner = await startRun(plan, { init: t.init });
  try {
    const held = learner.runner.tensors();
    for (const [name, values] of t.init) {
      assert.deepEqual(held.get(name)!.data, values, name);
    }
  } finally {
    await learner.release();
  }
});
