/**
 * Batches cut from a token-id array on demand, so a corpus of any size costs its id array
 * and one batch at a time. The layout is the book's, applied to a stream:
 *
 * - `three-token` / `three-token-stateful`: samples `(ids[3i..3i+3], ids[3i+3])` for
 *   `i in range(0, len - 4, 3)` (the book's bounds);
 * - `sequence`: samples `(ids[i·sl..+sl], ids[i·sl+1..+sl+1])` for
 *   `i in range(0, len - sl - 1, sl)`;
 * - every stateful layout reads them through `group_chunks` (batch `k`, row `j` holds sample
 *   `k + m·j`, `m = floor(n / bs)`), so a row continues the text of the row before;
 * - `windows` (a transformer's): training draws random windows (`random_windows.ts`); its
 *   validation reads the `sequence` layout, every token predicted once.
 *
 * @module
 */

import type { Batch } from "./batches.ts";

/** Which sample layout a model trains on (BOOK.md, "Data pipelines"; `windows`: the GPT's). */
export type DataKind = "three-token" | "three-token-stateful" | "sequence" | "windows";

/**
 * Whether a layout's rows are `sl` tokens with a target per token (`sequence`, `windows`),
 * rather than three tokens and one target.
 *
 * @param data The layout.
 * @returns True for `sequence` and `windows`.
 */
export function rowsOfTokens(data: DataKind): boolean {
  return data === "sequence" || data === "windows";
}

/** Batches by index: an array of batches or a view of a stream. */
export interface BatchSource {
  /** Number of batches. */
  readonly length: number;
  /**
   * One batch.
   *
   * @param i Batch index in `0..length-1`.
   * @returns The batch.
   */
  batch(i: number): Batch;
}

/**
 * Wraps precomputed batches.
 *
 * @param batches The batches.
 * @returns A source over them.
 */
export function arrayBatches(batches: readonly Batch[]): BatchSource {
  return { length: batches.length, batch: (i) => batches[i] };
}

/** How to cut a stream. */
export interface StreamBatchOptions {
  /** Sample layout. */
  readonly data: DataKind;
  /** Batch size. */
  readonly bs: number;
  /** Tokens per sample for `sequence` (3 otherwise). */
  readonly sl: number;
  /** Keep a last partial batch (non-stateful validation, as fastai does). */
  readonly keepLast?: boolean;
}

/**
 * Number of samples the layout takes from `tokens` ids.
 *
 * @param tokens Length of the stream.
 * @param data Layout.
 * @param sl Sequence length for `sequence`.
 * @returns The count (0 when the stream is too short).
 */
export function sampleCount(tokens: number, data: DataKind, sl: number): number {
  const width = rowsOfTokens(data) ? sl : 3;
  const span = tokens - width - 1; // range(0, span, width)
  return span > 0 ? Math.ceil(span / width) : 0;
}

/**
 * A view of `ids` as batches.
 *
 * @param ids Token ids.
 * @param options Layout, batch size, sequence length.
 * @returns The batches, computed when asked for.
 */
export function streamBatches(ids: Int32Array, options: StreamBatchOptions): BatchSource {
  const { data, bs } = options;
  const sequence = rowsOfTokens(data);
  const width = sequence ? options.sl : 3;
  const n = sampleCount(ids.length, data, width);
  const grouped = data !== "three-token";
  const m = Math.floor(n / bs);
  // group_chunks drops the last n % bs samples; batching then keeps m full batches.
  const length = grouped ? m : options.keepLast ? Math.ceil(n / bs) : m;
  const sampleAt = (position: number) =>
    grouped ? (position % bs) * m + Math.floor(position / bs) : position;
  return {
    length,
    batch(k: number): Batch {
      if (!Number.isInteger(k) || k < 0 || k >= length) {
        throw new RangeError(`batch(): index must be an integer in 0..${length - 1}: got ${k}`);
      }
      const rows = Math.min(bs, n - k * bs);
      const x = new BigInt64Array(rows * width);
      const y = new BigInt64Array(sequence ? rows * width : rows);
      for (let j = 0; j < rows; j++) {
        const start = sampleAt(k * bs + j) * width;
        for (let t = 0; t < width; t++) x[j * width + t] = BigInt(ids[start + t]);
        if (sequence) {
          for (let t = 0; t < width; t++) y[j * width + t] = BigInt(ids[start + 1 + t]);
        } else y[j] = BigInt(ids[start + 3]);
      }
      return { x, xDims: [rows, width], y, yDims: sequence ? [rows, width] : [rows] };
    },
  };
}

/**
 * The fewest tokens a stream needs for one batch in a layout.
 *
 * @param data Layout.
 * @param bs Batch size.
 * @param sl Sequence length for `sequence`.
 * @param keepLast Whether a partial batch counts (non-stateful validation).
 * @returns The token count.
 */
export function tokensForOneBatch(
  data: DataKind,
  bs: number,
  sl: number,
  keepLast = false,
): number {
  const width = rowsOfTokens(data) ? sl : 3;
  const samples = keepLast && data === "three-token" ? 1 : bs;
  // sampleCount(len) >= samples  <=>  len - width - 1 > (samples - 1) * width
  return samples * width + 2;
}

/** The batches a learner trains and validates on. */
export interface TrainData {
  /** Training batches, in order. */
  readonly train: BatchSource;
  /** Validation batches, in order. */
  readonly valid: BatchSource;
  /**
   * Each epoch's own training batches, where they differ (random windows, drawn afresh every
   * epoch); absent: every epoch reads `train`.
   */
  readonly trainEpoch?: (epoch: number) => BatchSource;
}
