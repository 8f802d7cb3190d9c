import assert from "node:assert/strict";
import { GRUModel } from "../../models/gru_model.ts";
import { LMModel1 } from "../../models/lm_model1.ts";
import { LMModel2 } from "../../models/lm_model2.ts";
import { LMModel3 } from "../../models/lm_model3.ts";
import { LMModel4 } from "../../models/lm_model4.ts";
import { LMModel5 } from "../../models/lm_model5.ts";
import { LMModel6 } from "../../models/lm_model6.ts";
import { LMModel7 } from "../../models/lm_model7.ts";
import { GPT } from "../../models/gpt.ts";
import { ALIASES, findModel, MODELS, type Recipe } from "../../models/registry.ts";

const NAMES = ["lm1", "lm2", "lm3", "lm4", "lm5", "lm6", "lm7", "gru", "gpt"];

Deno.test("findModel() resolves every name to its own entry", () => {
  assert.deepEqual(MODELS.map((m) => m.name), NAMES);
  for (const name of NAMES) assert.equal(findModel(name), MODELS.find((m) => m.name === name));
});

Deno.test("findModel() resolves the aliases rnn, lstm and awd-lstm", () => {
  assert.deepEqual(ALIASES, { rnn: "lm5", lstm: "lm6", "awd-lstm": "lm7" });
  assert.equal(findModel("rnn").name, "lm5");
  assert.equal(findModel("lstm").name, "lm6");
  assert.equal(findModel("awd-lstm").name, "lm7");
});

Deno.test("findModel() rejects unknown names, listing the valid ones", () => {
  const valid = "lm1, lm2, lm3, lm4, lm5, lm6, lm7, gru, gpt, rnn, lstm, awd-lstm";
  for (const name of ["lm8", "LM1", "", "toString", "constructor"]) {
    assert.throws(() => findModel(name), {
      message: `Unknown model "${name}": expected one of ${valid}`,
    });
  }
});

Deno.test("create() builds a fresh model of the book's class", () => {
  const classes = [
    LMModel1,
    LMModel2,
    LMModel3,
    LMModel4,
    LMModel5,
    LMModel6,
    LMModel7,
    GRUModel,
    GPT,
  ];
  MODELS.forEach((entry, i) => {
    const [a, b] = [entry.create(), entry.create()];
    assert.ok(a instanceof classes[i], `${entry.name} is ${classes[i].name}`);
    assert.notEqual(a, b, `${entry.name}: a new model per call`);
    assert.notEqual(a.namedParameters()[0][1], b.namedParameters()[0][1], "new parameters");
  });
});

const DEFAULT_MOMS: Recipe["moms"] = [0.95, 0.85, 0.95];
const three = (epochs: number, lrMax: number, data: Recipe["data"] = "three-token"): Recipe => ({
  data,
  epochs,
  lrMax,
  wd: 0.01,
  moms: DEFAULT_MOMS,
  batchSize: 64,
  seqLen: 3,
});
const sequence = (epochs: number, lrMax: number): Recipe => ({
  data: "sequence",
  epochs,
  lrMax,
  wd: 0.01,
  moms: DEFAULT_MOMS,
  batchSize: 64,
  seqLen: 16,
});

/** BOOK.md, "Results to reproduce" and "Training recipe". */
const BOOK: Record<string, { recipe: Recipe; accuracy: number | undefined }> = {
  lm1: { recipe: three(4, 1e-3), accuracy: 0.494 },
  lm2: { recipe: three(4, 1e-3), accuracy: 0.470 },
  lm3: { recipe: three(10, 3e-3, "three-token-stateful"), accuracy: 0.589 },
  lm4: { recipe: sequence(15, 3e-3), accuracy: 0.640 },
  lm5: { recipe: sequence(15, 3e-3), accuracy: 0.488 },
  lm6: { recipe: sequence(15, 1e-2), accuracy: 0.758 },
  lm7: {
    recipe: { ...sequence(15, 1e-2), wd: 0.1, moms: [0.8, 0.7, 0.8], ar: 2, tar: 1 },
    accuracy: 0.869,
  },
  gru: { recipe: sequence(15, 1e-2), accuracy: undefined },
  // nanoGPT's shakespeare_char config at its README's CPU "baby GPT" settings (batch 12, block
  // 64, max_iters = lr_decay_iters = 2000, dropout 0): AdamW lr 1e-3, betas (0.9, 0.99), eps
  // 1e-8 (PyTorch's), weight decay 0.1, grad_clip 1.0, warmup_iters 100, min_lr 1e-4,
  // eval_interval 250.
  gpt: {
    recipe: {
      data: "windows",
      batchSize: 12,
      seqLen: 64,
      epochs: 8,
      lrMax: 1e-3,
      wd: 0.1,
      moms: [0.9, 0.9, 0.9],
      sqrMom: 0.99,
      eps: 1e-8,
      clip: 1,
      schedule: { kind: "warmup-cosine", steps: 2000, warmup: 100, lrMin: 1e-4, evalEvery: 250 },
    },
    accuracy: undefined,
  },
};

Deno.test("every recipe matches BOOK.md's results table and fastai defaults", () => {
  for (const entry of MODELS) {
    const book = BOOK[entry.name];
    assert.deepEqual({ ...entry.recipe }, book.recipe, entry.name);
    assert.equal(entry.bookAccuracy, book.accuracy, `${entry.name} book accuracy`);
    assert.ok(entry.target > 0.152, `${entry.name} beats the "thousand" baseline`);
    assert.ok(entry.description.length > 0);
  }
});
