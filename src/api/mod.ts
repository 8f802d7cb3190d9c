/**
 * The model API: one way to use an exported model in the browser, Deno and Node.
 *
 * @module
 */

export { loadModel, type LoadOptions } from "./load_model.ts";
export { ModelLoadError, type ModelSource, sidecarFromMetadata } from "./model_source.ts";
export {
  type GeneratedToken,
  type GenerateOptions,
  type NextToken,
  type Prompt,
  TextModel,
} from "./text_model.ts";
export { PromptError, type PromptModel, type ReadPrompt, readPrompt } from "./prompt.ts";
export {
  defaultDevice,
  explainDevice,
  NO_WEBGPU,
  probeWebGpu,
  type WebGpuFacts,
} from "./devices.ts";
export { type RunStep, StepCache } from "./step_cache.ts";
