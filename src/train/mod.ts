/**
 * Training: the artifacts (train/grad/eval/infer graphs), the onnxruntime-node session, and
 * the runner that steps them.
 *
 * @module
 */

export {
  type ArtifactOptions,
  type Artifacts,
  type ArtifactSpec,
  buildArtifacts,
  type FeedSpec,
  type OptimizerSpec,
} from "./artifacts.ts";
export { type EvalResult, Runner, type RunnerOptions } from "./runner.ts";
export {
  type GraphOptimizationLevel,
  Session,
  SessionError,
  type SessionOptions,
} from "./session.ts";
