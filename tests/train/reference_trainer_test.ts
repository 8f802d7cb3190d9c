/**
 * An independent float64 re-implementation of LMModel1's training (hand-written forward and
 * backward, fastai's Adam with its weight-decay exclusions, the one-cycle schedule, the book's
 * batches), compared step by step with the Learner running the ONNX graphs in onnxruntime.
 * It checks the whole pipeline at once: data order, schedule, optimizer, decay flags, step
 * counting, parameter feedback.
 */
import assert from "node:assert/strict";
import { findModel } from "../../models/registry.ts";
import { threeTokenLoaders } from "../../src/data/pipelines.ts";
import { FitInterrupted, Learner } from "../../src/train/learner.ts";

type Params = Record<string, Float64Array>;
const H = 64;
const V = 30;

/** Loss and gradients of LMModel1 on one batch (x: [B, 3], y: [B]). */
function lossAndGrads(p: Params, x: number[][], y: number[]): { loss: number; grads: Params } {
  const B = x.length;
  const g: Params = Object.fromEntries(
    Object.entries(p).map(([k, v]) => [k, new Float64Array(v.length)]),
  );
  const W = p["h_h.weight"],
    b = p["h_h.bias"],
    E = p["i_h.weight"],
    Wo = p["h_o.weight"],
    bo = p["h_o.bias"];
  let loss = 0;
  for (let r = 0; r < B; r++) {
    const emb = (t: number) => E.subarray(x[r][t] * H, x[r][t] * H + H);
    const inputs: Float64Array[] = [];
    const pre: Float64Array[] = [];
    let h = new Float64Array(H);
    for (let t = 0; t < 3; t++) {
      const inp = new Float64Array(H);
      const e = emb(t);
      for (let j = 0; j < H; j++) inp[j] = (t === 0 ? 0 : h[j]) + e[j];
      const a = new Float64Array(H);
      for (let i = 0; i < H; i++) {
        let s = b[i];
        for (let j = 0; j < H; j++) s += W[i * H + j] * inp[j];
        a[i] = s;
      }
      inputs.push(inp);
      pre.push(a);
      h = a.map((v) => Math.max(v, 0));
    }
    const logits = new Float64Array(V);
    for (let k = 0; k < V; k++) {
      let s = bo[k];
      for (let j = 0; j < H; j++) s += Wo[k * H + j] * h[j];
      logits[k] = s;
    }
    const m = Math.max(...logits);
    const z = logits.reduce((acc, v) => acc + Math.exp(v - m), 0);
    loss += -(logits[y[r]] - m - Math.log(z)) / B;
    const dlog = logits.map((v, k) => (Math.exp(v - m) / z - (k === y[r] ? 1 : 0)) / B);
    let dh = new Float64Array(H);
    for (let k = 0; k < V; k++) {
      g["h_o.bias"][k] += dlog[k];
      for (let j = 0; j < H; j++) {
        g["h_o.weight"][k * H + j] += dlog[k] * h[j];
        dh[j] += dlog[k] * Wo[k * H + j];
      }
    }
    for (let t = 2; t >= 0; t--) {
      const da = dh.map((v, i) => (pre[t][i] > 0 ? v : 0));
      const dinp = new Float64Array(H);
      for (let i = 0; i < H; i++) {
        g["h_h.bias"][i] += da[i];
        for (let j = 0; j < H; j++) {
          g["h_h.weight"][i * H + j] += da[i] * inputs[t][j];
          dinp[j] += da[i] * W[i * H + j];
        }
      }
      for (let j = 0; j < H; j++) g["i_h.weight"][x[r][t] * H + j] += dinp[j];
      dh = t === 0 ? new Float64Array(H) : dinp;
    }
  }
  return { loss, grads: g };
}

/** fastai's Adam step, in its order: decoupled decay, averages, step count, update. */
function adamStep(
  p: Params,
  grads: Params,
  state: { m: Params; v: Params; t: number },
  lr: number,
  mom: number,
  wd: number,
): void {
  state.t++;
  for (const name of Object.keys(p)) {
    const decay = !name.endsWith(".bias"); // Linear biases are not decayed; all else is
    const [w, gr, m, v] = [p[name], grads[name], state.m[name], state.v[name]];
    for (let i = 0; i < w.length; i++) {
      if (decay) w[i] *= 1 - lr * wd;
      m[i] = mom * m[i] + (1 - mom) * gr[i];
      v[i] = 0.99 * v[i] + 0.01 * gr[i] * gr[i];
      w[i] -= (lr / (1 - mom ** state.t)) * m[i] / (Math.sqrt(v[i] / (1 - 0.99 ** state.t)) + 1e-5);
    }
  }
}

Deno.test("lm1's first training steps match an independent float64 implementation", async () => {
  // A large learning rate and weight decay make every term of the update visible in 12 steps.
  const base = findModel("lm1");
  const entry = { ...base, recipe: { ...base.recipe, lrMax: 0.1, wd: 0.5 } };
  const model = entry.create();
  const init = model.initParameters(7);
  const p: Params = Object.fromEntries([...init].map(([k, v]) => [k, Float64Array.from(v)]));
  const state = {
    m: Object.fromEntries(Object.entries(p).map(([k, v]) => [k, new Float64Array(v.length)])),
    v: Object.fromEntries(Object.entries(p).map(([k, v]) => [k, new Float64Array(v.length)])),
    t: 0,
  };
  const steps = 12;
  const train = threeTokenLoaders().train;
  const total = entry.recipe.epochs * train.length;
  const cos = (a: number, b: number, pct: number) =>
    a + (1 + Math.cos(Math.PI * (1 - pct))) * (b - a) / 2;
  for (let i = 0; i < steps; i++) {
    const pos = i / total;
    const lr = pos < 0.25 ? cos(0.1 / 25, 0.1, pos / 0.25) : cos(0.1, 1e-6, (pos - 0.25) / 0.75);
    const mom = pos < 0.25 ? cos(0.95, 0.85, pos / 0.25) : cos(0.85, 0.95, (pos - 0.25) / 0.75);
    const batch = train[i];
    const x = Array.from(
      { length: 64 },
      (_, r) => [0, 1, 2].map((t) => Number(batch.x[r * 3 + t])),
    );
    const y = Array.from(batch.y, Number);
    const { grads } = lossAndGrads(p, x, y);
    adamStep(p, grads, state, lr, mom, 0.5);
  }

  const learner = await Learner.create(model, entry.recipe, { seed: 7 });
  try {
    let batches = 0;
    await assert.rejects(
      learner.fit(entry.recipe.epochs, entry.recipe.lrMax, {
        onBatch: () => {
          batches++;
        },
        shouldStop: () => batches >= steps,
      }),
      FitInterrupted,
    );
    assert.equal(learner.runner.step, steps);
    for (const [name, want] of Object.entries(p)) {
      const got = learner.runner.tensors().get(name)!.data as Float32Array;
      const worst = want.reduce((acc, v, i) => Math.max(acc, Math.abs(v - got[i])), 0);
      assert.ok(worst < 1e-4, `parameter "${name}" after ${steps} steps differs by ${worst}`);
    }
  } finally {
    await learner.release();
  }
});
