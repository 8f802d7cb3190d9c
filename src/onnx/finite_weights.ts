/**
 * NaN and infinity in a model's weights: a run that diverged, or a damaged file, still loads
 * and runs, and then predicts the same token forever with a probability of "NaN%". This scan
 * finds them before a session opens: one pass over each float initializer's bytes, read
 * straight off the protobuf wire format (as `model_header.ts` does: no copy of the weights and
 * no generated decoders). Float32, float16 and float64 values are checked; int8 weights are
 * always finite, and their scales are float32 initializers of their own. Browser-compatible.
 *
 * @example
 * ```ts
 * import { countNonFinite, nonFiniteText } from "./finite_weights.ts";
 * const bad = countNonFinite(Float32Array.of(1, NaN, Infinity, 0));
 * nonFiniteText({ name: "h_o.weight", bad, total: 4 }); // 'weight "h_o.weight" holds 2 NaN/Inf values of 4'
 * ```
 * @module
 */

import type protobuf from "protobufjs";
import { fields, LENGTH_DELIMITED } from "./model_header.ts";

/** A weight that holds values that are not finite. */
export interface NonFiniteWeight {
  /** The initializer's name. */
  readonly name: string;
  /** How many of its values are NaN or infinite. */
  readonly bad: number;
  /** How many values it holds. */
  readonly total: number;
}

/**
 * How many values are NaN or infinite.
 *
 * @param data Numbers (a checkpoint's float32 tensor).
 * @returns The count.
 */
export function countNonFinite(data: ArrayLike<number>): number {
  let bad = 0;
  // x - x is 0 for every finite x, NaN for NaN and for either infinity.
  for (let i = 0; i < data.length; i++) if (data[i] - data[i] !== 0) bad++;
  return bad;
}

/**
 * Counts non-finite IEEE floats in little-endian bytes by their exponent bits alone (all ones
 * means infinity or NaN), so the bytes may sit at any offset of the file: no aligned copy.
 *
 * @param bytes The values' bytes.
 * @param width Bytes per value: 2, 4 or 8.
 * @returns The count.
 */
function countInBytes(bytes: Uint8Array, width: 2 | 4 | 8): number {
  let bad = 0;
  if (width === 4) {
    for (let i = 3; i < bytes.length; i += 4) {
      if ((bytes[i] & 0x7f) === 0x7f && (bytes[i - 1] & 0x80) !== 0) bad++;
    }
  } else if (width === 2) {
    for (let i = 1; i < bytes.length; i += 2) if ((bytes[i] & 0x7c) === 0x7c) bad++;
  } else {
    for (let i = 7; i < bytes.length; i += 8) {
      if ((bytes[i] & 0x7f) === 0x7f && (bytes[i - 1] & 0xf0) === 0xf0) bad++;
    }
  }
  return bad;
}

// ONNX TensorProto.DataType codes of the float types, and their widths in bytes.
const WIDTH: Readonly<Record<number, 2 | 4 | 8>> = { 1: 4, 10: 2, 11: 8 };

/** One TensorProto's name, and its count of values and of non-finite ones. */
function scanTensor(bytes: Uint8Array): NonFiniteWeight | undefined {
  let name = "";
  let type = 0;
  let raw: Uint8Array | undefined;
  const floats: Uint8Array[] = []; // float_data (4) and double_data (10), packed or not
  const halves: number[] = []; // float16 bits, in int32_data (5), packed or not
  const packedInts = (r: protobuf.Reader) => {
    const end = r.uint32() + r.pos;
    while (r.pos < end) halves.push(r.int32());
  };
  fields(bytes, (n, wire, r) => {
    if (n === 2 && wire === 0) type = r.int32();
    else if (n === 8 && wire === LENGTH_DELIMITED) name = r.string();
    else if (n === 9 && wire === LENGTH_DELIMITED) raw = r.bytes();
    else if ((n === 4 || n === 10) && wire === LENGTH_DELIMITED) floats.push(r.bytes());
    else if (n === 4 && wire === 5) floats.push(Uint8Array.from(r.buf.subarray(r.pos, r.pos += 4)));
    else if (n === 10 && wire === 1) {
      floats.push(Uint8Array.from(r.buf.subarray(r.pos, r.pos += 8)));
    } else if (n === 5 && wire === LENGTH_DELIMITED) packedInts(r);
    else if (n === 5 && wire === 0) halves.push(r.int32());
    else return false;
    return true;
  });
  const width = WIDTH[type];
  if (width === undefined) return undefined;
  if (raw && raw.length > 0) {
    return { name, bad: countInBytes(raw, width), total: raw.length / width };
  }
  if (width === 2) {
    const bad = halves.filter((h) => (h & 0x7c00) === 0x7c00).length;
    return { name, bad, total: halves.length };
  }
  let bad = 0;
  let total = 0;
  for (const part of floats) {
    bad += countInBytes(part, width);
    total += part.length / width;
  }
  return { name, bad, total };
}

/**
 * The float initializers of a model that hold NaN or infinite values, in file order.
 *
 * @param bytes A `.onnx` file that `readModelHeader` has read (so its structure is sound).
 * @returns The weights with at least one non-finite value (none for a healthy model).
 */
export function nonFiniteWeights(bytes: Uint8Array): NonFiniteWeight[] {
  const found: NonFiniteWeight[] = [];
  fields(bytes, (n, wire, r) => {
    if (n !== 7 || wire !== LENGTH_DELIMITED) return false; // ModelProto.graph
    fields(r.bytes(), (g, gw, gr) => {
      if (g !== 5 || gw !== LENGTH_DELIMITED) return false; // GraphProto.initializer
      const weight = scanTensor(gr.bytes());
      if (weight && weight.bad > 0) found.push(weight);
      return true;
    });
    return true;
  });
  return found;
}

/** `3000` → `3,000`, the same in every locale. */
function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * A weight's non-finite values in words, for messages.
 *
 * @param weight The weight.
 * @param noun What to call it (`weight`, `tensor`).
 * @returns `weight "h_o.weight" holds 12 NaN/Inf values of 3,000`.
 */
export function nonFiniteText(weight: NonFiniteWeight, noun = "weight"): string {
  return `${noun} "${weight.name}" holds ${grouped(weight.bad)} NaN/Inf value${
    weight.bad === 1 ? "" : "s"
  } of ${grouped(weight.total)}`;
}

/**
 * Why a model cannot be used because of its weights, or undefined when they are all finite.
 *
 * @param bytes The `.onnx` file (its header already read).
 * @returns `weight "h_o.weight" holds 12 NaN/Inf values of 3,000 (and 2 more weights): ...`.
 */
export function nonFiniteProblem(bytes: Uint8Array): string | undefined {
  const found = nonFiniteWeights(bytes);
  if (found.length === 0) return undefined;
  const more = found.length > 1
    ? ` (and ${found.length - 1} more weight${found.length > 2 ? "s" : ""})`
    : "";
  return `${nonFiniteText(found[0])}${more}: the model diverged during training ` +
    `(train again with a lower --lr) or the file is damaged`;
}
