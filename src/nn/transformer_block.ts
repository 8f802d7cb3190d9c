/**
 * nanoGPT's transformer block (its facts; our code): pre-LayerNorm causal self-attention and a
 * 4x MLP with the exact GELU, each added back to the residual stream.
 *
 * @module
 */

import type { Value } from "../graph/graph.ts";
import { add } from "../ops/elementwise.ts";
import type { BuildContext } from "./build_context.ts";
import { type AttentionOptions, CausalSelfAttention } from "./causal_self_attention.ts";
import { Dropout } from "./dropout.ts";
import { gelu } from "./gelu.ts";
import { LayerNorm } from "./layer_norm.ts";
import { Linear, type LinearOptions } from "./linear.ts";
import { Module } from "./module.ts";

/** How a block's layers are drawn: the weights of its expanding and projecting maps. */
export interface BlockInit {
  /** `c_attn` and `c_fc` (nanoGPT: N(0, 0.02), biases 0). */
  readonly weight?: LinearOptions["init"];
  /** The two `c_proj`s, which feed the residual stream (nanoGPT: N(0, 0.02/sqrt(2 layers))). */
  readonly proj?: LinearOptions["init"];
}

/** `c_fc` to 4x the features, GELU, `c_proj` back, dropout. */
export class MLP extends Module {
  /** `embd` to `4 embd`. */
  readonly c_fc: Linear;
  /** `4 embd` back to `embd`. */
  readonly c_proj: Linear;
  /** On the output. */
  readonly dropout: Dropout;

  /**
   * The block's feed-forward layer.
   *
   * @param embd Features.
   * @param options Dropout, biases and initialization.
   */
  constructor(
    embd: number,
    options: { dropout?: number; bias?: boolean; init?: BlockInit } = {},
  ) {
    super();
    const bias = options.bias ?? true;
    this.c_fc = new Linear(embd, 4 * embd, { bias, init: options.init?.weight });
    this.c_proj = new Linear(4 * embd, embd, { bias, init: options.init?.proj });
    this.dropout = new Dropout(options.dropout ?? 0);
  }

  /**
   * Applies the MLP.
   *
   * @param ctx The graph being built and the parameters' values.
   * @param x `[..., embd]`.
   * @returns `[..., embd]`.
   */
  forward(ctx: BuildContext, x: Value): Value {
    return this.dropout.forward(ctx, this.c_proj.forward(ctx, gelu(this.c_fc.forward(ctx, x))));
  }
}

/** `x + attn(ln_1(x))`, then `x + mlp(ln_2(x))`. */
export class Block extends Module {
  /** Before the attention. */
  readonly ln_1: LayerNorm;
  /** Causal self-attention. */
  readonly attn: CausalSelfAttention;
  /** Before the MLP. */
  readonly ln_2: LayerNorm;
  /** The feed-forward layer. */
  readonly mlp: MLP;

  /**
   * A transformer block.
   *
   * @param embd Features.
   * @param options Heads, dropout, biases (LayerNorms' too) and initialization.
   */
  constructor(embd: number, options: Omit<AttentionOptions, "init"> & { init?: BlockInit }) {
    super();
    const { heads, dropout = 0, bias = true, init } = options;
    this.ln_1 = new LayerNorm(embd, { bias });
    this.attn = new CausalSelfAttention(embd, {
      heads,
      dropout,
      bias,
      init: { attn: init?.weight, proj: init?.proj },
    });
    this.ln_2 = new LayerNorm(embd, { bias });
    this.mlp = new MLP(embd, { dropout, bias, init });
  }

  /**
   * The block for new positions after the attention's cache (`CausalSelfAttention.step`).
   *
   * @param ctx The graph being built and the parameters' values.
   * @param x `[B, T, embd]`.
   * @param past This block's cached keys and values, each `[B, heads, P, head size]`.
   * @param mask `[T, P + T]`: which keys each new position attends to (absent for T = 1).
   * @returns `[B, T, embd]` and the cache with the new positions appended.
   */
  step(
    ctx: BuildContext,
    x: Value,
    past: { readonly keys: Value; readonly values: Value },
    mask?: Value,
  ): { readonly y: Value; readonly keys: Value; readonly values: Value } {
    const a = this.attn.step(ctx, this.ln_1.forward(ctx, x), past, mask);
    const attended = add(x, a.y);
    const y = add(attended, this.mlp.forward(ctx, this.ln_2.forward(ctx, attended)));
    return { y, keys: a.keys, values: a.values };
  }

  /**
   * Applies the block.
   *
   * @param ctx The graph being built and the parameters' values.
   * @param x `[B, T, embd]`.
   * @returns `[B, T, embd]`.
   */
  forward(ctx: BuildContext, x: Value): Value {
    const attended = add(x, this.attn.forward(ctx, this.ln_1.forward(ctx, x)));
    return add(attended, this.mlp.forward(ctx, this.ln_2.forward(ctx, attended)));
  }
}
