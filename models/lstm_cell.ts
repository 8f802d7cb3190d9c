/**
 * The chapter's LSTM cell built from scratch, in both of its forms ("Building an LSTM from
 * Scratch"): four gate Linears over `cat[h, x]`, then the refactor into one `ih` and one `hh`
 * Linear of 4*nh outputs chunked into the gates. Same weights, same outputs.
 *
 * No registered model uses it: lm6 and lm7 build their cells from `src/nn`'s LSTM. It stays
 * because the book builds it, and `tests/models/lstm_cell_test.ts` checks that its two forms give
 * identical h and c, the chapter's claim, against a line-by-line reference of each.
 *
 * @module
 */

import type { Value } from "../src/graph/graph.ts";
import { add, mul, sigmoid, tanh } from "../src/ops/elementwise.ts";
import { concat, split } from "../src/ops/shape.ts";
import { Linear } from "../src/nn/linear.ts";
import { Module } from "../src/nn/module.ts";
import type { BuildContext } from "../src/nn/build_context.ts";

/** A cell's state `(h, c)`, each `[B, nh]`. */
export type CellState = readonly [Value, Value];

/** The first form: one Linear per gate over the concatenation `[h, input]`. */
export class LSTMCellGates extends Module {
  readonly forget_gate: Linear;
  readonly input_gate: Linear;
  readonly cell_gate: Linear;
  readonly output_gate: Linear;

  /**
   * @param ni Input features.
   * @param nh Hidden features.
   */
  constructor(readonly ni: number, readonly nh: number) {
    super();
    this.forget_gate = new Linear(ni + nh, nh);
    this.input_gate = new Linear(ni + nh, nh);
    this.cell_gate = new Linear(ni + nh, nh);
    this.output_gate = new Linear(ni + nh, nh);
  }

  /** One step: `input` `[B, ni]` → `h` and the new `(h, c)`. */
  forward(ctx: BuildContext, input: Value, [h0, c0]: CellState): [Value, CellState] {
    const h = concat([h0, input], 1);
    const forget = sigmoid(this.forget_gate.forward(ctx, h));
    let c = mul(c0, forget);
    const inp = sigmoid(this.input_gate.forward(ctx, h));
    const cell = tanh(this.cell_gate.forward(ctx, h));
    c = add(c, mul(inp, cell));
    const out = sigmoid(this.output_gate.forward(ctx, h));
    const hNext = mul(out, tanh(c));
    return [hNext, [hNext, c]];
  }
}

/** The refactored form: one big multiplication for all gates, chunked in + forget + out + cell. */
export class LSTMCell extends Module {
  readonly ih: Linear;
  readonly hh: Linear;

  /**
   * @param ni Input features.
   * @param nh Hidden features.
   */
  constructor(readonly ni: number, readonly nh: number) {
    super();
    this.ih = new Linear(ni, 4 * nh);
    this.hh = new Linear(nh, 4 * nh);
  }

  /** One step: `input` `[B, ni]` → `h` and the new `(h, c)`. */
  forward(ctx: BuildContext, input: Value, [h, c0]: CellState): [Value, CellState] {
    const gates = split(add(this.ih.forward(ctx, input), this.hh.forward(ctx, h)), 4, 1); // .chunk(4, 1)
    const [ingate, forgetgate, outgate] = gates.slice(0, 3).map(sigmoid);
    const cellgate = tanh(gates[3]);
    const c = add(mul(forgetgate, c0), mul(ingate, cellgate));
    const hNext = mul(outgate, tanh(c));
    return [hNext, [hNext, c]];
  }
}

/**
 * The fused cell's weights that make it compute exactly what a gate-per-Linear cell does:
 * each gate's `[nh, nh + ni]` weight splits into its `hh` (h columns) and `ih` (input
 * columns) rows; its bias goes to `ih`, and `hh`'s bias is zero.
 *
 * @param gates The four-Linear cell's weights by parameter name.
 * @param ni Input features.
 * @param nh Hidden features.
 * @returns The fused cell's weights by parameter name (`ih.weight`, `ih.bias`, ...).
 */
export function fuseGateWeights(
  gates: ReadonlyMap<string, Float64Array | Float32Array>,
  ni: number,
  nh: number,
): Map<string, Float64Array> {
  const ihW = new Float64Array(4 * nh * ni);
  const hhW = new Float64Array(4 * nh * nh);
  const ihB = new Float64Array(4 * nh);
  const order = ["input_gate", "forget_gate", "output_gate", "cell_gate"]; // chunk order
  order.forEach((gate, k) => {
    const w = gates.get(`${gate}.weight`)!;
    const b = gates.get(`${gate}.bias`)!;
    for (let r = 0; r < nh; r++) {
      const row = k * nh + r;
      for (let j = 0; j < nh; j++) hhW[row * nh + j] = w[r * (nh + ni) + j];
      for (let j = 0; j < ni; j++) ihW[row * ni + j] = w[r * (nh + ni) + nh + j];
      ihB[row] = b[r];
    }
  });
  return new Map([
    ["ih.weight", ihW],
    ["ih.bias", ihB],
    ["hh.weight", hhW],
    ["hh.bias", new Float64Array(4 * nh)],
  ]);
}
