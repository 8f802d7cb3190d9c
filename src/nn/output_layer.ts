/**
 * A recurrent model's output layer: the book's linear decoder, or an adaptive softmax for a
 * large vocabulary (`--softmax adaptive`). Both give the model's `ModelOutput` the same way.
 *
 * @module
 */

import type { Value } from "../graph/graph.ts";
import { AdaptiveSoftmax, type AdaptiveSoftmaxSpec } from "./adaptive_softmax.ts";
import type { BuildContext } from "./build_context.ts";
import type { ModelOutput } from "./language_model.ts";
import { Linear, type LinearOptions } from "./linear.ts";

/** A model's decoder: linear (logits) or adaptive (normalized log-probabilities). */
export type OutputLayer = Linear | AdaptiveSoftmax;

/**
 * The output layer from `hidden` features to `vocab` tokens.
 *
 * @param hidden Input features.
 * @param vocab Tokens.
 * @param softmax An adaptive softmax's clusters; absent for the linear decoder.
 * @param linear The linear decoder's options (a tied weight); an adaptive softmax has none.
 * @returns The layer.
 */
export function outputLayer(
  hidden: number,
  vocab: number,
  softmax: AdaptiveSoftmaxSpec | undefined,
  linear: LinearOptions = {},
): OutputLayer {
  return softmax
    ? new AdaptiveSoftmax(hidden, vocab, softmax.cutoffs, { divValue: softmax.divValue })
    : new Linear(hidden, vocab, linear);
}

/**
 * The output layer applied to `x`: a linear decoder's logits and operands (which a large
 * vocabulary's loss reads in chunks), or an adaptive softmax's log-probabilities and loss.
 *
 * @param ctx The graph being built and the parameters' values.
 * @param layer The output layer.
 * @param x `[B, T, hidden]`.
 * @returns `logits` with `decoder`, or with `nll` and `adaptive`.
 */
export function applyOutput(
  ctx: BuildContext,
  layer: OutputLayer,
  x: Value,
): Pick<ModelOutput, "logits" | "decoder" | "nll" | "adaptive"> {
  if (layer instanceof Linear) {
    return { logits: layer.forward(ctx, x), decoder: layer.head(ctx, x) };
  }
  const out = layer.forward(ctx, x);
  return { logits: out.logProbs, nll: out.nll, adaptive: layer.operands(ctx, x) };
}
