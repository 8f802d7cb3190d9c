import assert from "node:assert/strict";
import { Graph, type Value } from "../../src/graph/mod.ts";
import type { Tensor } from "../../src/onnx/tensor.ts";
import { fuseGateWeights, LSTMCell, LSTMCellGates } from "../../models/lstm_cell.ts";
import { referenceCheckTest } from "../helpers/onnx_checker.ts";
import { assertClose, rng } from "../helpers/reference.ts";
import { bindModel, runGraph, saved, t64 } from "../helpers/run_graph.ts";

const TOL = { rtol: 1e-12, atol: 1e-12 };

type Weights = Map<string, Float64Array>;
type State = { h: number[]; c: number[] }; // each [B, nh], row-major

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** Row `r` of `W x + b` for one sample: W is `[out, n]`, x has n elements. */
function affine(w: ArrayLike<number>, b: ArrayLike<number>, r: number, x: readonly number[]) {
  let s = b[r];
  for (let k = 0; k < x.length; k++) s += w[r * x.length + k] * x[k];
  return s;
}

/** Applies a per-sample cell to every row of a batch. */
function perSample(
  x: number[],
  s: State,
  dims: { ni: number; nh: number },
  cell: (x: number[], h: number[], c: number[]) => [number[], number[]],
): State {
  const out: State = { h: [], c: [] };
  for (let b = 0; b < x.length / dims.ni; b++) {
    const [h, c] = cell(
      x.slice(b * dims.ni, (b + 1) * dims.ni),
      s.h.slice(b * dims.nh, (b + 1) * dims.nh),
      s.c.slice(b * dims.nh, (b + 1) * dims.nh),
    );
    out.h.push(...h);
    out.c.push(...c);
  }
  return out;
}

/** The chapter's first LSTMCell, line by line: four gate Linears over `cat[h, input]`. */
function referenceGatesCell(w: Weights, ni: number, nh: number, x: number[], s: State): State {
  return perSample(x, s, { ni, nh }, (input, h0, c0) => {
    const hx = [...h0, ...input]; // torch.cat([h, input], dim=1)
    const gate = (name: string, j: number) =>
      affine(w.get(`${name}.weight`)!, w.get(`${name}.bias`)!, j, hx);
    const c: number[] = [];
    const h: number[] = [];
    for (let j = 0; j < nh; j++) {
      const forget = sigmoid(gate("forget_gate", j));
      let cj = c0[j] * forget;
      const inp = sigmoid(gate("input_gate", j));
      const cell = Math.tanh(gate("cell_gate", j));
      cj = cj + inp * cell;
      const out = sigmoid(gate("output_gate", j));
      c.push(cj);
      h.push(out * Math.tanh(cj));
    }
    return [h, c];
  });
}

/**
 * The chapter's refactored LSTMCell: `gates = (ih(input) + hh(h)).chunk(4, 1)`, chunks in
 * order ingate, forgetgate, outgate (sigmoid) and cellgate (tanh).
 */
function referenceFusedCell(w: Weights, ni: number, nh: number, x: number[], s: State): State {
  return perSample(x, s, { ni, nh }, (input, h0, c0) => {
    const gates = Array.from(
      { length: 4 * nh },
      (_, r) =>
        affine(w.get("ih.weight")!, w.get("ih.bias")!, r, input) +
        affine(w.get("hh.weight")!, w.get("hh.bias")!, r, h0),
    );
    const chunk = (k: number) => gates.slice(k * nh, (k + 1) * nh);
    const [ingate, forgetgate, outgate] = [0, 1, 2].map((k) => chunk(k).map(sigmoid));
    const cellgate = chunk(3).map(Math.tanh);
    const c = c0.map((cj, j) => forgetgate[j] * cj + ingate[j] * cellgate[j]);
    return [c.map((cj, j) => outgate[j] * Math.tanh(cj)), c];
  });
}

/** Random float64 weights for a module's parameters, U(-2/sqrt(fan_in), 2/sqrt(fan_in)). */
function randomWeights(names: [string, { shape: readonly number[] }][], seed: number): Weights {
  const r = rng(seed);
  return new Map(names.map(([name, p]) => {
    const bound = 2 / Math.sqrt(p.shape.at(-1)!);
    const n = p.shape.reduce((a, b) => a * b, 1);
    return [name, Float64Array.from({ length: n }, () => bound * (2 * r() - 1))];
  }));
}

const uniform = (r: () => number, n: number, lo: number, hi: number) =>
  Array.from({ length: n }, () => lo + (hi - lo) * r());

interface Case {
  label: string;
  ni: number;
  nh: number;
  B: number;
  T: number;
}

const CASES: Case[] = [
  { label: "ni 3, nh 5", ni: 3, nh: 5, B: 2, T: 4 },
  { label: "the chapter's 64, 64", ni: 64, nh: 64, B: 3, T: 3 },
];

/** Inputs for T steps and a non-zero initial state. */
function randomSequence(c: Case, seed: number): { xs: number[][]; s0: State } {
  const r = rng(seed);
  const xs = Array.from({ length: c.T }, () => uniform(r, c.B * c.ni, -2, 2));
  return { xs, s0: { h: uniform(r, c.B * c.nh, -1, 1), c: uniform(r, c.B * c.nh, -2, 2) } };
}

/** Runs a TS reference cell over the steps, feeding its state back; returns every state. */
function unroll(step: (x: number[], s: State) => State, xs: number[][], s0: State): State[] {
  const states: State[] = [];
  xs.reduce((s, x) => {
    const next = step(x, s);
    states.push(next);
    return next;
  }, s0);
  return states;
}

/**
 * Unrolls `cells` over T steps in one graph, each step's state feeding the next; outputs
 * `<prefix>_h<t>` and `<prefix>_c<t>` for every step.
 */
function buildUnrolled(c: Case, cells: [string, LSTMCellGates | LSTMCell][]): Graph {
  const g = new Graph("lstm_cell");
  const xs = Array.from({ length: c.T }, (_, t) => g.input(`x${t}`, "float64", [c.B, c.ni]));
  const h0 = g.input("h0", "float64", [c.B, c.nh]);
  const c0 = g.input("c0", "float64", [c.B, c.nh]);
  for (const [prefix, cell] of cells) {
    const ctx = bindModel(g, cell, "float64");
    let state: readonly [Value, Value] = [h0, c0];
    xs.forEach((x, t) => {
      const [out, next] = cell.forward(ctx, x, state);
      assert.equal(out, next[0], "the cell returns h, (h, c)");
      assert.deepEqual(out.shape, [c.B, c.nh]);
      state = next;
      g.output(next[0], `${prefix}_h${t}`);
      g.output(next[1], `${prefix}_c${t}`);
    });
  }
  return g;
}

function feedsOf(c: Case, weights: Weights[], xs: number[][], s0: State): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {
    h0: t64([c.B, c.nh], s0.h),
    c0: t64([c.B, c.nh], s0.c),
  };
  xs.forEach((x, t) => feeds[`x${t}`] = t64([c.B, c.ni], x));
  const shapes = new Map([
    ...new LSTMCellGates(c.ni, c.nh).namedParameters(),
    ...new LSTMCell(c.ni, c.nh).namedParameters(),
  ].map(([n, p]) => [n, p.shape]));
  for (const w of weights) for (const [n, v] of w) feeds[n] = t64(shapes.get(n)!, v);
  return feeds;
}

Deno.test("fuseGateWeights() makes the fused reference cell compute the four-Linear one", () => {
  for (const c of CASES) {
    const gates = randomWeights(new LSTMCellGates(c.ni, c.nh).namedParameters(), 11);
    const fused = fuseGateWeights(gates, c.ni, c.nh);
    assert.deepEqual([...fused.keys()], ["ih.weight", "ih.bias", "hh.weight", "hh.bias"]);
    assert.deepEqual([...fused.values()].map((v) => v.length), [
      4 * c.nh * c.ni,
      4 * c.nh,
      4 * c.nh * c.nh,
      4 * c.nh,
    ]);
    assert.ok(fused.get("hh.bias")!.every((v) => v === 0), "hh.bias is zero");
    const { xs, s0 } = randomSequence(c, 12);
    const a = unroll((x, s) => referenceGatesCell(gates, c.ni, c.nh, x, s), xs, s0);
    const b = unroll((x, s) => referenceFusedCell(fused, c.ni, c.nh, x, s), xs, s0);
    a.forEach((s, t) => {
      assertClose(b[t].h, s.h, TOL, `${c.label}: h at step ${t}`);
      assertClose(b[t].c, s.c, TOL, `${c.label}: c at step ${t}`);
    });
  }
});

for (const c of CASES) {
  Deno.test(`LSTMCellGates and LSTMCell give identical h and c over ${c.T} steps: ${c.label}`, async () => {
    const first = new LSTMCellGates(c.ni, c.nh);
    const second = new LSTMCell(c.ni, c.nh);
    const g = buildUnrolled(c, [["gates", first], ["fused", second]]);
    const gates = randomWeights(first.namedParameters(), 21 + c.ni);
    const fused = fuseGateWeights(gates, c.ni, c.nh);
    const { xs, s0 } = randomSequence(c, 22 + c.ni);
    const [got] = await runGraph(`lstm cells ${c.label}`, g, feedsOf(c, [gates, fused], xs, s0));
    const ref = unroll((x, s) => referenceGatesCell(gates, c.ni, c.nh, x, s), xs, s0);
    for (let t = 0; t < c.T; t++) {
      for (const k of ["h", "c"] as const) {
        const [a, b] = [got[`gates_${k}${t}`], got[`fused_${k}${t}`]];
        assert.deepEqual(a.dims, [c.B, c.nh]);
        assert.deepEqual(b.dims, [c.B, c.nh]);
        assertClose(b.data, a.data, TOL, `${c.label}: fused vs gates ${k} at step ${t}`);
        assertClose(a.data, ref[t][k], TOL, `${c.label}: gates ${k} at step ${t} vs reference`);
      }
    }
  });

  Deno.test(`LSTMCell.forward() matches the book's refactored cell: ${c.label}`, async () => {
    const cell = new LSTMCell(c.ni, c.nh);
    const g = buildUnrolled(c, [["cell", cell]]);
    const w = randomWeights(cell.namedParameters(), 31 + c.ni); // hh.bias non-zero here
    const { xs, s0 } = randomSequence(c, 32 + c.ni);
    const [got] = await runGraph(`lstm cell ${c.label}`, g, feedsOf(c, [w], xs, s0));
    const ref = unroll((x, s) => referenceFusedCell(w, c.ni, c.nh, x, s), xs, s0);
    for (let t = 0; t < c.T; t++) {
      assertClose(got[`cell_h${t}`].data, ref[t].h, TOL, `${c.label}: h at step ${t}`);
      assertClose(got[`cell_c${t}`].data, ref[t].c, TOL, `${c.label}: c at step ${t}`);
    }
  });
}

Deno.test("LSTM cells name their parameters like the book's state_dict", () => {
  const named = (m: LSTMCellGates | LSTMCell) =>
    m.namedParameters().map(([n, p]) => [n, [...p.shape], p.decay]);
  const gate = (name: string) => [[`${name}.weight`, [5, 8], true], [`${name}.bias`, [5], false]];
  assert.deepEqual(named(new LSTMCellGates(3, 5)), [
    ...gate("forget_gate"),
    ...gate("input_gate"),
    ...gate("cell_gate"),
    ...gate("output_gate"),
  ]);
  assert.deepEqual(named(new LSTMCell(3, 5)), [
    ["ih.weight", [20, 3], true],
    ["ih.bias", [20], false],
    ["hh.weight", [20, 5], true],
    ["hh.bias", [20], false],
  ]);
});

referenceCheckTest("LSTM cell graphs pass the reference ONNX checker", saved);
