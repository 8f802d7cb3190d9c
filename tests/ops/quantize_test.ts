import assert from "node:assert/strict";
import { Graph, GraphBuildError, saveGraph } from "../../src/graph/mod.ts";
import { tensor } from "../../src/onnx/tensor.ts";
import { cast, dequantizeLinear } from "../../src/ops/elementwise.ts";
import { Session } from "../../src/runtime/session.ts";
import { type ModelToCheck, referenceCheckTest } from "../helpers/onnx_checker.ts";
import { toFloat16 } from "../../src/export/weight_storage.ts";

const checked: ModelToCheck[] = [];

Deno.test("dequantizeLinear() scales each row of int8 values (per-axis, zero point 0 or given)", async () => {
  const g = new Graph("dequantize");
  const q = Int8Array.of(127, -127, 3, 0, -64, 10);
  const x = g.initializer("x", tensor("int8", [2, 3], q));
  const scale = g.initializer("scale", tensor("float32", [2], [0.5, 0.25]));
  const zero = g.initializer("zero", tensor("int8", [2], [1, -2]));
  const y = dequantizeLinear(x, scale, null, { axis: 0 });
  const z = dequantizeLinear(x, scale, zero, { axis: 0 });
  assert.equal(y.dtype, "float32");
  assert.deepEqual(y.shape, [2, 3]);
  g.output(y, "y");
  g.output(z, "z");
  const bytes = saveGraph(g);
  checked.push({ label: "DequantizeLinear per axis", bytes });
  const session = await Session.create(bytes);
  const out = await session.run({});
  await session.release();
  const scales = [0.5, 0.5, 0.5, 0.25, 0.25, 0.25];
  const zeros = [1, 1, 1, -2, -2, -2];
  assert.deepEqual([...out.y.data], [...q].map((v, i) => v * scales[i]));
  assert.deepEqual([...out.z.data], [...q].map((v, i) => (v - zeros[i]) * scales[i]));
});

Deno.test("dequantizeLinear() refuses what ONNX refuses, naming the input", () => {
  const g = new Graph("bad");
  const x = g.initializer("x", tensor("int8", [2, 3], new Int8Array(6)));
  const f = g.initializer("f", tensor("float32", [2, 3], new Float32Array(6)));
  const s2 = g.initializer("s2", tensor("float32", [2], [1, 1]));
  const s3 = g.initializer("s3", tensor("float32", [3], [1, 1, 1]));
  assert.throws(
    () => dequantizeLinear(f, s2, null, { axis: 0 }),
    (e) =>
      e instanceof GraphBuildError && /input "x" must be int8: got float32\[2, 3\]/.test(e.message),
  );
  assert.throws(
    () => dequantizeLinear(x, s3, null, { axis: 0 }),
    /one scale per slice of axis 0 \(2\): got 3/,
  );
  assert.throws(() => dequantizeLinear(x, f), /"x_scale" must be a scalar or 1-D: got rank 2/);
});

Deno.test("cast() turns float16 weights into float32", async () => {
  const g = new Graph("half");
  const w = g.initializer("w", tensor("float16", [3], toFloat16(Float32Array.of(0.1, -2, 1e5))));
  g.output(cast(w, "float32"), "y");
  const bytes = saveGraph(g);
  checked.push({ label: "Cast float16 -> float32", bytes });
  const session = await Session.create(bytes);
  const { y } = await session.run({});
  await session.release();
  assert.deepEqual([...y.data], [Math.f16round(0.1), -2, Infinity]);
});

referenceCheckTest("DequantizeLinear and float16 graphs pass the reference ONNX checker", checked);
