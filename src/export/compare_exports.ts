/**
 * Judging a compressed export against the float32 one on text neither trained on: both step
 * graphs read the same validation tokens (a recurrent model as parallel streams carrying their
 * state, a fixed-context model as windows), and at every position we compare their most likely
 * next token and score both on the true one. Browser-compatible: it takes runners of ONNX
 * graphs, not files.
 *
 * @module
 */

import type { Sidecar } from "./sidecar.ts";
import { argmax } from "../generate/sampling.ts";
import type { RunStep } from "../api/step_cache.ts";
import { type Tensor, tensor } from "../onnx/tensor.ts";
import { initialState } from "./kv_cache_state.ts";
import { updatedName } from "../graph/updated_name.ts";

/** How a candidate export compares with the reference. */
export interface ExportAgreement {
  /** Positions scored. */
  readonly positions: number;
  /** Share of positions where both predict the same most likely token. */
  readonly agreement: number;
  /** The reference's perplexity on the text: `exp(mean cross-entropy)`. */
  readonly referencePerplexity: number;
  /** The candidate's. */
  readonly perplexity: number;
}

/** How much text to read. */
export interface CompareOptions {
  /** Most tokens read (8,192: a few seconds for the book's models on one core). */
  readonly maxTokens?: number;
  /** Rows run at once (32). */
  readonly batch?: number;
}

/** Accumulates agreement and cross-entropy over rows of logits. */
class Tally {
  positions = 0;
  same = 0;
  nllRef = 0;
  nllCand = 0;

  add(ref: Float32Array, cand: Float32Array, targets: readonly number[], vocab: number): void {
    targets.forEach((target, row) => {
      const a = ref.subarray(row * vocab, (row + 1) * vocab);
      const b = cand.subarray(row * vocab, (row + 1) * vocab);
      if (argmax(a) === argmax(b)) this.same++;
      this.nllRef += nll(a, target);
      this.nllCand += nll(b, target);
      this.positions++;
    });
  }

  result(): ExportAgreement {
    const n = Math.max(this.positions, 1);
    return {
      positions: this.positions,
      agreement: this.same / n,
      referencePerplexity: Math.exp(this.nllRef / n),
      perplexity: Math.exp(this.nllCand / n),
    };
  }
}

/** `-log softmax(row)[target]`, in float64. */
function nll(row: Float32Array, target: number): number {
  let max = -Infinity;
  for (const v of row) max = Math.max(max, v);
  let sum = 0;
  for (const v of row) sum += Math.exp(v - max);
  return Math.log(sum) + max - row[target];
}

/**
 * Compares two exports of one model on token ids.
 *
 * @param sidecar Their sidecar (kind, context, state).
 * @param reference Runs the float32 step graph.
 * @param candidate Runs the compressed one.
 * @param ids Validation token ids.
 * @param options Tokens and batch.
 * @returns Agreement and both perplexities.
 * @throws RangeError when there are too few tokens to score one position.
 */
export async function compareExports(
  sidecar: Sidecar,
  reference: RunStep,
  candidate: RunStep,
  ids: ArrayLike<number>,
  options: CompareOptions = {},
): Promise<ExportAgreement> {
  const n = Math.min(ids.length, options.maxTokens ?? 8192);
  const vocab = sidecar.vocab.length;
  const tally = new Tally();
  if (sidecar.kind === "fixed") {
    const k = sidecar.context;
    const batch = options.batch ?? 32;
    if (n <= k) throw new RangeError(`${n} tokens cannot score a model that reads ${k}`);
    for (let start = k; start < n; start += batch) {
      const ends = Array.from({ length: Math.min(batch, n - start) }, (_, i) => start + i);
      const windows = ends.flatMap((p) => Array.from({ length: k }, (_, j) => ids[p - k + j]));
      const tokens = tensor("int64", [ends.length, k], windows.map(BigInt));
      const ref = await reference({ tokens });
      const cand = await candidate({ tokens });
      tally.add(
        ref.logits.data as Float32Array,
        cand.logits.data as Float32Array,
        ends.map((p) => ids[p]),
        vocab,
      );
    }
    return tally.result();
  }
  if (sidecar.kind === "cached") {
    return await compareCached(sidecar, reference, candidate, ids, n, options.batch ?? 32);
  }
  const streams = Math.max(1, Math.min(options.batch ?? 32, Math.floor((n - 1) / 2)));
  const steps = Math.floor((n - 1) / streams);
  if (steps < 1) throw new RangeError(`${n} tokens cannot score a next token`);
  const zero = () => initialState(sidecar.state, streams);
  let [stateRef, stateCand] = [zero(), zero()];
  const next = (out: Record<string, Tensor>) =>
    Object.fromEntries(sidecar.state.map((s) => [s.name, out[updatedName(s.name)]]));
  for (let t = 0; t < steps; t++) {
    const at = Array.from({ length: streams }, (_, b) => b * steps + t);
    const tokens = tensor("int64", [streams, 1], at.map((p) => BigInt(ids[p])));
    // One after the other: a session runs one call at a time, and both may share a backend.
    const ref = await reference({ tokens, ...stateRef });
    const cand = await candidate({ tokens, ...stateCand });
    [stateRef, stateCand] = [next(ref), next(cand)];
    tally.add(
      ref.logits.data as Float32Array,
      cand.logits.data as Float32Array,
      at.map((p) => ids[p + 1]),
      vocab,
    );
  }
  return tally.result();
}

/**
 * A cached model (a GPT) scored on windows of its block read from empty caches, a batch of
 * windows per call: every position of a window predicts its next token.
 */
async function compareCached(
  sidecar: Sidecar,
  reference: RunStep,
  candidate: RunStep,
  ids: ArrayLike<number>,
  n: number,
  batch: number,
): Promise<ExportAgreement> {
  const vocab = sidecar.vocab.length;
  const width = Math.min(sidecar.context, n - 1);
  if (width < 1) throw new RangeError(`${n} tokens cannot score a next token`);
  const windows = Math.floor((n - 1) / width);
  const tally = new Tally();
  for (let first = 0; first < windows; first += batch) {
    const rows = Math.min(batch, windows - first);
    const starts = Array.from({ length: rows }, (_, r) => (first + r) * width);
    const at = starts.flatMap((s) => Array.from({ length: width }, (_, t) => s + t));
    const feeds = {
      tokens: tensor("int64", [rows, width], at.map((p) => BigInt(ids[p]))),
      position: tensor("int64", [1], [0n]),
      ...initialState(sidecar.state, rows),
    };
    const ref = await reference(feeds);
    const cand = await candidate(feeds);
    tally.add(
      ref.logits.data as Float32Array,
      cand.logits.data as Float32Array,
      at.map((p) => ids[p + 1]),
      vocab,
    );
  }
  return tally.result();
}
