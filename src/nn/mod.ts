/**
 * Layers that own parameters (named like PyTorch `state_dict` keys), losses and regularizers,
 * and the seeded random generator behind initialization and dropout.
 *
 * @module
 */

export { Module } from "./module.ts";
export { type Init, Parameter, type ParameterOptions } from "./parameter.ts";
export { BuildContext, type BuildOptions } from "./build_context.ts";
export { constantInit, normalInit, uniformInit } from "./init.ts";
export { Random } from "./random.ts";
export { Embedding } from "./embedding.ts";
export { Linear, type LinearOptions } from "./linear.ts";
export { LSTM } from "./lstm.ts";
export { type LayerCell, StackedRecurrent } from "./stacked_recurrent.ts";
export type { RecurrentLayerParams } from "./recurrent.ts";
export { Dropout } from "./dropout.ts";
export { LayerNorm, type LayerNormOptions } from "./layer_norm.ts";
export { gelu } from "./gelu.ts";
export {
  AdaptiveSoftmax,
  type AdaptiveSoftmaxOptions,
  type AdaptiveSoftmaxSpec,
  AdaptiveTail,
} from "./adaptive_softmax.ts";
export { applyOutput, type OutputLayer, outputLayer } from "./output_layer.ts";
export { chunkedAdaptiveLoss, chunkedAdaptiveLossSum } from "./chunked_adaptive_loss.ts";
export {
  type AdaptiveHead,
  type AdaptiveOutput,
  type CachedStep,
  type DecoderHead,
  hasKvCache,
  type KeyValues,
  type KvCacheSpec,
  type LanguageModel,
  type ModelOutput,
  type StateSpec,
} from "./language_model.ts";
export {
  chunkedCrossEntropy,
  type ChunkedLoss,
  chunkedLossSum,
  LOSS_CHUNK_BYTES,
  lossChunkSteps,
} from "./chunked_loss.ts";
export {
  activationRegularization,
  correctCount,
  crossEntropy,
  crossEntropySum,
  type LossOptions,
  temporalActivationRegularization,
} from "./loss.ts";
