/**
 * A small GPT with nanoGPT's architecture (Karpathy's `model.py`: its facts, our code): token
 * and learned position embeddings, `layers` pre-LayerNorm blocks of causal self-attention and a
 * 4x GELU MLP, a final LayerNorm, and the decoder tied to the token embedding. Parameter names
 * are nanoGPT's `state_dict` keys (`transformer.wte.weight`, `transformer.h.0.attn.c_attn.weight`,
 * ...; the tied `lm_head.weight` is `transformer.wte.weight`), and so is its initialization:
 * N(0, 0.02) weights, zero biases, the residual projections at N(0, 0.02 / sqrt(2 layers)).
 *
 * @module
 */

import type { Value } from "../src/graph/graph.ts";
import { tensor } from "../src/onnx/tensor.ts";
import { constant } from "../src/ops/constant.ts";
import { add } from "../src/ops/elementwise.ts";
import { gather } from "../src/ops/indexing.ts";
import type { BuildContext } from "../src/nn/build_context.ts";
import { Dropout } from "../src/nn/dropout.ts";
import { Embedding } from "../src/nn/embedding.ts";
import { constantInit, normalInit } from "../src/nn/init.ts";
import type { LanguageModel, ModelOutput, StateSpec } from "../src/nn/language_model.ts";
import { LayerNorm } from "../src/nn/layer_norm.ts";
import { Linear } from "../src/nn/linear.ts";
import { Module } from "../src/nn/module.ts";
import { applyOutput } from "../src/nn/output_layer.ts";
import { Block } from "../src/nn/transformer_block.ts";

/** A GPT's sizes (nanoGPT's `GPTConfig`). */
export interface GPTConfig {
  /** Tokens in the vocabulary. */
  readonly vocabSize: number;
  /** The longest context (positions of `wpe`). */
  readonly block: number;
  /** Blocks. */
  readonly layers: number;
  /** Attention heads per block. */
  readonly heads: number;
  /** Features. */
  readonly embd: number;
  /** Dropout on the embeddings, attention weights and residual branches. */
  readonly dropout: number;
  /** Biases in the Linears and LayerNorms. */
  readonly bias: boolean;
}

/** `transformer.*`: the embeddings, the blocks and the final LayerNorm. */
class Transformer extends Module {
  readonly wte: Embedding;
  readonly wpe: Embedding;
  readonly drop: Dropout;
  readonly h: Block[];
  readonly ln_f: LayerNorm;

  constructor(c: GPTConfig) {
    super();
    const weight = normalInit(0.02);
    const bias = constantInit(0);
    this.wte = new Embedding(c.vocabSize, c.embd, weight);
    this.wpe = new Embedding(c.block, c.embd, weight);
    this.drop = new Dropout(c.dropout);
    const proj = { weight: normalInit(0.02 / Math.sqrt(2 * c.layers)), bias };
    this.h = Array.from({ length: c.layers }, () =>
      new Block(c.embd, {
        heads: c.heads,
        dropout: c.dropout,
        bias: c.bias,
        init: { weight: { weight, bias }, proj },
      }));
    this.ln_f = new LayerNorm(c.embd, { bias: c.bias });
  }
}

/** nanoGPT's GPT: tokens `[B, T]` (T up to `block`) to logits `[B, T, vocab]`. */
export class GPT extends Module implements LanguageModel {
  readonly transformer: Transformer;
  readonly lm_head: Linear;
  /** Stateless: each window is read whole. */
  readonly state: readonly StateSpec[] = [];

  /**
   * A GPT of the given sizes.
   *
   * @param config Vocabulary, block, layers, heads, features, dropout and biases.
   * @throws RangeError for sizes that do not fit together (heads not dividing the features).
   */
  constructor(readonly config: GPTConfig) {
    super();
    this.transformer = new Transformer(config);
    // Weight tying: the decoder is the token embedding (listed once, as transformer.wte.weight).
    this.lm_head = new Linear(config.embd, config.vocabSize, {
      bias: false,
      weight: this.transformer.wte.weight,
    });
  }

  /** Tokens in the vocabulary. */
  get vocabSize(): number {
    return this.config.vocabSize;
  }

  /**
   * One new token at `position` with every layer's cached keys and values: the step graph of
   * generation with a KV cache.
   *
   * @param ctx The graph being built and the parameters' values.
   * @param token int64 `[B, 1]`.
   * @param position int64 `[1]`: the token's position (below `block`).
   * @param past Per layer, the keys and values of the earlier positions, each
   *   `[B, heads, P, embd / heads]`.
   * @returns The logits `[B, 1, vocab]` and each layer's cache with this position appended.
   */
  step(
    ctx: BuildContext,
    token: Value,
    position: Value,
    past: readonly { readonly keys: Value; readonly values: Value }[],
  ): { readonly logits: Value; readonly present: { keys: Value; values: Value }[] } {
    const t = this.transformer;
    if (past.length !== t.h.length) {
      throw new Error(`GPT.step needs a cache per layer (${t.h.length}): got ${past.length}`);
    }
    let x = add(t.wte.forward(ctx, token), gather(ctx.value(t.wpe.weight), position));
    const present = t.h.map((block, i) => {
      const out = block.step(ctx, x, past[i]);
      x = out.y;
      return { keys: out.keys, values: out.values };
    });
    return { logits: this.lm_head.forward(ctx, t.ln_f.forward(ctx, x)), present };
  }

  /** Embeds tokens and positions, runs the blocks and decodes every position. */
  forward(ctx: BuildContext, tokens: Value): ModelOutput {
    const steps = tokens.shape[1];
    if (typeof steps !== "number" || steps > this.config.block) {
      throw new Error(
        `GPT reads at most its block of ${this.config.block} tokens, a static count: got ` +
          `tokens [${tokens.shape.join(", ")}]`,
      );
    }
    const t = this.transformer;
    const positions = constant(
      ctx.graph,
      tensor("int64", [steps], BigInt64Array.from({ length: steps }, (_, i) => BigInt(i))),
    );
    let x = t.drop.forward(
      ctx,
      add(t.wte.forward(ctx, tokens), gather(ctx.value(t.wpe.weight), positions)),
    );
    for (const block of t.h) x = block.forward(ctx, x);
    return { state: [], ...applyOutput(ctx, this.lm_head, t.ln_f.forward(ctx, x)) };
  }
}
