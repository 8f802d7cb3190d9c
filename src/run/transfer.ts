/**
 * ULMFiT's transfer of a trained language model to a new vocabulary, as fastai's
 * `load_pretrained` does it with `match_embeds`: every parameter is copied, and the ones with a
 * row per token (the embedding, the decoder's weight and bias) are re-indexed by token string.
 * A token both vocabularies share keeps its row bit for bit; a token new to the child starts
 * from the mean of the parent's rows. Browser-compatible.
 *
 * @module
 */

import type { LanguageModel } from "../nn/language_model.ts";

/** The parent: its vocabulary and trained weights. */
export interface TransferSource {
  /** Tokens by id. */
  readonly vocab: readonly string[];
  /** Weights by parameter name. */
  readonly weights: ReadonlyMap<string, Float32Array>;
}

/** The child's initial weights and how its vocabulary met the parent's. */
export interface Transferred {
  /** Initial weights by parameter name (fresh arrays: the parent's are never aliased). */
  readonly init: Map<string, Float32Array>;
  /** Child tokens whose rows came from the parent. */
  readonly shared: number;
  /** Child tokens the parent did not have (started from its mean row). */
  readonly added: number;
  /** Parent tokens the child's vocabulary dropped. */
  readonly dropped: number;
}

/** Raised when the parent's weights do not fit the child's model. */
export class TransferError extends Error {
  /** The error name. */
  override name = "TransferError";
}

/**
 * The parameters with one row per token, found by building the model at two vocabulary sizes
 * and seeing which shapes change (so no model has to declare them).
 *
 * @param make The model at a vocabulary size, every other size fixed.
 * @returns Their names.
 * @throws TransferError for a parameter whose vocabulary axis is not the first.
 */
export function vocabParameters(make: (vocabSize: number) => LanguageModel): Set<string> {
  const a = new Map(make(2).namedParameters().map(([n, p]) => [n, p.shape]));
  const names = new Set<string>();
  for (const [name, p] of make(3).namedParameters()) {
    const other = a.get(name)!;
    const changed = p.shape.map((d, i) => d !== other[i]);
    if (!changed.some(Boolean)) continue;
    if (!changed[0] || changed.slice(1).some(Boolean)) {
      throw new TransferError(`parameter "${name}" has no per-token rows on its first axis`);
    }
    names.add(name);
  }
  return names;
}

/** Values per row of a parameter: the product of every dimension but the first. */
const rowLength = (shape: readonly number[]) => shape.slice(1).reduce((n, d) => n * d, 1);

/**
 * The child's initial weights: the parent's, re-indexed to the child's vocabulary.
 *
 * @param parent The parent's vocabulary and weights.
 * @param child The child's model (built at the child's vocabulary size).
 * @param vocab The child's vocabulary.
 * @param perToken The parameters with a row per token (`vocabParameters`).
 * @returns The weights and the overlap counts.
 * @throws TransferError naming a parameter the parent lacks or has at another size.
 */
export function transferWeights(
  parent: TransferSource,
  child: LanguageModel,
  vocab: readonly string[],
  perToken: ReadonlySet<string>,
): Transferred {
  const parentId = new Map<string, number>();
  parent.vocab.forEach((t, i) => parentId.set(t, i));
  const from = vocab.map((t) => parentId.get(t));
  const init = new Map<string, Float32Array>();
  for (const [name, p] of child.namedParameters()) {
    const w = parent.weights.get(name);
    if (!w) throw new TransferError(`the parent run has no parameter "${name}"`);
    if (!perToken.has(name)) {
      if (w.length !== p.size) {
        throw new TransferError(
          `parameter "${name}" has ${w.length} values in the parent run, the model needs ` +
            `${p.size} ([${p.shape.join(", ")}])`,
        );
      }
      init.set(name, Float32Array.from(w));
      continue;
    }
    const row = rowLength(p.shape);
    if (w.length !== row * parent.vocab.length) {
      throw new TransferError(
        `parameter "${name}" has ${w.length} values in the parent run, not ${parent.vocab.length} ` +
          `rows of ${row} (its vocabulary)`,
      );
    }
    init.set(name, reindexRows(w, row, parent.vocab.length, from));
  }
  const shared = from.filter((i) => i !== undefined).length;
  return { init, shared, added: vocab.length - shared, dropped: parent.vocab.length - shared };
}

/** Rows of `w` in the order `from` gives; the mean row (in float64, then rounded) for none. */
function reindexRows(
  w: Float32Array,
  row: number,
  rows: number,
  from: readonly (number | undefined)[],
): Float32Array {
  const sum = new Float64Array(row);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < row; k++) sum[k] += w[r * row + k];
  }
  const mean = Float32Array.from(sum, (s) => s / rows);
  const out = new Float32Array(from.length * row);
  from.forEach((r, i) =>
    out.set(r === undefined ? mean : w.subarray(r * row, (r + 1) * row), i * row)
  );
  return out;
}
