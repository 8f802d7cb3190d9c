import assert from "node:assert/strict";
import { findModel } from "../../models/registry.ts";
import { SizeError } from "../../models/sizing.ts";
import { CorpusSizeError, humanNumbersCorpus } from "../../src/run/corpus.ts";
import { planRun, startRun } from "../../src/run/start_run.ts";
import { Learner } from "../../src/train/learner.ts";

const lm6 = findModel("lm6");
const base = {
  corpus: humanNumbersCorpus(),
  epochs: 1,
  lrMax: 1e-2,
  seed: 3,
  device: "cpu" as const,
};

Deno.test("planRun applies sizes, checks them and the corpus, and builds nothing", () => {
  const plan = planRun({ ...base, entry: lm6, sizes: { hidden: 32, batchSize: 16 } });
  assert.equal(plan.arch.hidden, 32);
  assert.equal(plan.arch.vocabSize, 30); // the corpus's vocabulary
  assert.equal(plan.recipe.batchSize, 16);
  assert.equal(plan.info.meta.model, "lm6");
  assert.equal(plan.info.meta.device, "cpu");
  assert.equal(plan.data.train.batch(0).xDims[0], 16);
  assert.throws(
    () => planRun({ ...base, entry: findModel("lm1"), sizes: { layers: 2 } }),
    (e) => e instanceof SizeError && /--layers does not apply to lm1/.test(e.message),
  );
  assert.throws(
    () => planRun({ ...base, entry: lm6, sizes: { batchSize: 4096 } }),
    (e) => e instanceof CorpusSizeError && /--bs 4096/.test(e.message),
  );
});

Deno.test("planRun takes a resumed run's recorded sizes as they are", () => {
  const recorded = { arch: { ...lm6.arch, hidden: 24 }, recipe: { ...lm6.recipe, seqLen: 8 } };
  const plan = planRun({ ...base, entry: lm6, sizes: { hidden: 999 }, recorded });
  assert.deepEqual(plan.arch, recorded.arch);
  assert.deepEqual(plan.recipe, recorded.recipe);
});

Deno.test("startRun gives the learner Learner.create gives: same batches, same first step", async () => {
  const plan = planRun({ ...base, entry: lm6 });
  const a = await startRun(plan);
  const b = await Learner.create(lm6.create(lm6.arch), lm6.recipe, { seed: 3 });
  try {
    assert.equal(a.train.length, b.train.length);
    const step = (l: Learner, i: number) => l.runner.trainStep(l.train.batch(i), 1e-3, 0.9);
    for (let i = 0; i < 2; i++) {
      const [la, lb] = [await step(a, i), await step(b, i)];
      assert.ok(Number.isFinite(la) && la > 0, `loss ${la}`);
      assert.equal(la, lb); // the same bits: same weights, batches and graphs
    }
  } finally {
    await a.release();
    await b.release();
  }
});
