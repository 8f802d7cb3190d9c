/**
 * An adaptive softmax's loss in chunks of time steps, inside one `Loop`, as
 * `chunked_loss.ts` does for a linear decoder: no tail's `[batch · steps, cluster]`
 * log-probabilities exist whole, only one chunk's.
 *
 * The training form differentiates each chunk inside the loop body (`backward()` on the
 * body's own nodes, seeded with 1/N): the gradients of the chunk's input rows leave the loop
 * as a scan, those of the softmax's weights are carried sums. Nothing of a chunk is kept and
 * no FLOP is repeated. The results are exact, the same sums in another order.
 *
 * @module
 */

import type { Value } from "../graph/graph.ts";
import { GraphBuildError } from "../graph/errors.ts";
import { backward } from "../grad/backward.ts";
import { zerosLike } from "../grad/fill.ts";
import { loop, type LoopBody } from "../ops/control.ts";
import { constantScalar } from "../ops/constant.ts";
import { add, cast, equal, mul } from "../ops/elementwise.ts";
import { argMax, reduceSum } from "../ops/reduce.ts";
import { reshape, transpose } from "../ops/shape.ts";
import type { AdaptiveHead } from "./language_model.ts";
import { BuildContext } from "./build_context.ts";
import type { ChunkedLoss } from "./chunked_loss.ts";
import { type ChunkLayout, chunkLayout } from "./chunk_layout.ts";

/** The iteration's chunk: the softmax applied to its rows, with the body's weight values. */
function applyToChunk(head: AdaptiveHead, layout: ChunkLayout, body: LoopBody) {
  const { rows, targets } = layout.chunkOf(body);
  const ctx = new BuildContext(body.graph, {
    parameters: new Map(head.values.map(([p, v]) => [p, body.outer(v)])),
  });
  const weights = head.values.map(([p]) => ctx.value(p));
  return { rows, targets, weights, out: head.apply(ctx, rows) };
}

/**
 * Mean negative log-likelihood of an adaptive softmax over `targets`, with its gradients,
 * computed `steps` time steps at a time.
 *
 * @param head The softmax's input `[B, T, H]` (B static) and its weights' values.
 * @param targets int64 `[B, T]`.
 * @param steps Time steps per chunk (dividing T).
 * @returns The loss and the gradients of the input and the weights: pass them to
 *   `backward()`'s `extra`, with the loss detached.
 */
export function chunkedAdaptiveLoss(
  head: AdaptiveHead,
  targets: Value,
  steps: number,
): ChunkedLoss {
  const c = chunkLayout(head.input, targets, steps);
  if (typeof c.batch !== "number") {
    throw new GraphBuildError(
      `A chunked training loss needs a static batch: got "${String(c.batch)}"`,
    );
  }
  const batch = c.batch;
  const g = head.input.graph;
  const n = batch * c.seqLen;
  const initial = [constantScalar(g, c.dtype, 0), ...head.values.map(([, v]) => zerosLike(v))];
  const result = loop(g, c.trips, initial, (body) => {
    const k = applyToChunk(head, c, body);
    const nll = reduceSum(k.out.nll(k.targets), [], { keepdims: false });
    const [dRows, ...dWeights] = backward(nll, [k.rows, ...k.weights], {
      seed: constantScalar(body.graph, c.dtype, 1 / n),
    });
    const [lossSum, ...sums] = body.carried;
    return {
      carried: [add(lossSum, nll), ...dWeights.map((d, i) => add(sums[i], d))],
      scans: [reshape(dRows, [batch, steps, c.hidden])],
    };
  });
  const [lossSum, ...dWeights] = result.carried;
  // [trips, B, steps, H] → [B, trips, steps, H] → [B, T, H].
  const dInput = reshape(transpose(result.scans[0], [1, 0, 2, 3]), [batch, c.seqLen, c.hidden]);
  return {
    loss: mul(lossSum, constantScalar(g, c.dtype, 1 / n)),
    grads: [[head.input, dInput], ...head.values.map(([, v], i) => [v, dWeights[i]] as const)],
  };
}

/**
 * Summed negative log-likelihood and the count of correct argmax predictions of an adaptive
 * softmax, `steps` time steps at a time (the eval graph's, over a batch of any size).
 *
 * @param head The softmax's input `[B, T, H]` and its weights' values.
 * @param targets int64 `[B, T]`.
 * @param steps Time steps per chunk (dividing T).
 * @returns The loss sum and the correct count, scalars.
 */
export function chunkedAdaptiveLossSum(
  head: AdaptiveHead,
  targets: Value,
  steps: number,
): { readonly lossSum: Value; readonly correct: Value } {
  const c = chunkLayout(head.input, targets, steps);
  const zero = constantScalar(head.input.graph, c.dtype, 0);
  const [lossSum, correct] = loop(head.input.graph, c.trips, [zero, zero], (body) => {
    const k = applyToChunk(head, c, body);
    const nll = reduceSum(k.out.nll(k.targets), [], { keepdims: false });
    const predicted = argMax(k.out.logProbs, 1, { keepdims: false });
    const hits = reduceSum(cast(equal(predicted, k.targets), c.dtype), [], { keepdims: false });
    return { carried: [add(body.carried[0], nll), add(body.carried[1], hits)] };
  }).carried;
  return { lossSum, correct };
}
