import assert from "node:assert/strict";
import { sampleCount, streamBatches } from "../../src/data/stream_batches.ts";
import { CorpusSizeError, fitLayout, fitRecipe } from "../../src/run/short_text.ts";
import { findModel } from "../../models/registry.ts";

const lm6 = findModel("lm6").recipe; // sequence, bs 64, sl 16
const lm7 = findModel("lm7").recipe; // TAR: rows of at least 2 tokens
const sources = { train: "a.txt", valid: "b.txt" };

Deno.test("fitLayout: the recipe's batches, else fewer rows, else one shorter row", () => {
  assert.deepEqual(fitLayout(64 * 16 + 2, "sequence", 64, 16), { rows: 64, seqLen: 16 });
  assert.deepEqual(fitLayout(300, "sequence", 64, 16), { rows: 18, seqLen: 16 });
  assert.deepEqual(fitLayout(17, "sequence", 64, 16), { rows: 1, seqLen: 15 });
  assert.deepEqual(fitLayout(3, "sequence", 64, 16), { rows: 1, seqLen: 1 });
  assert.equal(fitLayout(2, "sequence", 64, 16), undefined);
  assert.equal(fitLayout(3, "sequence", 64, 16, 2), undefined);
  assert.deepEqual(fitLayout(20, "three-token-stateful", 64, 3), { rows: 6, seqLen: 3 });
  assert.equal(fitLayout(4, "three-token", 64, 3), undefined, "three tokens and a target");
  // Every layout it gives forms at least one batch of that many rows.
  for (let n = 3; n < 2000; n += 7) {
    const l = fitLayout(n, "sequence", 64, 16)!;
    assert.ok(sampleCount(n, "sequence", l.seqLen) >= l.rows, `n ${n}`);
    const batches = streamBatches(new Int32Array(n), {
      data: "sequence",
      bs: l.rows,
      sl: l.seqLen,
    });
    assert.ok(batches.length >= 1, `n ${n}`);
    assert.deepEqual(batches.batch(0).xDims, [l.rows, l.seqLen]);
  }
});

Deno.test("fitRecipe keeps a recipe that fits and notes an epoch of few batches", () => {
  const big = fitRecipe(lm6, { train: 100_000, valid: 10_000 }, sources);
  assert.deepEqual(big, { recipe: lm6, notes: [] });
  const small = fitRecipe(lm6, { train: 2700, valid: 300 }, sources);
  assert.deepEqual(small.recipe, lm6);
  assert.deepEqual(small.notes, [
    "note: only 2 training batches per epoch, so the one-cycle schedule takes few steps; --bs 16 gives 10 per epoch",
    "note: the validation text has 300 tokens: validating on 18 rows of 16 tokens",
  ]);
});

Deno.test("fitRecipe lowers bs, then sl, for a training text shorter than one batch", () => {
  const rows = fitRecipe(lm6, { train: 500, valid: 100 }, sources);
  assert.equal(rows.recipe.batchSize, 31);
  assert.equal(rows.recipe.seqLen, 16);
  assert.match(
    rows.notes[0],
    /makes 31 sequences of 16 tokens, fewer than --bs 64: training on batches of 31 rows/,
  );
  const short = fitRecipe(lm7, { train: 10, valid: 4 }, sources);
  assert.equal(short.recipe.batchSize, 1);
  assert.equal(short.recipe.seqLen, 8);
  assert.match(short.notes[0], /fewer than one row of --sl 16: training on one row of 8 tokens/);
  assert.match(short.notes.at(-1)!, /validating on 1 row of 2 tokens/);
});

Deno.test("fitRecipe refuses only a split that cannot form one sample, naming it", () => {
  assert.throws(
    () => fitRecipe(lm6, { train: 2, valid: 100 }, sources),
    (e) =>
      e instanceof CorpusSizeError &&
      e.message ===
        "the training text has 2 tokens, too few for one sample: at least 3 are needed (a.txt)",
  );
  assert.throws(
    () => fitRecipe(lm7, { train: 100, valid: 3 }, sources),
    (e) =>
      e instanceof CorpusSizeError &&
      e.message ===
        "the validation text has 3 tokens, too few for one sample: at least 4 are needed (b.txt)",
  );
});
