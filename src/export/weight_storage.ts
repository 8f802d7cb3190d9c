/**
 * How an export stores its weights, and the graph nodes that bring them back to float32:
 *
 * - `float32`: as trained;
 * - `float16`: every matrix as IEEE half floats (round to nearest even), then `Cast` to float32:
 *   half the bytes;
 * - `int8`: every matrix as int8 with one float32 scale per row (symmetric, zero point 0, values
 *   in [-127, 127]), then `DequantizeLinear` along axis 0: a quarter of the bytes. A row is an
 *   output channel of a Linear or recurrent weight, and one token's vector of an embedding.
 *
 * Vectors (biases) stay float32 in every mode: they are a small share of the bytes, and a
 * bias's error is added to every output. The graph computes in float32 either way.
 * Browser-compatible.
 *
 * @example
 * ```ts
 * import { fromFloat16, quantizeRows, toFloat16 } from "./weight_storage.ts";
 * fromFloat16(toFloat16(Float32Array.of(0.1)))[0]; // 0.0999755859375
 * quantizeRows(Float32Array.of(1, -0.5, 0.25, 0), 2, 2).q; // Int8Array [127, -64, 127, 0]
 * ```
 * @module
 */

import type { Graph, Value } from "../graph/graph.ts";
import { tensor } from "../onnx/tensor.ts";
import { cast, dequantizeLinear } from "../ops/elementwise.ts";

/** Ways to store an export's weights. */
export const WEIGHT_STORAGES = ["float32", "float16", "int8"] as const;

/** How an export stores its weights. */
export type WeightStorage = typeof WEIGHT_STORAGES[number];

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * The IEEE half-precision bits of a number, rounded to nearest even (overflow gives infinity).
 *
 * @param value A number.
 * @returns Its 16 bits.
 */
export function float16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // infinity, NaN
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) { // a subnormal half, or zero
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rest > mid || (rest === mid && (half & 1))) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  // A carry out of the mantissa moves into the exponent, as rounding should.
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1))) half++;
  return sign | half;
}

/**
 * Float32 values as half-precision bits.
 *
 * @param data The values.
 * @returns Their bits (what ONNX stores for FLOAT16).
 */
export function toFloat16(data: Float32Array): Uint16Array {
  return Uint16Array.from(data, float16Bits);
}

/**
 * Half-precision bits back to numbers.
 *
 * @param bits The bits.
 * @returns The values.
 */
export function fromFloat16(bits: Uint16Array): Float32Array {
  return Float32Array.from(bits, (h) => {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0) return sign * mant * 2 ** -24;
    if (exp === 0x1f) return mant ? NaN : sign * Infinity;
    return sign * (1 + mant / 1024) * 2 ** (exp - 15);
  });
}

/**
 * Symmetric int8 quantization with one scale per row: `scale = max|row| / 127`, `q =
 * round(x / scale)`. A row of zeros gets scale 1 (and zeros).
 *
 * @param data A row-major matrix.
 * @param rows Its rows.
 * @param cols Its columns.
 * @returns The int8 values and the scales.
 */
export function quantizeRows(
  data: Float32Array,
  rows: number,
  cols: number,
): { q: Int8Array; scale: Float32Array } {
  if (data.length !== rows * cols) {
    throw new RangeError(`quantizeRows(): ${data.length} values for ${rows} x ${cols}`);
  }
  const q = new Int8Array(data.length);
  const scale = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let c = 0; c < cols; c++) max = Math.max(max, Math.abs(data[r * cols + c]));
    // The scale is stored as float32: quantize with the value the graph will multiply by.
    const s = Math.fround(max === 0 ? 1 : max / 127);
    scale[r] = s;
    for (let c = 0; c < cols; c++) {
      q[r * cols + c] = Math.max(-127, Math.min(127, Math.round(data[r * cols + c] / s)));
    }
  }
  return { q, scale };
}

/**
 * A weight as a graph value: a float32 initializer, or a compressed one with the node that
 * brings it back to float32.
 *
 * @param g The graph.
 * @param name The parameter's name (the initializer keeps it; an int8 weight's scales are
 *   `<name>.scale`).
 * @param shape Its shape.
 * @param data Its trained values.
 * @param storage How to store it.
 * @returns The float32 value the model computes with.
 */
export function storeWeight(
  g: Graph,
  name: string,
  shape: readonly number[],
  data: Float32Array,
  storage: WeightStorage,
): Value {
  if (storage === "float32" || shape.length < 2) {
    return g.initializer(name, tensor("float32", shape, data));
  }
  if (storage === "float16") {
    return cast(g.initializer(name, tensor("float16", shape, toFloat16(data))), "float32");
  }
  const rows = shape[0];
  const { q, scale } = quantizeRows(data, rows, data.length / rows);
  const x = g.initializer(name, tensor("int8", shape, q));
  const s = g.initializer(`${name}.scale`, tensor("float32", [rows], scale));
  return dequantizeLinear(x, s, null, { axis: 0 });
}
