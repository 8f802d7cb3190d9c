/**
 * Batching samples into int64 tensors laid out for onnxruntime.
 * @module
 */

import type { SequenceSample, TokenSample } from "./samples.ts";

/**
 * One batch as flat row-major int64 data plus dims, ready for
 * `new ort.Tensor("int64", x, xDims)`.
 */
export interface Batch {
  /** Inputs, row-major, `b * xDims[1]` values. */
  x: BigInt64Array;
  /** `[b, 3]` for 3-token samples, `[b, sl]` for sequence samples. */
  xDims: number[];
  /** Targets, row-major. */
  y: BigInt64Array;
  /** `[b]` for 3-token samples, `[b, sl]` for sequence samples. */
  yDims: number[];
}

/** Options for {@link batchify}. */
export interface BatchifyOptions {
  /** Drop a last batch smaller than `bs` (PyTorch's `drop_last`); default false. */
  dropLast?: boolean;
}

/** Width of one target: 0 for a scalar target, else the target length. */
function targetWidth(y: number | number[]): number {
  return typeof y === "number" ? 0 : y.length;
}

/** Describe a sample's shape for an error message. */
function describe(s: TokenSample | SequenceSample): string {
  const y = typeof s.y === "number" ? "a scalar y" : `y length ${s.y.length}`;
  return `x length ${s.x.length} and ${y}`;
}

/** Throw unless every sample has the same input length and target shape as the first. */
function checkUniform(samples: readonly (TokenSample | SequenceSample)[]): void {
  const xLen = samples[0].x.length;
  const yWidth = targetWidth(samples[0].y);
  samples.forEach((s, i) => {
    if (s.x.length !== xLen || targetWidth(s.y) !== yWidth) {
      throw new RangeError(
        `batchify(): samples must share one shape: sample 0 has ${describe(samples[0])}, ` +
          `sample ${i} has ${describe(s)}`,
      );
    }
  });
}

/** Pack samples into one batch. */
function packBatch(samples: readonly (TokenSample | SequenceSample)[]): Batch {
  const b = samples.length;
  const xLen = samples[0].x.length;
  const yWidth = targetWidth(samples[0].y);
  // BigInt() throws a RangeError on a non-integer index, which is the check we want.
  const x = BigInt64Array.from(samples.flatMap((s) => s.x), (v) => BigInt(v));
  const y = BigInt64Array.from(samples.flatMap((s) => s.y), (v) => BigInt(v));
  return { x, xDims: [b, xLen], y, yDims: yWidth === 0 ? [b] : [b, yWidth] };
}

/**
 * Cut samples into batches of `bs`, in order (no shuffling anywhere).
 *
 * @param samples Samples of one shape: all 3-token, or all sequences of one length.
 * @param bs Batch size, at least 1.
 * @param options `dropLast`: drop a last partial batch instead of keeping it.
 * @returns The batches; the last one may hold fewer than `bs` samples unless dropped.
 * @throws {RangeError} When `bs` is not a positive integer or the shapes differ.
 */
export function batchify(
  samples: readonly (TokenSample | SequenceSample)[],
  bs: number,
  options: BatchifyOptions = {},
): Batch[] {
  if (!Number.isInteger(bs) || bs < 1) {
    throw new RangeError(`batchify(): bs must be an integer >= 1: got ${bs}`);
  }
  if (samples.length === 0) return [];
  checkUniform(samples);
  const end = options.dropLast ? samples.length - (samples.length % bs) : samples.length;
  const batches: Batch[] = [];
  for (let i = 0; i < end; i += bs) batches.push(packBatch(samples.slice(i, i + bs)));
  return batches;
}
