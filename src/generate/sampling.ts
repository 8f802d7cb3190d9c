/**
 * Choosing the next token from a model's logits, as fastai's `learn.predict` does: greedy at
 * temperature 0, else a draw from `softmax(logits / temperature)`, optionally kept to the `k`
 * most likely tokens (top-k) and to the smallest set of most likely tokens whose probability
 * reaches `p` (top-p, nucleus sampling: Holtzman et al. 2020). Seeded (mulberry32), so the same seed gives the same text in
 * `deno task generate` and in the page. Browser-compatible.
 *
 * @example
 * ```ts
 * import { mulberry32, pickToken } from "./sampling.ts";
 * const logits = [0.1, 2.0, 0.3];
 * pickToken(logits, { temperature: 0 }, mulberry32(1)); // 1 (greedy)
 * ```
 * @module
 */

/**
 * Softmax in float64 (max subtracted first, so large logits cannot overflow).
 *
 * @param logits Scores.
 * @param temperature Divides the logits (1).
 * @returns Probabilities summing to 1.
 */
export function softmax(logits: ArrayLike<number>, temperature = 1): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    out[i] = Math.exp((logits[i] - max) / temperature);
    sum += out[i];
  }
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

/**
 * The k largest probabilities, largest first; equal ones in index order.
 *
 * @param probs Probabilities.
 * @param k How many.
 * @returns Indices with their probabilities.
 */
export function topK(probs: ArrayLike<number>, k: number): { id: number; prob: number }[] {
  return Array.from(probs, (prob, id) => ({ id, prob }))
    .sort((a, b) => b.prob - a.prob || a.id - b.id)
    .slice(0, k);
}

/**
 * Index of the largest score (the first one on ties): greedy decoding.
 *
 * @param logits Scores.
 * @returns The index.
 */
export function argmax(logits: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  return best;
}

/**
 * A seeded pseudo-random generator (mulberry32): the same seed gives the same numbers.
 *
 * @param seed An integer (taken modulo 2^32).
 * @returns Uniform numbers in [0, 1).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** How to choose. */
export interface SamplingOptions {
  /** 0: greedy; above 0: divides the logits before the softmax. */
  readonly temperature: number;
  /** Keep only the k most likely tokens (all when absent). */
  readonly topK?: number;
  /**
   * Keep only the most likely tokens whose probabilities (after temperature and top-k) sum to
   * at least p, in (0, 1]: nucleus sampling. The token that crosses p is kept, so at least one
   * always is. All when absent.
   */
  readonly topP?: number;
  /** Token ids never chosen (e.g. `xxunk`), unless nothing else is left. */
  readonly banned?: readonly number[];
}

/**
 * Top-p: the probabilities of the smallest set of most likely tokens (ties in index order,
 * as `topK`) whose sum reaches `p`, renormalized; every other token gets 0.
 *
 * @param probs Probabilities.
 * @param p The mass to keep, in (0, 1].
 * @returns New probabilities summing to 1.
 * @throws RangeError for p outside (0, 1].
 */
export function nucleus(probs: ArrayLike<number>, p: number): Float64Array {
  if (!(p > 0 && p <= 1)) throw new RangeError(`top-p must be in (0, 1]: got ${p}`);
  const order = topK(probs, probs.length);
  const out = new Float64Array(probs.length);
  let kept = 0;
  for (const { id, prob } of order) {
    out[id] = prob;
    kept += prob;
    if (kept >= p) break;
  }
  for (let i = 0; i < out.length; i++) out[i] /= kept;
  return out;
}

/**
 * The next token.
 *
 * @param logits Scores.
 * @param options Temperature, top-k, top-p, banned ids.
 * @param random Uniform numbers in [0, 1) (seeded).
 * @returns The chosen index.
 */
export function pickToken(
  logits: ArrayLike<number>,
  options: SamplingOptions,
  random: () => number,
): number {
  let scores: ArrayLike<number> = logits;
  const banned = options.banned?.filter((id) => id >= 0 && id < logits.length) ?? [];
  if (banned.length && banned.length < logits.length) {
    const copy = Float64Array.from(logits);
    for (const id of banned) copy[id] = -Infinity;
    scores = copy;
  }
  if (options.temperature === 0) return argmax(scores);
  const k = options.topK;
  if (k !== undefined && k < scores.length) {
    // Keep the k best (ties in index order, as topK does); the rest get probability 0.
    const keep = new Set(topK(scores, k).map((t) => t.id));
    const copy = Float64Array.from(scores, (v, i) => (keep.has(i) ? v : -Infinity));
    scores = copy;
  }
  const probs = options.topP === undefined || options.topP >= 1
    ? softmax(scores, options.temperature)
    : nucleus(softmax(scores, options.temperature), options.topP);
  const r = random();
  let cumulative = 0;
  for (let i = 0; i < probs.length; i++) {
    cumulative += probs[i];
    if (r < cumulative) return i;
  }
  return argmax(scores); // r landed past a sum rounded below 1
}
