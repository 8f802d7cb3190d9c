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

import type { Graph, Value } from "../src/graph/graph.ts";
import { tensor } from "../src/onnx/tensor.ts";
import { constant } from "../src/ops/constant.ts";
import { add } from "../src/ops/elementwise.ts";
import { gather } from "../src/ops/indexing.ts";
import type { BuildContext } from "../src/nn/build_context.ts";
import { Dropout } from "../src/nn/dropout.ts";
import { Embedding } from "../src/nn/embedding.ts";
import { constantInit, normalInit } from "../src/nn/init.ts";
import type {
  CachedStep,
  KeyValues,
  KvCacheSpec,
  LanguageModel,
  ModelOutput,
  StateSpec,
} from "../src/nn/language_model.ts";
import { LayerNorm } from "../src/nn/layer_norm.ts";
import { Linear } from "../src/nn/linear.ts";
import { Module } from "../src/nn/module.ts";
import { applyOutput } from "../src/nn/output_layer.ts";
import { Block } from "../src/nn/transformer_block.ts";
import { cachedMask } from "../src/nn/causal_self_attention.ts";
import { shape, slice } from "../src/ops/shape.ts";

/** int64 `[n]`: 0 .. n - 1. */
function arange(g: Graph, n: number): Value {
  return constant(g, tensor("int64", [n], BigInt64Array.from({ length: n }, (_, i) => BigInt(i))));
}

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
export class GPT extends Module implements LanguageModel, CachedStep {
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

  /** Its attention caches: a key and a value cache per block. */
  get kvCache(): KvCacheSpec {
    const c = this.config;
    return { layers: c.layers, heads: c.heads, headSize: c.embd / c.heads, block: c.block };
  }

  /**
   * New tokens after every layer's cached keys and values: the graph of generation with a KV
   * cache. One token after a cache of `position` positions costs one call; a prompt (or, past
   * the block, its last `block` tokens) is read in one call from an empty cache.
   *
   * @param ctx The graph being built and the parameters' values.
   * @param tokens int64 `[B, T]` (T static or not).
   * @param position int64 `[1]`: the first new token's position, the caches' length P (the
   *   positions run to `P + T <= block`).
   * @param past Per layer, the keys and values of the earlier positions, each
   *   `[B, heads, P, embd / heads]`.
   * @returns The logits `[B, T, vocab]` and each layer's cache with the new positions appended.
   */
  step(
    ctx: BuildContext,
    tokens: Value,
    position: Value,
    past: readonly KeyValues[],
  ): { readonly logits: Value; readonly present: KeyValues[] } {
    const t = this.transformer;
    if (past.length !== t.h.length) {
      throw new Error(`GPT.step needs a cache per layer (${t.h.length}): got ${past.length}`);
    }
    const g = ctx.graph;
    const block = this.config.block;
    const end = add(position, shape(tokens, { start: 1, end: 2 }));
    const positions = slice(arange(g, block), position, end, [0]);
    const mask = cachedMask(ctx, block, position, end);
    let x = add(t.wte.forward(ctx, tokens), gather(ctx.value(t.wpe.weight), positions));
    const present = t.h.map((b, i) => {
      const out = b.step(ctx, x, past[i], mask);
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
    const positions = arange(ctx.graph, steps);
    let x = t.drop.forward(
      ctx,
      add(t.wte.forward(ctx, tokens), gather(ctx.value(t.wpe.weight), positions)),
    );
    for (const block of t.h) x = block.forward(ctx, x);
    return { state: [], ...applyOutput(ctx, this.lm_head, t.ln_f.forward(ctx, x)) };
  }
}
