import assert from "node:assert/strict";
import { GRU } from "../../src/nn/gru.ts";
import { assertClose } from "../helpers/reference.ts";
import {
  type CellStep,
  type Dims,
  type LayerWeights,
  recurrentLayerTests,
  type Reference,
  referenceStack,
  TOL,
} from "./recurrent_suite.ts";

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/**
 * PyTorch's GRU cell. Rows [0,H) are r, [H,2H) z, [2H,3H) n:
 * `r = σ(W_ir x + b_ir + W_hr h + b_hr)`, `z = σ(W_iz x + b_iz + W_hz h + b_hz)`,
 * `n = tanh(W_in x + b_in + r * (W_hn h + b_hn))`, `h' = (1 - z) * n + z * h`.
 */
const gruCell: CellStep = (w, xt, [h]) => {
  const [inSize, H] = [xt.length, h.length];
  const wx = (row: number) => {
    let s = w.bih[row];
    for (let k = 0; k < inSize; k++) s += w.wih[row * inSize + k] * xt[k];
    return s;
  };
  const wh = (row: number) => {
    let s = w.bhh[row];
    for (let k = 0; k < H; k++) s += w.whh[row * H + k] * h[k];
    return s;
  };
  const next: number[] = [];
  for (let j = 0; j < H; j++) {
    const r = sigmoid(wx(j) + wh(j));
    const z = sigmoid(wx(H + j) + wh(H + j));
    const n = Math.tanh(wx(2 * H + j) + r * wh(2 * H + j));
    next.push((1 - z) * n + z * h[j]);
  }
  return [next];
};

/** PyTorch `nn.GRU(batch_first=True)` in float64 loops; states `[h]`. */
function referenceGru(x: number[], dims: Dims, layers: LayerWeights[], h0: number[]): Reference {
  return referenceStack(x, dims, layers, [h0], gruCell);
}

Deno.test("referenceGru() matches a hand computation with one unit", () => {
  // in = 1, H = 1; rows r, z, n.
  const w = {
    wih: [0.5, -1, 0.7],
    whh: [0.2, 0.3, -0.4],
    bih: [0.1, 0.2, 0.3],
    bhh: [-0.1, 0.4, 0.6],
  };
  const [x, h] = [2, -0.6];
  const r = sigmoid(0.5 * x + 0.1 + 0.2 * h - 0.1);
  const z = sigmoid(-1 * x + 0.2 + 0.3 * h + 0.4);
  const n = Math.tanh(0.7 * x + 0.3 + r * (-0.4 * h + 0.6));
  const got = referenceGru([x], { B: 1, T: 1, inSize: 1, H: 1 }, [w], [h]);
  assertClose(got.states[0], [(1 - z) * n + z * h], TOL, "h");
  assertClose(got.out, got.states[0], TOL, "out");
});

recurrentLayerTests({
  kind: "GRU",
  gates: 3,
  states: [{ name: "h", lo: -1, hi: 1 }],
  create: (inSize, H, layers) => new GRU(inSize, H, layers),
  forward: (ctx, gru, x, [h]) => {
    const [out, hN] = gru.forward(ctx, x, h);
    return [out, [hN]];
  },
  reference: (x, dims, layers, [h0]) => referenceGru(x, dims, layers, h0),
  seeds: { base: 300, symbolic: [27, 28], init: 5 },
});

Deno.test("GRU state_dict names, shapes and order follow PyTorch", () => {
  const gru = new GRU(7, 5, 2);
  assert.deepEqual(gru.namedParameters().map(([n, p]) => [n, [...p.shape]]), [
    ["weight_ih_l0", [15, 7]],
    ["weight_hh_l0", [15, 5]],
    ["bias_ih_l0", [15]],
    ["bias_hh_l0", [15]],
    ["weight_ih_l1", [15, 5]],
    ["weight_hh_l1", [15, 5]],
    ["bias_ih_l1", [15]],
    ["bias_hh_l1", [15]],
  ]);
  assert.ok(gru.namedParameters().every(([, p]) => p.decay), "fastai decays GRU biases");
  assert.deepEqual(gru.namedParameters("gru.")[0][0], "gru.weight_ih_l0");
  assert.deepEqual(new GRU(3, 4, 1).namedParameters().map(([n]) => n), [
    "weight_ih_l0",
    "weight_hh_l0",
    "bias_ih_l0",
    "bias_hh_l0",
  ]);
});
