// erf: float32 by onnxruntime's Erf node (its gradient rule by central differences in
// float32), float64 by the series (against known values to float64 precision, and its own
// central differences).
import assert from "node:assert/strict";
import { backward } from "../../src/grad/backward.ts";
import { Graph, saveGraph } from "../../src/graph/mod.ts";
import { tensor } from "../../src/onnx/tensor.ts";
import { constant } from "../../src/ops/constant.ts";
import { mul } from "../../src/ops/elementwise.ts";
import { erf } from "../../src/ops/erf.ts";
import { reduceSum } from "../../src/ops/reduce.ts";
import { Session } from "../../src/runtime/session.ts";
import { checkGrad } from "../grad/fd.ts";

// erf at these points (Python's math.erf, the C library's): facts to compare with.
const KNOWN: readonly [number, number][] = [
  [0, 0],
  [0.1, 0.1124629160182849],
  [0.5, 0.5204998778130465],
  [1, 0.8427007929497149],
  [-1.5, -0.9661051464753108],
  [2, 0.9953222650189527],
  [3, 0.9999779095030014],
  [4, 0.9999999845827421],
  [5.5, 0.9999999999999927],
  [-7, -1],
  [40, 1],
];

async function evaluate(dtype: "float32" | "float64"): Promise<Float32Array | Float64Array> {
  const g = new Graph(`erf_${dtype}`);
  const x = g.input("x", dtype, [KNOWN.length]);
  g.output(erf(x), "y");
  assert.equal(g.nodes.some((n) => n.opType === "Erf"), dtype === "float32");
  const session = await Session.create(saveGraph(g), { threads: 1 });
  try {
    const out = await session.run({ x: tensor(dtype, [KNOWN.length], KNOWN.map(([v]) => v)) });
    return out.y.data as Float32Array | Float64Array;
  } finally {
    await session.release();
  }
}

Deno.test("erf(): float64 within 1e-15 of the known values, float32 (the Erf node) within 2e-7", async () => {
  const [f64, f32] = [await evaluate("float64"), await evaluate("float32")];
  KNOWN.forEach(([x, want], i) => {
    assert.ok(Math.abs(f64[i] - want) <= 1e-15, `float64 erf(${x}) = ${f64[i]}, want ${want}`);
    assert.ok(Math.abs(f32[i] - want) <= 2e-7, `float32 erf(${x}) = ${f32[i]}, want ${want}`);
  });
});

const POINTS = [-2.5, -1.2, -0.3, 0, 0.2, 0.9, 1.7, 3.1];

Deno.test("float64 erf()'s gradient (through its series) matches central differences", async () => {
  await checkGrad(
    "erf float64",
    { x: { dtype: "float64", shape: [2, 4], data: POINTS } },
    (x) => erf(x.x),
  );
});

Deno.test("the Erf node's gradient rule matches central differences (float32)", async () => {
  // checkGrad runs float64 graphs (the series); the rule serves float32 ones, checked here in
  // float32 with a wide step: its truncation error, h^2 max|erf'''| / 6, is under 1e-4.
  const weights = [0.3, -0.7, 1.1, 0.5, -0.2, 0.9, -1.3, 0.4];
  const g = new Graph("erf_rule");
  const x = g.input("x", "float32", [8]);
  const loss = reduceSum(mul(erf(x), constant(g, tensor("float32", [8], weights))), [], {
    keepdims: false,
  });
  g.output(loss, "loss");
  g.output(backward(loss, [x])[0], "dx");
  assert.ok(g.nodes.some((n) => n.opType === "Erf"));
  const session = await Session.create(saveGraph(g), { threads: 1 });
  try {
    const run = async (xs: number[]) => await session.run({ x: tensor("float32", [8], xs) });
    const dx = (await run(POINTS)).dx.data as Float32Array;
    const h = 1e-2;
    for (let i = 0; i < POINTS.length; i++) {
      const at = (d: number) => POINTS.map((v, j) => (j === i ? v + d : v));
      const [up, down] = [await run(at(h)), await run(at(-h))];
      const numeric = ((up.loss.data[0] as number) - (down.loss.data[0] as number)) / (2 * h);
      assert.ok(Math.abs(dx[i] - numeric) <= 2e-4, `d/dx[${i}]: rule ${dx[i]}, numeric ${numeric}`);
    }
  } finally {
    await session.release();
  }
});
