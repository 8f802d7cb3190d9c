import assert from "node:assert/strict";
import { RNN } from "../../src/nn/rnn.ts";
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

/** PyTorch's tanh RNN cell: `h' = tanh(W_ih x + b_ih + W_hh h + b_hh)`. */
const rnnCell: CellStep = (w, xt, [h]) => {
  const [inSize, H] = [xt.length, h.length];
  const next: number[] = [];
  for (let j = 0; j < H; j++) {
    let s = w.bih[j] + w.bhh[j];
    for (let k = 0; k < inSize; k++) s += w.wih[j * inSize + k] * xt[k];
    for (let k = 0; k < H; k++) s += w.whh[j * H + k] * h[k];
    next.push(Math.tanh(s));
  }
  return [next];
};

/** PyTorch `nn.RNN(nonlinearity="tanh", batch_first=True)` in float64 loops; states `[h]`. */
function referenceRnn(x: number[], dims: Dims, layers: LayerWeights[], h0: number[]): Reference {
  return referenceStack(x, dims, layers, [h0], rnnCell);
}

Deno.test("referenceRnn() matches a hand computation with two units", () => {
  // in = 1, H = 2: h'_j = tanh(wih_j x + bih_j + bhh_j + sum_k whh_jk h_k).
  const w = { wih: [0.5, -1], whh: [0.1, 0.2, -0.3, 0.4], bih: [0.05, 0.1], bhh: [-0.2, 0.3] };
  const r = referenceRnn([2], { B: 1, T: 1, inSize: 1, H: 2 }, [w], [0.6, -0.7]);
  const h0 = Math.tanh(0.5 * 2 + 0.05 - 0.2 + 0.1 * 0.6 + 0.2 * -0.7);
  const h1 = Math.tanh(-1 * 2 + 0.1 + 0.3 - 0.3 * 0.6 + 0.4 * -0.7);
  assertClose(r.states[0], [h0, h1], TOL, "h");
  assertClose(r.out, [h0, h1], TOL, "out");
});

recurrentLayerTests({
  kind: "RNN",
  gates: 1,
  states: [{ name: "h", lo: -1, hi: 1 }],
  create: (inSize, H, layers) => new RNN(inSize, H, layers),
  forward: (ctx, rnn, x, [h]) => {
    const [out, hN] = rnn.forward(ctx, x, h);
    return [out, [hN]];
  },
  reference: (x, dims, layers, [h0]) => referenceRnn(x, dims, layers, h0),
  seeds: { base: 200, symbolic: [17, 18], init: 5 },
});

Deno.test("RNN state_dict names, shapes and order follow PyTorch", () => {
  const rnn = new RNN(7, 5, 2);
  assert.deepEqual(rnn.namedParameters().map(([n, p]) => [n, [...p.shape]]), [
    ["weight_ih_l0", [5, 7]],
    ["weight_hh_l0", [5, 5]],
    ["bias_ih_l0", [5]],
    ["bias_hh_l0", [5]],
    ["weight_ih_l1", [5, 5]],
    ["weight_hh_l1", [5, 5]],
    ["bias_ih_l1", [5]],
    ["bias_hh_l1", [5]],
  ]);
  assert.ok(rnn.namedParameters().every(([, p]) => p.decay), "fastai decays RNN biases");
  assert.deepEqual(rnn.namedParameters("rnn.")[0][0], "rnn.weight_ih_l0");
  assert.deepEqual(new RNN(3, 4, 1).namedParameters().map(([n]) => n), [
    "weight_ih_l0",
    "weight_hh_l0",
    "bias_ih_l0",
    "bias_hh_l0",
  ]);
});
