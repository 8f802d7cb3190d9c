/**
 * Losses and metrics: flattened cross-entropy (via LogSoftmax, numerically stable), the
 * count of correct predictions, and the AR/TAR activation regularizers of LMModel7.
 *
 * @module
 */

import type { Value } from "../graph/graph.ts";
import { tensor } from "../onnx/tensor.ts";
import { constant, constantScalar } from "../ops/constant.ts";
import { cast, equal, exp, log, mul, neg, sub } from "../ops/elementwise.ts";
import { argMax, logSoftmax, reduceMax, reduceMean, reduceSum } from "../ops/reduce.ts";
import { slice, unsqueeze } from "../ops/shape.ts";

/**
 * log p(target) for every prediction, shaped like the targets: the log-softmax times a
 * one-hot of the targets, summed over the vocabulary. (Picking with GatherElements would be
 * the same number, but its gradient is a ScatterElements, which onnxruntime runs far more
 * slowly than this product's.)
 */
function targetLogProbs(logits: Value, targets: Value, options: LossOptions): Value {
  const vocab = logits.shape[logits.shape.length - 1];
  if (typeof vocab !== "number") {
    throw new Error(`Cross-entropy needs a static vocabulary size: got ${String(vocab)}`);
  }
  // Compared as floats (exact below 2^24 tokens), so a GPU keeps the one-hot on the device:
  // onnxruntime's WebGPU EP leaves int64 Equal to the CPU.
  const dt = logits.dtype as "float32" | "float64";
  const range = constant(
    logits.graph,
    tensor(dt, [vocab], Array.from({ length: vocab }, (_, i) => i)),
  );
  const oneHot = cast(equal(unsqueeze(cast(targets, dt), [-1]), range), logits.dtype);
  const logProbs = lastAxisLogSoftmax(logits, options.composite ?? false);
  return reduceSum(mul(logProbs, oneHot), [-1], { keepdims: false });
}

/** How the losses are built. */
export interface LossOptions {
  /**
   * Build the log-softmax from ReduceMax, Sub, Exp, ReduceSum and Log instead of one
   * LogSoftmax node, which onnxruntime's WebGPU EP has no kernel for (it would run on the CPU
   * with the logits copied each way). Off by default: the CPU's LogSoftmax kernel rounds
   * differently, and CPU runs keep their bits.
   */
  readonly composite?: boolean;
}

/**
 * Log-softmax over the last axis: one LogSoftmax node, or (`composite`) ReduceMax, Sub, Exp,
 * ReduceSum and Log, which onnxruntime's WebGPU EP has kernels for.
 *
 * @param x `[..., n]`.
 * @param composite Build it from the basic ops.
 * @returns `[..., n]`.
 */
export function lastAxisLogSoftmax(x: Value, composite: boolean): Value {
  return composite ? composedLogSoftmax(x) : logSoftmax(x, -1);
}

// log_softmax(x) = (x - m) - log(sum(exp(x - m))), m = max(x): the max keeps exp from
// overflowing; its gradient terms cancel (d/dm = -1 + sum(softmax) = 0).
function composedLogSoftmax(x: Value): Value {
  const shifted = sub(x, reduceMax(x, [-1], { keepdims: true }));
  return sub(shifted, log(reduceSum(exp(shifted), [-1], { keepdims: true })));
}

/**
 * Mean cross-entropy over every prediction (`F.cross_entropy` on flattened logits).
 *
 * @param logits `[..., vocab]`.
 * @param targets int64 `[...]`.
 * @param options `composite`: a log-softmax that runs on WebGPU.
 * @returns A scalar.
 */
export function crossEntropy(logits: Value, targets: Value, options: LossOptions = {}): Value {
  return neg(reduceMean(targetLogProbs(logits, targets, options), [], { keepdims: false }));
}

/**
 * Summed cross-entropy (for exact validation means over uneven batches).
 *
 * @param logits `[..., vocab]`.
 * @param targets int64 `[...]`.
 * @param options `composite`: a log-softmax that runs on WebGPU.
 * @returns A scalar.
 */
export function crossEntropySum(
  logits: Value,
  targets: Value,
  options: LossOptions = {},
): Value {
  return neg(reduceSum(targetLogProbs(logits, targets, options), [], { keepdims: false }));
}

/**
 * How many argmax predictions equal their targets (accuracy = count / predictions).
 *
 * @param logits `[..., vocab]`.
 * @param targets int64 `[...]`.
 * @returns A float scalar of the logits' dtype.
 */
export function correctCount(logits: Value, targets: Value): Value {
  // Compared as floats (exact below 2^24 tokens): a GPU keeps the comparison on the device.
  const dt = logits.dtype as "float32" | "float64";
  const predicted = cast(argMax(logits, -1, { keepdims: false }), dt);
  const hits = cast(equal(predicted, cast(targets, dt)), logits.dtype);
  return reduceSum(hits, [], { keepdims: false });
}

/**
 * Activation regularization: `alpha * mean(out^2)` on the dropped-out LSTM output.
 *
 * @param out `[B, T, H]`.
 * @param alpha Weight.
 * @returns A scalar.
 */
export function activationRegularization(out: Value, alpha: number): Value {
  const c = constantScalar(out.graph, out.dtype, alpha);
  return mul(c, reduceMean(mul(out, out), [], { keepdims: false }));
}

/**
 * Temporal activation regularization: `beta * mean((raw[:, 1:] - raw[:, :-1])^2)` on the
 * LSTM output before dropout.
 *
 * @param raw `[B, T, H]` with T >= 2.
 * @param beta Weight.
 * @returns A scalar.
 */
export function temporalActivationRegularization(raw: Value, beta: number): Value {
  if (typeof raw.shape[1] === "number" && raw.shape[1] < 2) {
    throw new Error(`TAR needs at least 2 time steps: got raw of shape [${raw.shape.join(", ")}]`);
  }
  const big = 2 ** 62;
  const diff = sub(slice(raw, [1], [big], [1]), slice(raw, [0], [-1], [1]));
  const c = constantScalar(raw.graph, raw.dtype, beta);
  return mul(c, reduceMean(mul(diff, diff), [], { keepdims: false }));
}
