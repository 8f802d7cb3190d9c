/**
 * Optimizers as ONNX update subgraphs (fastai's Adam, SGD with momentum) and the one-cycle
 * schedule that feeds them their learning rate and momentum each step.
 *
 * @module
 */

export { type FloatDType, type OptimParam, type Scalars, type StateUpdate } from "./update.ts";
export { adam, ADAM_DEFAULTS, type AdamOptions, adamScalars, type AdamUpdate } from "./adam.ts";
export { sgd, type SgdOptions, type SgdScalars, sgdScalars, type SgdUpdate } from "./sgd.ts";
export {
  cosAnneal,
  oneCycle,
  type OneCycleOptions,
  type Schedule,
  type StepHypers,
} from "./one_cycle.ts";
export { clipGradNorm, type ClippedGradients } from "./clip_grad_norm.ts";
export { warmupCosine, type WarmupCosineOptions } from "./warmup_cosine.ts";
