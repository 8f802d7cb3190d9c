/**
 * Training: the artifacts (train/grad/eval/infer graphs) and the runner that steps them on a
 * session of `src/runtime/`.
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
export { type EvalResult, Runner, type RunnerOptions } from "./runner.ts";
export { estimateTrainingMemory, type MemoryEstimate, RUNTIME_BYTES } from "./memory_estimate.ts";
export type { Architecture, GptShape, Recipe, StepsSchedule } from "./recipe.ts";
export { epochSteps, scheduleEpochs, stepsSchedule } from "./steps_schedule.ts";
export {
  type CorpusMeta,
  type LegacyDefaults,
  type ParentRun,
  parseRunMeta,
  readTokenizer,
  RUN_DEVICES,
  type RunMeta,
} from "./run_meta.ts";
export {
  bestEpoch,
  epochsSinceBest,
  improves,
  type Monitor,
  type MonitoredRow,
  MONITORS,
  monitorValue,
  type Tracking,
} from "./tracking.ts";
export {
  type EpochRecord,
  type FitCallbacks,
  FitInterrupted,
  Learner,
  type LearnerOptions,
  type LearnerState,
  NonFiniteLossError,
} from "./learner.ts";
export {
  LR_FIND_DEFAULTS,
  lrAt,
  lrFind,
  type LrFindCallbacks,
  type LrFindEnd,
  type LrFindOptions,
  lrFindOptions,
  type LrFindPoint,
  type LrFindResult,
} from "./lr_find.ts";
export {
  minimum,
  namedSuggestions,
  steep,
  type Suggestion,
  type Suggestions,
  suggestLrs,
  trimmedRange,
  valley,
} from "./lr_suggest.ts";
