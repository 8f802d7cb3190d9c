/**
 * The decoder and cross-entropy in chunks of time steps, inside one `Loop`: the full
 * `[batch · steps, vocab]` logits and their gradient never exist at once, only one chunk's.
 *
 * The training form works out its own gradients as it goes (the "fused" cross-entropy: for a
 * chunk, `d logits = (softmax − one_hot) / N`, then `d input = d logits · W`, `d W += d logitsᵀ
 * · input`, `d b += Σ d logits`), so nothing of a chunk is kept for a backward pass, and no
 * FLOP is repeated. Its outputs are exact, the same sums in another order: float32 results
 * differ from the unchunked loss's by rounding. Targets must be token ids below the vocabulary
 * size, as every batch onnx-lm makes is (the one-piece loss counts an id out of range as a
 * zero one-hot; here `GatherElements` refuses it).
 *
 * @module
 */

import type { Value } from "../graph/graph.ts";
import { GraphBuildError } from "../graph/errors.ts";
import { BYTES_PER_ELEMENT } from "../onnx/dtype.ts";
import { tensor } from "../onnx/tensor.ts";
import { loop, type LoopBody } from "../ops/control.ts";
import { chunkLayout } from "./chunk_layout.ts";
import { constant, constantScalar } from "../ops/constant.ts";
import { add, cast, div, equal, exp, log, mul, sub, where } from "../ops/elementwise.ts";
import { gatherElements } from "../ops/indexing.ts";
import { gemm, matMul } from "../ops/linalg.ts";
import { argMax, reduceMax, reduceSum } from "../ops/reduce.ts";
import { reshape, transpose } from "../ops/shape.ts";
import { zerosLike } from "../grad/fill.ts";
import type { DecoderHead } from "./language_model.ts";

/**
 * The most one chunk's logits may take: the whole logits when they fit, so the book's
 * models (lm6's are 0.5 MB) keep the one-piece loss and its bits.
 */
export const LOSS_CHUNK_BYTES = 16 * 2 ** 20;

/**
 * How many time steps each chunk of the loss takes: none (0) when the whole logits fit in
 * `LOSS_CHUNK_BYTES`, else the most steps dividing `seqLen` whose logits do (at least one).
 *
 * @param batch Rows per batch.
 * @param seqLen Time steps per row.
 * @param vocab Tokens in the vocabulary.
 * @param dtype The logits' element type.
 * @returns Steps per chunk, or 0 for an unchunked loss.
 */
export function lossChunkSteps(
  batch: number,
  seqLen: number,
  vocab: number,
  dtype: "float32" | "float64",
): number {
  const perStep = batch * vocab * BYTES_PER_ELEMENT[dtype];
  if (perStep * seqLen <= LOSS_CHUNK_BYTES) return 0;
  let best = 1;
  for (let c = 1; c <= seqLen; c++) {
    if (seqLen % c === 0 && c * perStep <= LOSS_CHUNK_BYTES) best = c;
  }
  return best;
}

/** The mean cross-entropy and its gradients, from `chunkedCrossEntropy`. */
export interface ChunkedLoss {
  /** Mean cross-entropy over every prediction (a scalar). */
  readonly loss: Value;
  /**
   * d(loss)/d(value) for the decoder's input, weight and bias (when it has one): pass them
   * to `backward()`'s `extra`, with `loss` detached.
   */
  readonly grads: readonly (readonly [Value, Value])[];
}

/** The chunks of a linear decoder: each iteration's rows, logits and their loss. */
function chunking(head: DecoderHead, targets: Value, steps: number) {
  const vocab = head.weight.shape[0];
  const layout = chunkLayout(
    head.input,
    targets,
    steps,
    `, weight [${head.weight.shape.join(", ")}]`,
  );
  if (typeof vocab !== "number") {
    throw new GraphBuildError(
      `A chunked loss needs a static vocabulary: got weight [${head.weight.shape.join(", ")}]`,
    );
  }
  const chunkOf = (body: LoopBody) => {
    const piece = layout.chunkOf(body);
    const rows = piece.rows;
    const target = reshape(piece.targets, [-1, 1]);
    const logits = gemm(
      rows,
      body.outer(head.weight),
      head.bias ? body.outer(head.bias) : null,
      { transB: true },
    );
    // log softmax at the target = z_t - log Σ exp z, z = logits - max: the max keeps exp finite.
    const shifted = sub(logits, reduceMax(logits, [1], { keepdims: true }));
    const expShifted = exp(shifted);
    const total = reduceSum(expShifted, [1], { keepdims: true });
    const picked = gatherElements(shifted, target, { axis: 1 });
    const nll = reduceSum(sub(log(total), picked), [], { keepdims: false });
    return { rows, logits, target, expShifted, total, nll };
  };
  return { ...layout, vocab, chunkOf };
}

/**
 * Mean cross-entropy of `head`'s logits against `targets`, with its gradients, computed
 * `steps` time steps at a time.
 *
 * @param head The decoder's input `[B, T, H]` (B static), weight `[V, H]` and bias `[V]`.
 * @param targets int64 `[B, T]`.
 * @param steps Time steps per chunk (dividing T).
 * @returns The loss and the gradients of the head's values.
 */
export function chunkedCrossEntropy(
  head: DecoderHead,
  targets: Value,
  steps: number,
): ChunkedLoss {
  const c = chunking(head, targets, steps);
  if (typeof c.batch !== "number") {
    throw new GraphBuildError(
      `A chunked training loss needs a static batch: got "${String(c.batch)}"`,
    );
  }
  const g = head.input.graph;
  const n = c.batch * c.seqLen;
  const initial = [
    constantScalar(g, c.dtype, 0),
    zerosLike(head.weight),
    ...(head.bias ? [zerosLike(head.bias)] : []),
  ];
  const result = loop(g, c.trips, initial, (body) => {
    const k = c.chunkOf(body);
    const bg = body.graph;
    const [lossSum, dWeight, dBias] = body.carried;
    // (softmax − one_hot) / N, scaled before the subtraction: onnxruntime would fold a scalar
    // factor applied last into the MatMul below as a float32 alpha, off by 2^-27 in float64.
    const range = constant(
      bg,
      tensor(c.dtype, [c.vocab], Array.from({ length: c.vocab }, (_, i) => i)),
    );
    // Compared as floats (exact below 2^24 tokens), as the unchunked loss does.
    const hit = equal(cast(k.target, c.dtype), range);
    const oneHotByN = where(
      hit,
      constantScalar(bg, c.dtype, 1 / n),
      constantScalar(bg, c.dtype, 0),
    );
    const dLogits = sub(div(k.expShifted, mul(k.total, constantScalar(bg, c.dtype, n))), oneHotByN);
    const dRows = matMul(dLogits, body.outer(head.weight));
    return {
      carried: [
        add(lossSum, k.nll),
        gemm(dLogits, k.rows, dWeight, { transA: true }),
        ...(dBias ? [add(dBias, reduceSum(dLogits, [0], { keepdims: false }))] : []),
      ],
      scans: [reshape(dRows, [c.batch as number, steps, c.hidden])],
    };
  });
  const [lossSum, dWeight, dBias] = result.carried;
  // [trips, B, steps, H] → [B, trips, steps, H] → [B, T, H].
  const dInput = reshape(transpose(result.scans[0], [1, 0, 2, 3]), [c.batch, c.seqLen, c.hidden]);
  return {
    loss: mul(lossSum, constantScalar(g, c.dtype, 1 / n)),
    grads: [
      [head.input, dInput],
      [head.weight, dWeight],
      ...(head.bias && dBias ? [[head.bias, dBias] as const] : []),
    ],
  };
}

/**
 * Summed cross-entropy and the count of correct argmax predictions, `steps` time steps at a
 * time (the eval graph's, over a batch of any size).
 *
 * @param head The decoder's input `[B, T, H]`, weight `[V, H]` and bias `[V]`.
 * @param targets int64 `[B, T]`.
 * @param steps Time steps per chunk (dividing T).
 * @returns The loss sum and the correct count, scalars.
 */
export function chunkedLossSum(
  head: DecoderHead,
  targets: Value,
  steps: number,
): { readonly lossSum: Value; readonly correct: Value } {
  const c = chunking(head, targets, steps);
  const g = head.input.graph;
  const zero = constantScalar(g, c.dtype, 0);
  const [lossSum, correct] = loop(g, c.trips, [zero, zero], (body) => {
    const k = c.chunkOf(body);
    const predicted = argMax(k.logits, 1, { keepdims: true });
    const hits = reduceSum(cast(equal(predicted, k.target), c.dtype), [], { keepdims: false });
    return { carried: [add(body.carried[0], k.nll), add(body.carried[1], hits)] };
  }).carried;
  return { lossSum, correct };
}
