/**
 * Training: the artifacts (train/grad/eval/infer graphs), the session (onnxruntime-node or
 * onnxruntime-web), and the runner that steps them.
 *
 * @module
 */

export {
  type ArtifactOptions,
  type Artifacts,
  type ArtifactSpec,
  buildArtifacts,
  type CarriedSpec,
  type FeedSpec,
  type OptimizerSpec,
} from "./artifacts.ts";
export {
  type DeclaredParam,
  declareParameters,
  type ParamInput,
  type ParamInputs,
  type PartSpec,
  stateParts,
} from "./packing.ts";
export {
  type Backend,
  NODE_DEVICES,
  nodeBackend,
  type OrtModule,
  type ProviderConfig,
  WEB_DEVICES,
  webBackend,
} from "./backend.ts";
export { type EvalResult, Runner, type RunnerOptions } from "./runner.ts";
export {
  type Device,
  DEVICES,
  type DeviceTensor,
  type Feed,
  type GraphOptimizationLevel,
  isOnDevice,
  type OrtTensor,
  Session,
  SessionError,
  type SessionOptions,
} from "./session.ts";
export type { Architecture, Recipe } from "./recipe.ts";
export {
  type CorpusMeta,
  type LegacyDefaults,
  parseRunMeta,
  readTokenizer,
  RUN_DEVICES,
  type RunMeta,
} from "./run_meta.ts";
export {
  type EpochRecord,
  type FitCallbacks,
  FitInterrupted,
  humanNumbersData,
  Learner,
  type LearnerOptions,
  type LearnerState,
  NonFiniteLossError,
  type TrainData,
} from "./learner.ts";
