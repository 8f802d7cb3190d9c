/**
 * Losses and metrics: flattened cross-entropy (via LogSoftmax, numerically stable), the
 * count of correct predictions, and the AR/TAR activation regularizers of LMModel7.
 *
 * @module
 */

import type { Value } from "../graph/value.ts";
import { tensor } from "../onnx/tensor.ts";
import { constant, constantScalar } from "../ops/constant.ts";
import { cast, equal, mul, neg, sub } from "../ops/elementwise.ts";
import { argMax, logSoftmax, reduceMean, reduceSum } from "../ops/reduce.ts";
import { slice, unsqueeze } from "../ops/shape.ts";

/**
 * log p(target) for every prediction, shaped like the targets: the log-softmax times a
 * one-hot of the targets, summed over the vocabulary. (Picking with GatherElements would be
 * the same number, but its gradient is a ScatterElements, which onnxruntime runs far more
 * slowly than this product's.)
 */
function targetLogProbs(logits: Value, targets: Value): Value {
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
  return reduceSum(mul(logSoftmax(logits, -1), oneHot), [-1], { keepdims: false });
}

/**
 * Mean cross-entropy over every prediction (`F.cross_entropy` on flattened logits).
 *
 * @param logits `[..., vocab]`.
 * @param targets int64 `[...]`.
 * @returns A scalar.
 */
export function crossEntropy(logits: Value, targets: Value): Value {
  return neg(reduceMean(targetLogProbs(logits, targets), [], { keepdims: false }));
}

/**
 * Summed cross-entropy (for exact validation means over uneven batches).
 *
 * @param logits `[..., vocab]`.
 * @param targets int64 `[...]`.
 * @returns A scalar.
 */
export function crossEntropySum(logits: Value, targets: Value): Value {
  return neg(reduceSum(targetLogProbs(logits, targets), [], { keepdims: false }));
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
