/**
 * The tests every stacked recurrent layer (RNN, GRU, LSTM) shares: its graph on
 * onnxruntime-node against a float64 loop reference of PyTorch's semantics (static and
 * symbolic batch), PyTorch's init interval, and its refusals of a wrong-shaped state and a
 * symbolic sequence length. A layer's test file keeps what is its own: the cell's math (the
 * `step` of `referenceStack`), a hand check of it, and its `state_dict` table.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type Dim, Graph, type Value } from "../../src/graph/mod.ts";
import type { StackedRecurrent } from "../../src/nn/stacked_recurrent.ts";
import type { Tensor } from "../../src/onnx/tensor.ts";
import { referenceCheckTest } from "../helpers/onnx_checker.ts";
import { assertClose, randArr, rng } from "../helpers/reference.ts";
import { bindModel, runGraph, saved, t64 } from "../helpers/run_graph.ts";
import type { BuildContext } from "../../src/nn/build_context.ts";

/** Float64 all the way, so the graph and the loops agree to rounding. */
export const TOL = { rtol: 1e-12, atol: 1e-12 };

/** One layer's weights, flat row-major, as PyTorch stores them (G gates per unit). */
export interface LayerWeights {
  wih: number[]; // [G*H, in]
  whh: number[]; // [G*H, H]
  bih: number[]; // [G*H]
  bhh: number[]; // [G*H]
}

/** Sizes of a reference run. */
export interface Dims {
  B: number;
  T: number;
  inSize: number;
  H: number;
}

/** A reference run's results: the last layer's outputs `[B, T, H]`, final states `[L, B, H]`. */
export interface Reference {
  out: number[];
  states: number[][];
}

/**
 * One time step of one layer on one sequence: its input `xt` (`[in]`) and states (each `[H]`,
 * h first) give the new states; the new h is the step's output.
 */
export type CellStep = (w: LayerWeights, xt: number[], state: number[][]) => number[][];

/**
 * A stacked layer in float64 loops, batch first, as PyTorch runs one: layer l > 0 reads
 * layer l-1's outputs, each layer starts from its slice of the initial states.
 *
 * @param x The input `[B, T, inSize]`.
 * @param dims Its sizes and the hidden size.
 * @param layers Each layer's weights.
 * @param initial The initial states, each `[L, B, H]` (h first).
 * @param step The cell.
 * @returns The last layer's outputs and the final states.
 */
export function referenceStack(
  x: number[],
  dims: Dims,
  layers: LayerWeights[],
  initial: number[][],
  step: CellStep,
): Reference {
  const { B, T, H } = dims;
  let input = x;
  let inSize = dims.inSize;
  const finals: number[][] = initial.map(() => []);
  layers.forEach((w, l) => {
    const output = new Array<number>(B * T * H).fill(0);
    for (let b = 0; b < B; b++) {
      let state = initial.map((s) => s.slice((l * B + b) * H, (l * B + b + 1) * H));
      for (let t = 0; t < T; t++) {
        state = step(w, input.slice((b * T + t) * inSize, (b * T + t + 1) * inSize), state);
        for (let j = 0; j < H; j++) output[(b * T + t) * H + j] = state[0][j];
      }
      state.forEach((s, k) => finals[k].push(...s));
    }
    input = output;
    inSize = H;
  });
  return { out: input, states: finals };
}

/** What the shared tests need to know of one layer. */
export interface RecurrentSpec<M extends StackedRecurrent> {
  /** PyTorch's class name, which the layer's messages use too (`"LSTM"`). */
  kind: string;
  /** Weight rows per hidden unit: 1 (RNN), 3 (GRU), 4 (LSTM). */
  gates: number;
  /** The states in `forward` order (h first), with the interval random initial values take. */
  states: { name: string; lo: number; hi: number }[];
  /** A new layer. */
  create(inSize: number, H: number, layers: number): M;
  /** `layer.forward` with the states as a list. */
  forward(ctx: BuildContext, layer: M, x: Value, states: Value[]): [Value, Value[]];
  /** The float64 reference (`referenceStack` with the layer's cell). */
  reference(x: number[], dims: Dims, layers: LayerWeights[], initial: number[][]): Reference;
  /**
   * Seeds: a case runs with `base + 10 * layers + T`, the symbolic batch at batch 1 and 3
   * with `symbolic`, the init test with `init`.
   */
  seeds: { base: number; symbolic: [number, number]; init: number };
}

/** One shape of a forward test. */
interface Case {
  label: string;
  layers: number;
  T: number;
  inSize: number;
  H: number;
  B: number;
}

const CASES: Case[] = [
  { label: "1 layer, T=1", layers: 1, T: 1, inSize: 3, H: 3, B: 2 },
  { label: "2 layers, T=5", layers: 2, T: 5, inSize: 4, H: 4, B: 3 },
  { label: "2 layers, input 7 != hidden 5", layers: 2, T: 3, inSize: 7, H: 5, B: 2 },
  { label: "3 layers, input 2 != hidden 6", layers: 3, T: 4, inSize: 2, H: 6, B: 1 },
];

/** Graph outputs as `runGraph` gives them. */
type Outputs = Record<string, { dims: number[]; data: number[] }>;

/**
 * Registers the shared tests of a stacked recurrent layer (see the module doc), ending with
 * the reference ONNX checker over every graph they ran.
 *
 * @param spec The layer.
 */
export function recurrentLayerTests<M extends StackedRecurrent>(spec: RecurrentSpec<M>): void {
  const { kind, gates } = spec;
  const lower = kind.toLowerCase();

  /** Builds `forward` with parameter, x and state inputs (batch may be symbolic). */
  const build = (c: Case, batch: Dim): { g: Graph; layer: M } => {
    const layer = spec.create(c.inSize, c.H, c.layers);
    const g = new Graph(lower);
    const ctx = bindModel(g, layer, "float64");
    const x = g.input("x", "float64", [batch, c.T, c.inSize]);
    const states = spec.states.map((s) => g.input(s.name, "float64", [c.layers, batch, c.H]));
    const [out, finals] = spec.forward(ctx, layer, x, states);
    assert.deepEqual(out.shape, [batch, c.T, c.H]);
    g.output(out, "out");
    finals.forEach((f, k) => {
      assert.deepEqual(f.shape, [c.layers, batch, c.H]);
      g.output(f, `${spec.states[k].name}_n`);
    });
    return { g, layer };
  };

  /** Random weights, input and (non-zero) states; the feeds and the reference result. */
  const randomRun = (c: Case, layer: M, B: number, seed: number) => {
    const r = rng(seed);
    const uniform = (n: number, lo: number, hi: number) => randArr(r, [n], lo, hi).data;
    const feeds: Record<string, Tensor> = {};
    const weights: LayerWeights[] = [];
    for (let l = 0; l < c.layers; l++) {
      const inSize = l === 0 ? c.inSize : c.H;
      const w = {
        wih: uniform(gates * c.H * inSize, -0.8, 0.8),
        whh: uniform(gates * c.H * c.H, -0.8, 0.8),
        bih: uniform(gates * c.H, -0.5, 0.5),
        bhh: uniform(gates * c.H, -0.5, 0.5),
      };
      weights.push(w);
      feeds[`weight_ih_l${l}`] = t64([gates * c.H, inSize], w.wih);
      feeds[`weight_hh_l${l}`] = t64([gates * c.H, c.H], w.whh);
      feeds[`bias_ih_l${l}`] = t64([gates * c.H], w.bih);
      feeds[`bias_hh_l${l}`] = t64([gates * c.H], w.bhh);
    }
    assert.deepEqual(Object.keys(feeds).sort(), layer.namedParameters().map(([n]) => n).sort());
    const x = uniform(B * c.T * c.inSize, -2, 2);
    const initial = spec.states.map((s) => uniform(c.layers * B * c.H, s.lo, s.hi));
    feeds.x = t64([B, c.T, c.inSize], x);
    spec.states.forEach((s, k) => feeds[s.name] = t64([c.layers, B, c.H], initial[k]));
    const ref = spec.reference(x, { B, T: c.T, inSize: c.inSize, H: c.H }, weights, initial);
    return { feeds, ref };
  };

  const compare = (c: Case, B: number, got: Outputs, ref: Reference) => {
    const what = `${c.label} (batch ${B})`;
    const names = spec.states.map((s) => `${s.name}_n`);
    assert.deepEqual(got.out.dims, [B, c.T, c.H], `${what}: out dims`);
    for (const n of names) assert.deepEqual(got[n].dims, [c.layers, B, c.H], `${what}: ${n} dims`);
    assertClose(got.out.data, ref.out, TOL, `${what}: out`);
    names.forEach((n, k) => assertClose(got[n].data, ref.states[k], TOL, `${what}: ${n}`));
    // The last layer's h_n is its output at the last step.
    const last = got.out.data.filter((_, i) => Math.floor(i / c.H) % c.T === c.T - 1);
    assertClose(
      got.h_n.data.slice((c.layers - 1) * B * c.H),
      last,
      TOL,
      `${what}: h_n = out[:, -1]`,
    );
  };

  for (const c of CASES) {
    Deno.test(`${kind}.forward() matches PyTorch nn.${kind} semantics: ${c.label}`, async () => {
      const { g, layer } = build(c, c.B);
      const { feeds, ref } = randomRun(c, layer, c.B, spec.seeds.base + c.layers * 10 + c.T);
      const [got] = await runGraph(`${lower} ${c.label}`, g, feeds);
      compare(c, c.B, got, ref);
    });
  }

  Deno.test(`${kind}.forward() with a symbolic batch runs at batch 1 and 3`, async () => {
    const c: Case = { label: "symbolic batch", layers: 2, T: 4, inSize: 3, H: 5, B: 0 };
    const { g, layer } = build(c, "batch");
    const one = randomRun(c, layer, 1, spec.seeds.symbolic[0]);
    const three = randomRun(c, layer, 3, spec.seeds.symbolic[1]);
    const [got1, got3] = await runGraph(`${lower} symbolic batch`, g, one.feeds, three.feeds);
    compare(c, 1, got1, one.ref);
    compare(c, 3, got3, three.ref);
  });

  Deno.test(`${kind} init is U(-1/sqrt(H), 1/sqrt(H)) for every weight and bias`, () => {
    for (const [inSize, H] of [[64, 64], [3, 5]]) {
      const bound = Math.fround(1 / Math.sqrt(H));
      for (const [name, values] of spec.create(inSize, H, 2).initParameters(spec.seeds.init)) {
        const [min, max] = [Math.min(...values), Math.max(...values)];
        assert.ok(max <= bound && min >= -bound, `${name} in bounds`);
        // Wide enough to be the full interval, and centred (only checked with 20+ draws).
        if (values.length >= 20) {
          assert.ok(max > 0.6 * bound && min < -0.6 * bound, `${name}: [${min}, ${max}]`);
          const mean = values.reduce((a, b) => a + b, 0) / values.length;
          assert.ok(Math.abs(mean) < (values.length > 1000 ? 0.05 : 0.5) * bound, `${name} mean`);
        }
      }
    }
  });

  Deno.test(`${kind} refuses a wrong-shaped state with the expected shape in the message`, () => {
    const layer = spec.create(3, 4, 2);
    const g = new Graph(lower);
    const ctx = bindModel(g, layer, "float64");
    const x = g.input("x", "float64", [2, 5, 3]);
    let n = 0;
    const input = (shape: Dim[]) => g.input(`s${n++}`, "float64", shape);
    const cases: [Dim[], string][] = [
      [[1, 2, 4], "got [1, 2, 4]"],
      [[2, 2, 3], "got [2, 2, 3]"],
      [[2, 4], "got [2, 4]"],
    ];
    // Each state wrong in turn, the others right: the message names the wrong one.
    spec.states.forEach((s, k) => {
      for (const [shape, got] of cases) {
        const states = spec.states.map((_, j) => input(j === k ? shape : [2, 2, 4]));
        const message = `${kind} state ${s.name} must be [2, batch, 4]: ${got}`;
        assert.throws(() => spec.forward(ctx, layer, x, states), { message });
      }
    });
  });

  Deno.test(`${kind} refuses a symbolic sequence length`, () => {
    const layer = spec.create(2, 3, 1);
    const g = new Graph(lower);
    const ctx = bindModel(g, layer, "float64");
    const x = g.input("x", "float64", [2, "T", 2]);
    const h = g.input("h", "float64", [1, 2, 3]);
    assert.throws(
      () => spec.forward(ctx, layer, x, spec.states.map(() => h)),
      { message: `${kind} needs a static sequence length: got T` },
    );
  });

  referenceCheckTest(`${kind} graphs pass the reference ONNX checker`, saved);
}
