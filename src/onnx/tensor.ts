/**
 * Dense tensors as plain data: an element type, dimensions and a typed array.
 *
 * @module
 */

import { formatList } from "./format.ts";
import { allocate, type DType, dtypeOfArray, type TypedArrayOf } from "./dtype.ts";

/** A dense, row-major tensor. */
export interface Tensor<D extends DType = DType> {
  /** Element type. */
  readonly dtype: D;
  /** Shape. */
  readonly dims: readonly number[];
  /** The elements, row-major. */
  readonly data: TypedArrayOf[D];
}

/**
 * Number of elements of a shape with static dimensions (1 for a scalar).
 *
 * @param dims Dimensions.
 * @returns Their product.
 */
export function sizeOf(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/**
 * Makes a tensor, checking that the data's kind and length agree with dtype and dims.
 *
 * @param dtype Element type.
 * @param dims Static dimensions (non-negative integers).
 * @param data Row-major elements; plain numbers (or bigints for int64) are copied into a
 *   typed array; booleans are stored as 0/1.
 * @returns The tensor.
 */
export function tensor<D extends DType>(
  dtype: D,
  dims: readonly number[],
  data: TypedArrayOf[D] | readonly (number | bigint | boolean)[],
): Tensor<D> {
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0) {
      throw new Error(
        `Cannot make a ${dtype} tensor: dims must be non-negative integers: got ${
          formatList(dims)
        }`,
      );
    }
  }
  const n = sizeOf(dims);
  let array: TypedArrayOf[D];
  if (ArrayBuffer.isView(data)) {
    const actual = dtypeOfArray(data);
    if (actual !== dtype) {
      throw new Error(
        `Cannot make a ${dtype} tensor from a ${data.constructor.name}: expected the ` +
          `typed array for ${dtype}`,
      );
    }
    array = data as TypedArrayOf[D];
  } else {
    const values = data as readonly (number | bigint | boolean)[];
    array = allocate(dtype, values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (dtype === "int64") (array as BigInt64Array)[i] = BigInt(v);
      else (array as Float32Array)[i] = Number(v);
    }
  }
  if (array.length !== n) {
    throw new Error(
      `Cannot make a ${dtype} tensor of dims ${
        formatList(dims)
      }: expected ${n} elements, got ${array.length}`,
    );
  }
  return { dtype, dims: [...dims], data: array };
}

/**
 * A scalar (rank-0) tensor.
 *
 * @param dtype Element type.
 * @param value The value.
 * @returns The tensor.
 */
export function scalar<D extends DType>(dtype: D, value: number | bigint | boolean): Tensor<D> {
  return tensor(dtype, [], [value]);
}
