// LayerNorm (PyTorch's names, decay and defaults; against its definition in float64; finite
// differences on the input, weight and bias) and the exact GELU (known values; finite
// differences).
import assert from "node:assert/strict";
import { Graph, saveGraph } from "../../src/graph/mod.ts";
import { BuildContext } from "../../src/nn/build_context.ts";
import { gelu } from "../../src/nn/gelu.ts";
import { LayerNorm } from "../../src/nn/layer_norm.ts";
import { tensor } from "../../src/onnx/tensor.ts";
import { Session } from "../../src/runtime/session.ts";
import { checkGrad } from "../grad/fd.ts";
import { rng } from "../helpers/reference.ts";

const F = 5;

Deno.test("LayerNorm names its parameters as PyTorch, starts at weight 1 and bias 0, decays neither", () => {
  const m = new LayerNorm(F);
  assert.deepEqual(m.namedParameters().map(([n, p]) => [n, p.shape, p.decay]), [
    ["weight", [F], false],
    ["bias", [F], false],
  ]);
  const init = m.initParameters(1);
  assert.deepEqual([...init.get("weight")!], [1, 1, 1, 1, 1]);
  assert.deepEqual([...init.get("bias")!], [0, 0, 0, 0, 0]);
  assert.deepEqual(new LayerNorm(F, { bias: false }).namedParameters().map(([n]) => n), ["weight"]);
  const g = new Graph("ln");
  const ctx = new BuildContext(g, {
    parameters: new Map(m.namedParameters().map(([n, p]) => [p, g.input(n, "float64", p.shape)])),
  });
  assert.throws(
    () => m.forward(ctx, g.input("x", "float64", [2, 4])),
    /LayerNorm\(5\) needs an input whose last axis is 5: got \[2, 4\]/,
  );
});

Deno.test("LayerNorm equals its definition in float64 (biased variance, eps 1e-5)", async () => {
  const m = new LayerNorm(F);
  const r = rng(4);
  const rows = 3;
  const x = Array.from({ length: rows * F }, () => r() * 4 - 2);
  const w = Array.from({ length: F }, () => r() + 0.5);
  const b = Array.from({ length: F }, () => r() - 0.5);
  const g = new Graph("ln");
  const [wv, bv] = [g.input("weight", "float64", [F]), g.input("bias", "float64", [F])];
  const ctx = new BuildContext(g, { parameters: new Map([[m.weight, wv], [m.bias!, bv]]) });
  g.output(m.forward(ctx, g.input("x", "float64", [rows, F])), "y");
  const session = await Session.create(saveGraph(g), { threads: 1 });
  try {
    const out = await session.run({
      x: tensor("float64", [rows, F], x),
      weight: tensor("float64", [F], w),
      bias: tensor("float64", [F], b),
    });
    const y = out.y.data as Float64Array;
    for (let i = 0; i < rows; i++) {
      const row = x.slice(i * F, (i + 1) * F);
      const mean = row.reduce((s, v) => s + v, 0) / F;
      const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / F;
      row.forEach((v, k) => {
        const want = ((v - mean) / Math.sqrt(variance + 1e-5)) * w[k] + b[k];
        assert.ok(
          Math.abs(y[i * F + k] - want) < 1e-12,
          `[${i}, ${k}]: ${y[i * F + k]} vs ${want}`,
        );
      });
    }
  } finally {
    await session.release();
  }
});

Deno.test("LayerNorm's gradients match central differences on the input, weight and bias", async () => {
  const r = rng(8);
  const data = (n: number, lo: number, hi: number) =>
    Array.from({ length: n }, () => lo + (hi - lo) * r());
  for (const bias of [true, false]) {
    const m = new LayerNorm(F, { bias });
    const inputs = {
      x: { dtype: "float64" as const, shape: [2, 3, F], data: data(2 * 3 * F, -2, 2) },
      weight: { dtype: "float64" as const, shape: [F], data: data(F, 0.5, 1.5) },
      ...(bias
        ? { bias: { dtype: "float64" as const, shape: [F], data: data(F, -0.5, 0.5) } }
        : {}),
    };
    await checkGrad(`layer norm, bias ${bias}`, inputs, (xs, g) => {
      const params = new Map([
        [m.weight, xs.weight],
        ...(bias ? [[m.bias!, xs.bias]] as const : []),
      ]);
      return m.forward(new BuildContext(g, { parameters: params }), xs.x);
    });
  }
});

// 0.5 x (1 + erf(x / sqrt 2)) at these points (Python's math.erf): facts to compare with.
const GELU: readonly [number, number][] = [
  [-3, -0.00404969409489031],
  [-1, -0.15865525393145707],
  [-0.5, -0.15426876936299344],
  [0, 0],
  [0.5, 0.34573123063700656],
  [1, 0.8413447460685429],
  [2, 1.9544997361036416],
  [4, 3.9998733150326675],
];

Deno.test("gelu() is the exact GELU: within 1e-15 in float64 and 3e-7 in float32", async () => {
  for (const [dtype, tol] of [["float64", 1e-15], ["float32", 3e-7]] as const) {
    const g = new Graph(`gelu_${dtype}`);
    g.output(gelu(g.input("x", dtype, [GELU.length])), "y");
    const session = await Session.create(saveGraph(g), { threads: 1 });
    try {
      const out = await session.run({
        x: tensor(dtype, [GELU.length], GELU.map(([x]) => x)),
      });
      GELU.forEach(([x, want], i) => {
        const got = out.y.data[i] as number;
        assert.ok(
          Math.abs(got - want) <= tol * Math.max(1, Math.abs(want)),
          `${dtype} gelu(${x}) = ${got}, want ${want}`,
        );
      });
    } finally {
      await session.release();
    }
  }
});

Deno.test("gelu()'s gradient matches central differences (float64)", async () => {
  await checkGrad(
    "gelu",
    { x: { dtype: "float64", shape: [2, 4], data: [-3, -1.1, -0.4, 0, 0.3, 0.8, 1.6, 2.7] } },
    (x) => gelu(x.x),
  );
});
