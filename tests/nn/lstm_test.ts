import assert from "node:assert/strict";
import { LSTM } from "../../src/nn/lstm.ts";
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
 * PyTorch's LSTM cell. Gates are rows [0,H) i, [H,2H) f, [2H,3H) g, [3H,4H) o of
 * `W_ih x + b_ih + W_hh h + b_hh`; `c' = f*c + i*g`, `h' = o*tanh(c')`.
 */
const lstmCell: CellStep = (w, xt, [h, c]) => {
  const [inSize, H] = [xt.length, h.length];
  const gate = (r: number) => {
    let s = w.bih[r] + w.bhh[r];
    for (let k = 0; k < inSize; k++) s += w.wih[r * inSize + k] * xt[k];
    for (let k = 0; k < H; k++) s += w.whh[r * H + k] * h[k];
    return s;
  };
  const nextC: number[] = [];
  const nextH: number[] = [];
  for (let j = 0; j < H; j++) {
    const i = sigmoid(gate(j));
    const f = sigmoid(gate(H + j));
    const g = Math.tanh(gate(2 * H + j));
    const o = sigmoid(gate(3 * H + j));
    nextC.push(f * c[j] + i * g);
    nextH.push(o * Math.tanh(nextC[j]));
  }
  return [nextH, nextC];
};

/** PyTorch `nn.LSTM(batch_first=True)` in float64 loops; states `[h, c]`. */
function referenceLstm(
  x: number[],
  dims: Dims,
  layers: LayerWeights[],
  h0: number[],
  c0: number[],
): Reference {
  return referenceStack(x, dims, layers, [h0, c0], lstmCell);
}

Deno.test("referenceLstm() matches a hand computation with one unit", () => {
  // Zero weights; biases split by gate: i = 0.3, f = -0.2, g = 0.7, o = 1.1 (b_ih + b_hh).
  const w = {
    wih: [0, 0, 0, 0],
    whh: [0, 0, 0, 0],
    bih: [0.1, -0.1, 0.5, 1],
    bhh: [0.2, -0.1, 0.2, 0.1],
  };
  const r = referenceLstm([5], { B: 1, T: 1, inSize: 1, H: 1 }, [w], [0.4], [-0.8]);
  const c = sigmoid(-0.2) * -0.8 + sigmoid(0.3) * Math.tanh(0.7);
  const h = sigmoid(1.1) * Math.tanh(c);
  assertClose(r.states[1], [c], TOL, "c");
  assertClose(r.states[0], [h], TOL, "h");
  assertClose(r.out, [h], TOL, "out");
});

recurrentLayerTests({
  kind: "LSTM",
  gates: 4,
  states: [{ name: "h", lo: -1, hi: 1 }, { name: "c", lo: -2, hi: 2 }],
  create: (inSize, H, layers) => new LSTM(inSize, H, layers),
  forward: (ctx, lstm, x, [h, c]) => {
    const [out, [hN, cN]] = lstm.forward(ctx, x, [h, c]);
    return [out, [hN, cN]];
  },
  reference: (x, dims, layers, [h0, c0]) => referenceLstm(x, dims, layers, h0, c0),
  seeds: { base: 100, symbolic: [7, 8], init: 3 },
});

Deno.test("LSTM state_dict names, shapes and order follow PyTorch", () => {
  const lstm = new LSTM(7, 5, 2);
  assert.deepEqual(lstm.namedParameters().map(([n, p]) => [n, [...p.shape]]), [
    ["weight_ih_l0", [20, 7]],
    ["weight_hh_l0", [20, 5]],
    ["bias_ih_l0", [20]],
    ["bias_hh_l0", [20]],
    ["weight_ih_l1", [20, 5]],
    ["weight_hh_l1", [20, 5]],
    ["bias_ih_l1", [20]],
    ["bias_hh_l1", [20]],
  ]);
  assert.ok(lstm.namedParameters().every(([, p]) => p.decay), "fastai decays LSTM biases");
  assert.deepEqual(lstm.namedParameters("rnn.")[0][0], "rnn.weight_ih_l0");
});
