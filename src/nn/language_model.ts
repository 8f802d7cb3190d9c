/**
 * The interface every language model implements, so training artifacts, the learner and
 * export can treat LMModel1..7 and the GRU alike.
 *
 * @module
 */

import type { Value } from "../graph/graph.ts";
import type { BuildContext } from "./build_context.ts";
import type { Module } from "./module.ts";
import type { Parameter } from "./parameter.ts";

/** A recurrent state tensor of shape `[layers, batch, hidden]`. */
export interface StateSpec {
  /** Input name (`h`, `c`); the updated state is output `<name>_out`. */
  readonly name: string;
  /** Stacked layers (the first dimension). */
  readonly layers: number;
  /** Hidden size (the last dimension). */
  readonly hidden: number;
}

/** A decoder's operands: its logits are `input · weightᵀ + bias`. */
export interface DecoderHead {
  /** `[B, T, H]`: what the decoder reads. */
  readonly input: Value;
  /** `[vocab, H]` (possibly tied to the embedding). */
  readonly weight: Value;
  /** `[vocab]`, or null without a bias. */
  readonly bias: Value | null;
}

/** What an adaptive softmax gives for its input (`AdaptiveSoftmax.forward`). */
export interface AdaptiveOutput {
  /** `[..., vocab]`: normalized log-probabilities of every token (built on first read). */
  readonly logProbs: Value;
  /**
   * The negative log-likelihood of each target.
   *
   * @param targets int64 `[...]`, each below the vocabulary size.
   * @returns `[...]`, shaped like the targets.
   */
  readonly nll: (targets: Value) => Value;
}

/**
 * An adaptive softmax's operands in a graph (`AdaptiveSoftmax.operands`): a chunked loss
 * applies it to each chunk's rows (`chunked_adaptive_loss.ts`).
 */
export interface AdaptiveHead {
  /** `[B, T, H]`: what the softmax reads. */
  readonly input: Value;
  /** Each of its parameters with its value in the graph. */
  readonly values: readonly (readonly [Parameter, Value])[];
  /**
   * The softmax applied to `rows` in `ctx`'s graph, with `ctx`'s values of its parameters.
   *
   * @param ctx The graph being built (a Loop body) and the parameters' values there.
   * @param rows `[R, H]`.
   * @returns Its log-probabilities and loss.
   */
  readonly apply: (ctx: BuildContext, rows: Value) => AdaptiveOutput;
  /** Values per row of its widest activations together (the head's and every tail's). */
  readonly width: number;
}

/** What a forward pass returns. */
export interface ModelOutput {
  /**
   * `[B, vocab]` (one prediction per sample) or `[B, T, vocab]` (one per token); normalized
   * log-probabilities when the model has `nll` (softmax and argmax read them as logits).
   */
  readonly logits: Value;
  /** The new recurrent state, aligned with `LanguageModel.state` (the book's detached h). */
  readonly state: readonly Value[];
  /** LSTM output before dropout (for TAR), when the model has one. */
  readonly raw?: Value;
  /** LSTM output after dropout (for AR), when the model has one. */
  readonly out?: Value;
  /**
   * The linear decoder that made `logits` (`[B, T, vocab]`), when it is one: a large
   * vocabulary's loss is then computed in chunks from it (`chunked_loss.ts`).
   */
  readonly decoder?: DecoderHead;
  /**
   * The negative log-likelihood of each target (`[B, T]` in, `[B, T]` out), when the model
   * normalizes its own output (an adaptive softmax): the loss is then read from it, not
   * from a softmax over `logits`.
   */
  readonly nll?: (targets: Value) => Value;
  /**
   * The adaptive softmax that made `logits`, when it is one: a large vocabulary's loss is
   * then computed in chunks from it (`chunked_adaptive_loss.ts`).
   */
  readonly adaptive?: AdaptiveHead;
}

/** One layer's attention cache: keys and values, each `[B, heads, P, head size]`. */
export interface KeyValues {
  /** The keys of the cached positions. */
  readonly keys: Value;
  /** Their values. */
  readonly values: Value;
}

/** The sizes of a model's attention caches (a GPT's), which its export carries as state. */
export interface KvCacheSpec {
  /** Layers, each with a key and a value cache. */
  readonly layers: number;
  /** Heads per layer. */
  readonly heads: number;
  /** Features per head. */
  readonly headSize: number;
  /** The longest context: the caches hold at most this many positions. */
  readonly block: number;
}

/** A model that generates with a KV cache (the GPT): new tokens after cached positions. */
export interface CachedStep {
  /** The caches' sizes. */
  readonly kvCache: KvCacheSpec;
  /**
   * New tokens after every layer's cached keys and values.
   *
   * @param ctx The graph being built and the parameters' values.
   * @param tokens int64 `[B, T]`.
   * @param position int64 `[1]`: the first new token's position (the caches' length).
   * @param past Per layer, the cached keys and values.
   * @returns Logits `[B, T, vocab]` and the caches with the new positions appended.
   */
  step(
    ctx: BuildContext,
    tokens: Value,
    position: Value,
    past: readonly KeyValues[],
  ): { readonly logits: Value; readonly present: readonly KeyValues[] };
}

/**
 * Whether a model generates with a KV cache.
 *
 * @param model The model.
 * @returns True when it has `kvCache` and `step` (a GPT).
 */
export function hasKvCache(model: LanguageModel): model is LanguageModel & CachedStep {
  const m = model as Partial<CachedStep>;
  return m.kvCache !== undefined && typeof m.step === "function";
}

/** A model of fastbook chapter 12: tokens (and state) in, logits (and state) out. */
export interface LanguageModel extends Module {
  /** Tokens in the vocabulary. */
  readonly vocabSize: number;
  /** Recurrent state tensors, empty for stateless models (LMModel1/2). */
  readonly state: readonly StateSpec[];
  /**
   * Builds the forward pass.
   *
   * @param ctx The graph being built, its mode and the parameters' values.
   * @param tokens int64 `[B, T]`.
   * @param state Values aligned with `state`, each `[layers, B, hidden]`.
   * @returns Logits, new state and the activations AR/TAR need.
   */
  forward(ctx: BuildContext, tokens: Value, state: readonly Value[]): ModelOutput;
}
