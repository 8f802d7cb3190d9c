// The book's recurrent models with an adaptive softmax (`--softmax adaptive`): their grad
// artifacts by finite differences on every parameter element, the eval graph against the infer
// graph's log-probabilities, a learner that trains one far above the baseline, sizing, and the
// architecture as a checkpoint records it.
import assert from "node:assert/strict";
import { findModel } from "../../models/registry.ts";
import { sizedModel, SizeError } from "../../models/sizing.ts";
import { readSizes } from "../../models/sizing.ts";
import { ContractError, Fields } from "../../src/contract/fields.ts";
import { streamBatches } from "../../src/data/stream_batches.ts";
import { type Graph, saveGraph } from "../../src/graph/mod.ts";
import { defaultCutoffs } from "../../src/nn/adaptive_softmax.ts";
import type { LanguageModel } from "../../src/nn/language_model.ts";
import type { Tensor } from "../../src/onnx/mod.ts";
import { Session } from "../../src/runtime/session.ts";
import { type ArtifactOptions, buildArtifacts } from "../../src/train/artifacts.ts";
import { Learner } from "../../src/train/learner.ts";
import { readArch } from "../../src/train/run_meta.ts";
import type { Architecture } from "../../src/train/recipe.ts";
import { checkGradArtifact } from "../helpers/grad_artifact_fd.ts";
import { artifactFeeds, runArtifact, successorChain } from "../helpers/artifact_feeds.ts";
import { type ModelToCheck, referenceCheckTest } from "../helpers/onnx_checker.ts";

const SOFTMAX = { kind: "adaptive", cutoffs: [3, 7], divValue: 2 } as const;

/** A small model of the registry with an adaptive softmax over 11 tokens. */
function small(name: string, extra: Partial<Architecture> = {}): LanguageModel {
  const entry = findModel(name);
  return entry.create({
    ...entry.arch,
    vocabSize: 11,
    hidden: 4,
    layers: 1,
    softmax: SOFTMAX,
    ...extra,
  });
}

/** float64 feeds of a graph of `model`; targets in the shortlist and both clusters. */
const feedsFor = (
  model: LanguageModel,
  a: ReturnType<typeof buildArtifacts>,
  batch: number,
  seqLen: number,
) =>
  artifactFeeds(model, a.spec, batch, seqLen, {
    seed: 7,
    initSeed: 3,
    target: (i) => [1, 5, 9, 0, 10][i % 5],
  });

const pick = (feeds: Record<string, Tensor>, names: readonly string[]) =>
  Object.fromEntries(names.map((n) => [n, feeds[n]]));

const checked: ModelToCheck[] = [];
const opTypes = (g: Graph) => new Set(g.nodes.map((n) => n.opType));

for (
  const [name, options] of [
    ["lm5", {}],
    ["lm6", {}],
    ["lm7", { ar: 2, tar: 1 }],
    ["gru", {}],
    ["lm7", { ar: 2, tar: 1, lossChunk: 1 }],
    ["gru", { lossChunk: 1 }],
  ] as const
) {
  const how = "lossChunk" in options ? " (in chunks)" : "";
  Deno.test(`${name} with an adaptive softmax${how}: every gradient element matches finite differences`, async () => {
    const model = small(name, name === "lm7" ? { dropout: 0.4 } : {});
    const names = model.namedParameters().map(([n]) => n);
    assert.ok(names.includes("h_o.head.weight") && names.includes("h_o.tail.1.1.weight"));
    assert.ok(!names.includes("h_o.weight"), "no linear decoder");
    const artifactOptions: ArtifactOptions = {
      batchSize: 2,
      seqLen: 3,
      dtype: "float64",
      ...options,
    };
    const a = buildArtifacts(model, { lossChunk: 0, ...artifactOptions });
    assert.equal(opTypes(a.grad).has("Loop"), how !== "");
    const feeds = feedsFor(model, a, 2, 3);
    const session = await Session.create(saveGraph(a.grad), { threads: 1 });
    try {
      const out = await session.run(pick(feeds, a.grad.inputs.map((v) => v.name)));
      const elements = await checkGradArtifact(session, feeds, a.spec.params, out);
      assert.equal(elements, model.namedParameters().reduce((n, [, p]) => n + p.size, 0));
    } finally {
      await session.release();
    }
  });
}

Deno.test("the eval graph's loss and hits are the infer graph's normalized log-probabilities at the targets", async () => {
  const model = small("lm6");
  const a = buildArtifacts(model, { batchSize: 3, seqLen: 4, dtype: "float64" });
  const feeds = feedsFor(model, a, 3, 4);
  const run = async (g: typeof a.eval) => {
    const session = await Session.create(saveGraph(g), { threads: 1 });
    try {
      return await session.run(pick(feeds, g.inputs.map((v) => v.name)));
    } finally {
      await session.release();
    }
  };
  const [evaluated, inferred] = [await run(a.eval), await run(a.infer)];
  const logp = inferred.logits.data as Float64Array;
  const targets = feeds.targets.data as BigInt64Array;
  assert.deepEqual(inferred.logits.dims, [3, 4, 11]);
  let nll = 0, hits = 0;
  for (let r = 0; r < 12; r++) {
    const row = logp.subarray(r * 11, (r + 1) * 11);
    const sum = row.reduce((s, v) => s + Math.exp(v), 0);
    assert.ok(Math.abs(sum - 1) < 1e-12, `row ${r} sums to ${sum}`);
    const t = Number(targets[r]);
    nll -= row[t];
    if (row.indexOf(Math.max(...row)) === t) hits++;
  }
  const lossSum = (evaluated.loss_sum.data as Float64Array)[0];
  assert.ok(Math.abs(lossSum - nll) < 1e-12 * nll, `loss_sum ${lossSum} vs ${nll}`);
  assert.equal((evaluated.correct.data as Float64Array)[0], hits);
});

/** Runs one graph once, keeping its bytes for the reference checker. */
const runOnce = (label: string, g: Graph, feeds: Record<string, Tensor>) =>
  runArtifact(label, g, feeds, checked);

const close = (label: string, got: Tensor, want: Tensor) => {
  assert.deepEqual(got.dims, want.dims, label);
  const g = got.data as Float64Array, w = want.data as Float64Array;
  const scale = Math.max(...Array.from(w, Math.abs), 1e-300);
  for (let i = 0; i < w.length; i++) {
    assert.ok(Math.abs(g[i] - w[i]) <= 1e-12 * scale, `${label}[${i}]: ${g[i]} vs ${w[i]}`);
  }
};

Deno.test("the adaptive softmax's chunked loss, gradients and eval sums equal the one-piece ones at every chunk size (float64)", async () => {
  for (const name of ["lm6", "lm7"]) {
    const model = small(name, name === "lm7" ? { dropout: 0.3 } : {});
    const options: ArtifactOptions = {
      batchSize: 3,
      seqLen: 6,
      dtype: "float64",
      ...(name === "lm7" ? { ar: 2, tar: 1 } : {}),
    };
    const whole = buildArtifacts(model, { ...options, lossChunk: 0 });
    assert.ok(!opTypes(whole.grad).has("Loop") && !opTypes(whole.eval).has("Loop"));
    const feeds = feedsFor(model, whole, 3, 6);
    const want = await runOnce(`${name} one-piece grad`, whole.grad, feeds);
    // The eval graph at another batch size (its batch is symbolic).
    const evalFeeds = feedsFor(model, whole, 5, 6);
    const wantEval = await runOnce(`${name} one-piece eval`, whole.eval, evalFeeds);
    for (const steps of [1, 2, 3, 6]) {
      const a = buildArtifacts(model, { ...options, lossChunk: steps });
      assert.ok(opTypes(a.grad).has("Loop") && opTypes(a.eval).has("Loop"));
      const got = await runOnce(`${name} grad, ${steps} steps a chunk`, a.grad, feeds);
      for (const key of Object.keys(want)) {
        close(`${name}, ${steps} steps: ${key}`, got[key], want[key]);
      }
      const gotEval = await runOnce(`${name} eval, ${steps} steps a chunk`, a.eval, evalFeeds);
      close(`${name} eval, ${steps} steps: loss_sum`, gotEval.loss_sum, wantEval.loss_sum);
      assert.deepEqual(gotEval.correct.data, wantEval.correct.data);
    }
  }
});

Deno.test("built for WebGPU (log-softmaxes from basic ops), the adaptive softmax's loss and gradients are the same (float64)", async () => {
  const model = small("lm7", { dropout: 0.3 });
  const options: ArtifactOptions = { batchSize: 2, seqLen: 4, dtype: "float64", ar: 2, tar: 1 };
  const cpu = buildArtifacts(model, options);
  const gpu = buildArtifacts(model, { ...options, webgpu: true });
  assert.ok(opTypes(cpu.grad).has("LogSoftmax") && !opTypes(gpu.grad).has("LogSoftmax"));
  const feeds = feedsFor(model, cpu, 2, 4);
  const [want, got] = [
    await runOnce("lm7 adaptive grad", cpu.grad, feeds),
    await runOnce("lm7 adaptive grad (webgpu ops)", gpu.grad, feeds),
  ];
  for (const key of Object.keys(want)) close(`webgpu ops: ${key}`, got[key], want[key]);
});

Deno.test("a float32 learner trains lm6 with an adaptive softmax far above the baseline", async () => {
  const entry = findModel("lm6");
  const { arch, recipe } = sizedModel(entry, {
    vocabSize: 300,
    hidden: 32,
    layers: 1,
    batchSize: 8,
    seqLen: 8,
    softmax: "adaptive",
    // One cluster of half the tokens, projected to 8 features: enough to tell a token's
    // successor apart. (A 2-feature tail, as a second cluster here would get, cannot: an
    // adaptive softmax assumes its rare clusters are rarely the answer, as in a Zipf text.)
    cutoffs: [150],
  });
  // Mostly a fixed successor: a model that learns it predicts 80% of the tokens.
  const ids = successorChain(6000, 300, 3);
  const cut = 5200;
  const batches = (from: number, to: number) =>
    streamBatches(ids.subarray(from, to), { data: "sequence", bs: 8, sl: 8 });
  const fit = async (lossChunk: number) => {
    const learner = await Learner.create(entry.create(arch), { ...recipe, lrMax: 3e-2 }, {
      seed: 2,
      data: { train: batches(0, cut), valid: batches(cut, ids.length) },
      lossChunk,
    });
    try {
      assert.equal(opTypes(learner.artifacts.train).has("Loop"), lossChunk > 0);
      return await learner.fit(12);
    } finally {
      await learner.release();
    }
  };
  const [whole, chunked] = [await fit(0), await fit(2)];
  const last = whole.at(-1)!;
  // No token is 1% of this text; the chain gives 80% to a model (the full softmax reaches
  // 0.74 here, this one 0.78).
  assert.ok(last.accuracy > 0.7, `accuracy ${last.accuracy}`);
  assert.ok(last.valid_loss < whole[0].valid_loss, "the validation loss falls");
  // In chunks: the same sums in another order. Float32 rounding apart, the two runs drift
  // (1e-3 by epoch 5 at this learning rate); the first two agree within 3e-8 here.
  whole.slice(0, 2).forEach((row, i) => {
    for (const key of ["train_loss", "valid_loss"] as const) {
      const [a, b] = [chunked[i][key], row[key]];
      assert.ok(Math.abs(a - b) <= 1e-6 * Math.abs(b), `epoch ${i} ${key}: ${a} vs ${b}`);
    }
  });
  assert.ok(chunked.at(-1)!.accuracy > 0.7, `in chunks: accuracy ${chunked.at(-1)!.accuracy}`);
});

Deno.test("sizing: --softmax adaptive with its cutoffs, defaults, and the refusals", () => {
  const lm7 = findModel("lm7");
  const { arch } = sizedModel(lm7, { vocabSize: 60_000, hidden: 256, softmax: "adaptive" });
  assert.deepEqual(arch.softmax, { kind: "adaptive", cutoffs: [2000, 10000], divValue: 4 });
  assert.equal(arch.tied, false, "an adaptive softmax unties lm7's decoder");
  assert.equal(sizedModel(lm7, { vocabSize: 60_000 }).arch.softmax, undefined);
  assert.deepEqual(defaultCutoffs(10_000, 64), [2000]);
  assert.deepEqual(defaultCutoffs(100_000, 64), [2000, 10000, 50000]);
  // No more clusters than leave the last tail a feature: 32 / 4^3 < 1.
  assert.deepEqual(defaultCutoffs(100_000, 32), [2000, 10000]);
  assert.deepEqual(defaultCutoffs(100_000, 3), [2000]);
  assert.deepEqual(defaultCutoffs(30, 64), [6]);
  assert.deepEqual(
    sizedModel(lm7, { vocabSize: 100_000, hidden: 32, softmax: "adaptive" }).arch.softmax?.cutoffs,
    [2000, 10000],
  );
  // A saved architecture asking lm1 for an adaptive softmax is refused, not built without it.
  assert.throws(
    () => findModel("lm1").create({ ...findModel("lm1").arch, softmax: arch.softmax }),
    /lm1 has no adaptive softmax \(lm5, lm6, lm7 and gru take one\): the architecture asks for adaptive softmax \(cutoffs 2000, 10000\)/,
  );
  const refused = (overrides: Parameters<typeof sizedModel>[1], message: RegExp, model = "lm6") =>
    assert.throws(() => sizedModel(findModel(model), overrides), (e: Error) => {
      assert.ok(e instanceof SizeError, e.message);
      assert.match(e.message, message);
      return true;
    });
  refused({ softmax: "adaptive" }, /does not apply to lm1/, "lm1");
  refused({ cutoffs: [10] }, /--cutoffs needs --softmax adaptive/);
  refused(
    { vocabSize: 100, softmax: "adaptive", cutoffs: [50, 20] },
    /--cutoffs 50,20 at hidden 64: cutoffs must be increasing integers from 1 to 99/,
  );
  refused({ vocabSize: 100, softmax: "adaptive", cutoffs: [100] }, /from 1 to 99.*got \[100\]/);
  refused(
    { vocabSize: 100, hidden: 8, softmax: "adaptive", cutoffs: [10, 20] },
    /8 \/ 4\^2 < 1/,
  );
  assert.deepEqual(readSizes({ softmax: "adaptive", cutoffs: "2000, 10000" }, "--"), {
    softmax: "adaptive",
    cutoffs: [2000, 10000],
  });
  assert.throws(
    () => readSizes({ softmax: "fast" }, "--"),
    /--softmax must be one of full, adaptive: got "fast"/,
  );
  for (const bad of ["", "2000,", "a", "0", "1.5"]) {
    assert.throws(() => readSizes({ cutoffs: bad }, "--"), /--cutoffs must be token ids/, bad);
  }
});

Deno.test("an architecture's adaptive softmax is read back, and one that cannot be built is named", () => {
  const arch = { vocabSize: 100, hidden: 64, layers: 2, dropout: 0, tied: false };
  const read = (value: unknown) => readArch(Fields.root("run.json", value, "an architecture"));
  assert.deepEqual(read(arch), arch);
  const adaptive = { ...arch, softmax: { kind: "adaptive", cutoffs: [20, 50], divValue: 4 } };
  assert.deepEqual(read(adaptive), adaptive);
  for (
    const [softmax, message] of [
      [{ kind: "sampled", cutoffs: [20], divValue: 4 }, /"softmax.kind" must be one of "adaptive"/],
      [
        { kind: "adaptive", cutoffs: [20, 200], divValue: 4 },
        /"softmax" is not an adaptive softmax of this model: cutoffs must be increasing integers from 1 to 99/,
      ],
      [{ kind: "adaptive", cutoffs: ["20"], divValue: 4 }, /cutoffs must be numbers/],
      [
        { kind: "adaptive", cutoffs: [20], divValue: 0 },
        /"softmax.divValue" must be an integer >= 1/,
      ],
    ] as const
  ) {
    assert.throws(() => read({ ...arch, softmax }), (e: Error) => {
      assert.ok(e instanceof ContractError, e.message);
      assert.match(e.message, message);
      return true;
    });
  }
});

referenceCheckTest("adaptive-softmax graphs pass the reference ONNX checker", checked);
