/**
 * PyTorch's default initializations, drawn from onnx-lm's seeded generator.
 *
 * @module
 */

import type { Init } from "./parameter.ts";

/**
 * N(0, std^2): PyTorch's `nn.Embedding` default (std 1); nanoGPT draws its weights with std
 * 0.02.
 *
 * @param std The standard deviation (1).
 * @returns The initializer.
 */
export function normalInit(std = 1): Init {
  return (rng, size) => Float32Array.from({ length: size }, () => std * rng.normal());
}

/**
 * U(-bound, bound): PyTorch's `nn.Linear` (bound = 1/sqrt(fan_in)) and recurrent layers
 * (bound = 1/sqrt(hidden_size)).
 *
 * @param bound Half-width of the interval.
 * @returns The initializer.
 */
export function uniformInit(bound: number): Init {
  return (rng, size) => Float32Array.from({ length: size }, () => rng.uniform(-bound, bound));
}

/**
 * Every value `value`: PyTorch's `nn.LayerNorm` starts its weight at 1 and its bias at 0.
 *
 * @param value The value.
 * @returns The initializer.
 */
export function constantInit(value: number): Init {
  return (_rng, size) => new Float32Array(size).fill(value);
}
