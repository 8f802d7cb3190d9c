/**
 * The book's `group_chunks`: reorder samples so each batch row reads contiguous text.
 * @module
 */

/**
 * Reorder `ds` so that, batched by `bs` in order, row `j` of consecutive batches holds
 * consecutive samples of the `j`-th stretch of the data.
 *
 * With `m = floor(len / bs)` the new order is `ds[i + m*j]` for `i` in `0..m-1` (outer)
 * and `j` in `0..bs-1` (inner). The last `len % bs` samples are dropped, as in the book.
 * A stateful model (LMModel3 onwards) needs this so the hidden state carried into row `j`
 * of batch `k+1` belongs to the text just before it.
 *
 * @example
 * ```ts
 * import { groupChunks } from "./group_chunks.ts";
 * groupChunks([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 3); // [0, 3, 6, 1, 4, 7, 2, 5, 8]
 * ```
 * @param ds The samples in corpus order.
 * @param bs Batch size, at least 1 and at most `ds.length`.
 * @returns `m * bs` samples in the new order.
 * @throws {RangeError} When `bs` is not an integer in `1..ds.length`.
 */
export function groupChunks<T>(ds: readonly T[], bs: number): T[] {
  if (!Number.isInteger(bs) || bs < 1) {
    throw new RangeError(`groupChunks(): bs must be an integer >= 1: got ${bs}`);
  }
  if (ds.length < bs) {
    // m would be 0 and every sample silently dropped.
    throw new RangeError(
      `groupChunks(): ds must hold at least bs = ${bs} items: got ${ds.length}`,
    );
  }
  const m = Math.floor(ds.length / bs);
  const out: T[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < bs; j++) out.push(ds[i + m * j]);
  }
  return out;
}
