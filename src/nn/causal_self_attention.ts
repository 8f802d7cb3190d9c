/**
 * Causal multi-head self-attention, nanoGPT's `CausalSelfAttention` (its facts; our code):
 * one linear map to queries, keys and values (`c_attn`), `softmax(q kᵀ / sqrt(head size))` with
 * every position masked from the ones after it, dropout on the attention weights, the heads
 * joined and mapped back (`c_proj`), and dropout on the result. Standard ops only (batched
 * MatMul, Softmax, Where), so every backend runs it and `backward()` differentiates it.
 *
 * @module
 */

import type { Value } from "../graph/graph.ts";
import { tensor } from "../onnx/tensor.ts";
import { constant, constantScalar, int64s } from "../ops/constant.ts";
import { mul, where } from "../ops/elementwise.ts";
import { matMul } from "../ops/linalg.ts";
import { softmax } from "../ops/reduce.ts";
import { concat, reshape, slice, split, transpose } from "../ops/shape.ts";
import type { BuildContext } from "./build_context.ts";
import { Dropout } from "./dropout.ts";
import { Linear, type LinearOptions } from "./linear.ts";
import { Module } from "./module.ts";

/** Sizes and options of `CausalSelfAttention`. */
export interface AttentionOptions {
  /** Heads (dividing `embd`). */
  readonly heads: number;
  /** Dropout on the attention weights and on the output (0). */
  readonly dropout?: number;
  /** Biases on `c_attn` and `c_proj` (true). */
  readonly bias?: boolean;
  /** How `c_attn`'s and `c_proj`'s weights and biases are drawn. */
  readonly init?: { readonly attn?: LinearOptions["init"]; readonly proj?: LinearOptions["init"] };
}

/**
 * `[T, T]` booleans, true where a query position may attend to a key position (its own and
 * those before it).
 *
 * @param ctx The graph being built.
 * @param steps T.
 * @returns The constant.
 */
export function causalMask(ctx: BuildContext, steps: number): Value {
  const data = Array.from({ length: steps * steps }, (_, i) => i % steps <= Math.floor(i / steps));
  return constant(ctx.graph, tensor("bool", [steps, steps], data));
}

/**
 * `[T, end]` booleans for new positions `start .. end - 1` attending to keys `0 .. end - 1`:
 * rows `start .. end` of the `[block, block]` causal mask, cut at run time, so one graph reads
 * a whole prompt (start 0) or one more token (T = 1) after a cache of `start` positions.
 *
 * @param ctx The graph being built.
 * @param block The longest context.
 * @param start int64 `[1]`: the first new position (the cache's length).
 * @param end int64 `[1]`: one past the last new position.
 * @returns The mask.
 */
export function cachedMask(ctx: BuildContext, block: number, start: Value, end: Value): Value {
  const zero = int64s(ctx.graph, [0]);
  return slice(causalMask(ctx, block), concat([start, zero], 0), concat([end, end], 0), [0, 1]);
}

/** nanoGPT's causal self-attention over `[B, T, embd]`. */
export class CausalSelfAttention extends Module {
  /** `embd` to queries, keys and values (`3 embd`). */
  readonly c_attn: Linear;
  /** The joined heads back to `embd`. */
  readonly c_proj: Linear;
  /** On the attention weights. */
  readonly attn_dropout: Dropout;
  /** On the output. */
  readonly resid_dropout: Dropout;
  /** Heads. */
  readonly heads: number;

  /**
   * Attention over `embd` features in `options.heads` heads.
   *
   * @param embd Features.
   * @param options Heads, dropout, biases and initialization.
   * @throws RangeError when the heads do not divide `embd`.
   */
  constructor(readonly embd: number, options: AttentionOptions) {
    super();
    const { heads, dropout = 0, bias = true } = options;
    if (!Number.isInteger(heads) || heads < 1 || embd % heads !== 0) {
      throw new RangeError(`Attention heads must divide the features ${embd}: got ${heads}`);
    }
    this.c_attn = new Linear(embd, 3 * embd, { bias, init: options.init?.attn });
    this.c_proj = new Linear(embd, embd, { bias, init: options.init?.proj });
    this.attn_dropout = new Dropout(dropout);
    this.resid_dropout = new Dropout(dropout);
    this.heads = heads;
  }

  /**
   * New positions attending to themselves, the ones before them among them, and the cached
   * ones (generation with a KV cache; a prompt read at once).
   *
   * @param ctx The graph being built and the parameters' values.
   * @param x `[B, T, embd]`, T static or not.
   * @param past The keys and values of the earlier positions, each `[B, heads, P, head size]`.
   * @param mask `[T, P + T]` booleans, true where a new position may attend to a key (see
   *   `cachedMask`); absent when T is 1, which may attend to every key.
   * @returns The output `[B, T, embd]` and the keys and values with the new positions appended.
   */
  step(
    ctx: BuildContext,
    x: Value,
    past: { readonly keys: Value; readonly values: Value },
    mask?: Value,
  ): { readonly y: Value; readonly keys: Value; readonly values: Value } {
    const size = this.embd / this.heads;
    const heads = (v: Value) => transpose(reshape(v, [0, -1, this.heads, size]), [0, 2, 1, 3]);
    const [q, k, v] = split(this.c_attn.forward(ctx, x), [this.embd, this.embd, this.embd], 2)
      .map(heads);
    const keys = concat([past.keys, k], 2);
    const values = concat([past.values, v], 2);
    const scores = matMul(q, transpose(keys, [0, 1, 3, 2]));
    const g = x.graph;
    const masked = mask ? where(mask, scores, constantScalar(g, x.dtype, -Infinity)) : scores;
    const scaled = mul(masked, constantScalar(g, x.dtype, 1 / Math.sqrt(size)));
    const weights = softmax(scaled, -1);
    const joined = reshape(transpose(matMul(weights, values), [0, 2, 1, 3]), [0, -1, this.embd]);
    return { y: this.c_proj.forward(ctx, joined), keys, values };
  }

  /**
   * Attends each position to itself and the ones before it.
   *
   * @param ctx The graph being built and the parameters' values.
   * @param x `[B, T, embd]`, T static.
   * @returns `[B, T, embd]`.
   */
  forward(ctx: BuildContext, x: Value): Value {
    const steps = x.shape[1];
    if (x.shape.length !== 3 || typeof steps !== "number" || x.shape[2] !== this.embd) {
      throw new Error(
        `Attention needs an input [batch, steps, ${this.embd}] with static steps: got ` +
          `[${x.shape.join(", ")}]`,
      );
    }
    const size = this.embd / this.heads;
    // [B, T, embd] -> [B, heads, T, head size]
    const heads = (v: Value) => transpose(reshape(v, [0, steps, this.heads, size]), [0, 2, 1, 3]);
    const [q, k, v] = split(this.c_attn.forward(ctx, x), [this.embd, this.embd, this.embd], 2)
      .map(heads);
    const g = x.graph;
    const scores = matMul(q, transpose(k, [0, 1, 3, 2]));
    const masked = where(causalMask(ctx, steps), scores, constantScalar(g, x.dtype, -Infinity));
    // Scaled after the mask, not next to the MatMul: onnxruntime folds a scalar factor there
    // into a float32 alpha, 1e-8 off in a float64 graph (the ones gradient checks run).
    const scaled = mul(masked, constantScalar(g, x.dtype, 1 / Math.sqrt(size)));
    const weights = this.attn_dropout.forward(ctx, softmax(scaled, -1));
    const joined = reshape(transpose(matMul(weights, v), [0, 2, 1, 3]), [0, steps, this.embd]);
    return this.resid_dropout.forward(ctx, this.c_proj.forward(ctx, joined));
  }
}
