import assert from "node:assert/strict";
import {
  float16Bits,
  fromFloat16,
  quantizeRows,
  toFloat16,
} from "../../src/export/weight_storage.ts";
import { mulberry32 } from "../../src/generate/sampling.ts";

Deno.test("float16Bits() rounds to nearest even as Math.f16round does, edge cases included", () => {
  const r = mulberry32(3);
  const values = [
    0,
    -0,
    1,
    -1,
    65504, // the largest half
    65520, // rounds up past it: infinity
    1e-8, // below the smallest subnormal: zero
    2 ** -24, // the smallest subnormal
    3 * 2 ** -25, // a tie between subnormals
    1 + 2 ** -11, // a tie: even mantissa kept
    1 + 3 * 2 ** -11, // a tie: rounds up to even
    Infinity,
    -Infinity,
    ...Array.from({ length: 20000 }, () => (r() - 0.5) * 2 ** (Math.floor(r() * 40) - 20)),
  ];
  for (const v of values) {
    const want = Math.f16round(v);
    const got = fromFloat16(Uint16Array.of(float16Bits(v)))[0];
    assert.ok(Object.is(got, want), `${v}: got ${got}, Math.f16round gives ${want}`);
  }
  assert.ok(Number.isNaN(fromFloat16(toFloat16(Float32Array.of(NaN)))[0]));
});

Deno.test("quantizeRows() keeps each row within half a step of its own scale", () => {
  const r = mulberry32(5);
  const [rows, cols] = [7, 33];
  const data = Float32Array.from(
    { length: rows * cols },
    (_, i) => i < cols ? 0 : (r() - 0.5) * 10 ** (i % 5),
  );
  const { q, scale } = quantizeRows(data, rows, cols);
  assert.equal(scale[0], 1, "a row of zeros gets scale 1");
  assert.ok(q.subarray(0, cols).every((v) => v === 0));
  for (let row = 1; row < rows; row++) {
    const slice = data.subarray(row * cols, (row + 1) * cols);
    const max = Math.max(...slice.map(Math.abs));
    assert.equal(scale[row], Math.fround(max / 127));
    for (let c = 0; c < cols; c++) {
      const back = q[row * cols + c] * scale[row];
      assert.ok(Math.abs(back - slice[c]) <= scale[row] / 2 + 1e-6 * max, `row ${row} col ${c}`);
      assert.ok(Math.abs(q[row * cols + c]) <= 127);
    }
    assert.ok(q.subarray(row * cols, (row + 1) * cols).some((v) => Math.abs(v) === 127));
  }
  assert.throws(() => quantizeRows(data, 2, 2), /quantizeRows\(\): 231 values for 2 x 2/);
});
