// Adaptive softmax: PyTorch's parameter names and shapes, normalized log-probabilities and the
// loss against a float64 reference written from the definition, and finite differences.
import assert from "node:assert/strict";
import { Graph, saveGraph } from "../../src/graph/mod.ts";
import { AdaptiveSoftmax } from "../../src/nn/adaptive_softmax.ts";
import { BuildContext } from "../../src/nn/build_context.ts";
import { tensor } from "../../src/onnx/tensor.ts";
import { Session } from "../../src/runtime/session.ts";
import { checkGrad } from "../grad/fd.ts";
import { rng } from "../helpers/reference.ts";

const [H, V, CUTOFFS] = [16, 23, [5, 12]];

Deno.test("AdaptiveSoftmax names and shapes its parameters as PyTorch does", () => {
  const m = new AdaptiveSoftmax(H, V, CUTOFFS);
  assert.deepEqual(m.namedParameters().map(([n, p]) => [n, p.shape]), [
    ["head.weight", [5 + 2, H]],
    ["tail.0.0.weight", [4, H]],
    ["tail.0.1.weight", [7, 4]],
    ["tail.1.0.weight", [1, H]],
    ["tail.1.1.weight", [11, 1]],
  ]);
  assert.throws(() => new AdaptiveSoftmax(H, V, [5, 5]), /cutoffs must be increasing integers/);
  assert.throws(() => new AdaptiveSoftmax(H, V, [0]), /from 1 to 22/);
  assert.throws(
    () => new AdaptiveSoftmax(8, V, [2, 4, 6]),
    /3 clusters would project 8 features to 8 \/ 4\^3 < 1/,
  );
});

/** log-softmax of one row. */
const logSoftmax = (row: number[]) => {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
  return row.map((v) => v - lse);
};
/** `x W^T` for one row. */
const linear = (x: number[], w: Float64Array, out: number) =>
  Array.from({ length: out }, (_, o) => x.reduce((s, v, k) => s + v * w[o * x.length + k], 0));

Deno.test("forward()'s logProbs and nll equal the definition in float64, and each row sums to 1", async () => {
  const m = new AdaptiveSoftmax(H, V, CUTOFFS);
  const R = 6;
  const r = rng(3);
  const weights = new Map(
    m.namedParameters().map((
      [n, p],
    ) => [n, Float64Array.from({ length: p.size }, () => r() - 0.5)]),
  );
  const x = Array.from({ length: R * H }, () => r() * 2 - 1);
  const targets = [0, 4, 5, 11, 12, 22]; // shortlist, edges of both clusters
  const g = new Graph("adaptive", { maxNodeTensors: Infinity });
  const params = new Map(
    m.namedParameters().map(([n, p]) => [p, g.input(n, "float64", p.shape)]),
  );
  const ctx = new BuildContext(g, { training: false, parameters: params });
  const xs = g.input("x", "float64", [R, H]);
  const ts = g.input("t", "int64", [R]);
  const out = m.forward(ctx, xs);
  g.output(out.logProbs, "logp");
  g.output(out.nll(ts), "nll");
  const session = await Session.create(saveGraph(g), { threads: 1 });
  const feeds = Object.fromEntries([
    ...[...weights].map((
      [n, w],
    ) => [n, tensor("float64", m.namedParameters().find(([k]) => k === n)![1].shape, w)]),
    ["x", tensor("float64", [R, H], x)],
    ["t", tensor("int64", [R], targets.map(BigInt))],
  ]);
  const result = await session.run(feeds);
  await session.release();
  const logp = result.logp.data as Float64Array;
  for (let i = 0; i < R; i++) {
    const row = x.slice(i * H, (i + 1) * H);
    const head = logSoftmax(linear(row, weights.get("head.weight")!, 7));
    const want: number[] = head.slice(0, 5);
    [[4, 7], [1, 11]].forEach(([hidden, size], c) => {
      const proj = linear(row, weights.get(`tail.${c}.0.weight`)!, hidden);
      const tail = logSoftmax(linear(proj, weights.get(`tail.${c}.1.weight`)!, size));
      want.push(...tail.map((v) => v + head[5 + c]));
    });
    const got = Array.from(logp.subarray(i * V, (i + 1) * V));
    got.forEach((v, k) =>
      assert.ok(Math.abs(v - want[k]) < 1e-12, `row ${i} token ${k}: ${v} vs ${want[k]}`)
    );
    const sum = got.reduce((s, v) => s + Math.exp(v), 0);
    assert.ok(Math.abs(sum - 1) < 1e-12, `row ${i} sums to ${sum}`);
    const nll = (result.nll.data as Float64Array)[i];
    assert.ok(
      Math.abs(nll + want[targets[i]]) < 1e-12,
      `row ${i}: nll ${nll} vs ${-want[targets[i]]}`,
    );
  }
});

Deno.test("nll()'s gradients match finite differences on the input and every weight", async () => {
  const m = new AdaptiveSoftmax(8, 11, [3, 7], { divValue: 2, headBias: true });
  const R = 4;
  const r = rng(9);
  const named = m.namedParameters();
  const inputs: Record<string, { dtype: "float64" | "int64"; shape: number[]; data: number[] }> = {
    x: { dtype: "float64", shape: [R, 8], data: Array.from({ length: R * 8 }, () => r() * 2 - 1) },
    t: { dtype: "int64", shape: [R], data: [1, 3, 8, 10] },
  };
  for (const [n, p] of named) {
    inputs[n] = {
      dtype: "float64",
      shape: [...p.shape],
      data: Array.from({ length: p.size }, () => r() - 0.5),
    };
  }
  await checkGrad("adaptive softmax nll", inputs, (xs, g) => {
    const ctx = new BuildContext(g, {
      training: false,
      parameters: new Map(named.map(([n, p]) => [p, xs[n]])),
    });
    return m.forward(ctx, xs.x).nll(xs.t);
  });
});
