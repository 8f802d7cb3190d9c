/**
 * Generating text with an exported model: choosing tokens (greedy, temperature, top-k,
 * seeded) and the prompt-then-continue loop. Browser-compatible.
 *
 * @module
 */

export { argmax, mulberry32, pickToken, type SamplingOptions, softmax, topK } from "./sampling.ts";
export { generate, type GenerateOptions, PromptError, type RunStep } from "./generate.ts";
