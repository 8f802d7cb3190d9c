/**
 * Training batches as nanoGPT draws them (its `get_batch`): each row a window of `block` tokens
 * starting anywhere in the text, its targets the same window one token on. Where the recurrent
 * models read contiguous streams and carry their state, a transformer reads independent
 * windows. Drawn from a seed up front, so a run repeats and batch `k` is the same whenever it
 * is read.
 *
 * @module
 */

import { mulberry32 } from "../generate/sampling.ts";
import type { Batch } from "./batches.ts";
import type { BatchSource } from "./stream_batches.ts";

/** How to draw the windows. */
export interface RandomWindowOptions {
  /** Rows per batch. */
  readonly bs: number;
  /** Tokens per window (the model's context). */
  readonly block: number;
  /** Batches to draw. */
  readonly steps: number;
  /** Seed of the starting positions. */
  readonly seed: number;
}

/**
 * `steps` batches of `bs` windows of `ids`, each starting at a position drawn uniformly from
 * `0 .. ids.length - block - 1`.
 *
 * @param ids The text's token ids.
 * @param options Batch size, window, batch count and seed.
 * @returns The batches (`x` and `y` each `[bs, block]`).
 * @throws RangeError for sizes that are not positive integers, or a text too short for one
 *   window and its next token.
 */
export function randomWindows(ids: Int32Array, options: RandomWindowOptions): BatchSource {
  const { bs, block, steps, seed } = options;
  for (const [name, v] of [["bs", bs], ["block", block], ["steps", steps]] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`randomWindows: ${name} must be an integer >= 1: got ${v}`);
    }
  }
  const starts = ids.length - block;
  if (starts < 1) {
    throw new RangeError(
      `randomWindows: the text has ${ids.length} tokens, fewer than a window of ${block} and ` +
        `its next token`,
    );
  }
  const random = mulberry32(seed);
  const offsets = Int32Array.from({ length: steps * bs }, () => Math.floor(random() * starts));
  return {
    length: steps,
    batch(k: number): Batch {
      if (!Number.isInteger(k) || k < 0 || k >= steps) {
        throw new RangeError(`batch(): index must be an integer in 0..${steps - 1}: got ${k}`);
      }
      const x = new BigInt64Array(bs * block);
      const y = new BigInt64Array(bs * block);
      for (let r = 0; r < bs; r++) {
        const start = offsets[k * bs + r];
        for (let t = 0; t < block; t++) {
          x[r * block + t] = BigInt(ids[start + t]);
          y[r * block + t] = BigInt(ids[start + t + 1]);
        }
      }
      return { x, xDims: [bs, block], y, yDims: [bs, block] };
    },
  };
}
