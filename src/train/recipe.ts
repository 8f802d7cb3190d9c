/**
 * The two halves of a run's contract besides its data: the training recipe (fastai's
 * `fit_one_cycle` settings and the batch layout) and the architecture (the sizes a model is
 * built with). Both are saved in every checkpoint and read back from it, never from the
 * registry's defaults. Browser-compatible.
 *
 * @module
 */

import type { DataKind } from "../data/stream_batches.ts";
import type { AdaptiveSoftmaxSpec } from "../nn/adaptive_softmax.ts";
import type { StepsSchedule } from "./steps_schedule.ts";
import type { ArtifactOptions } from "./artifact_steps.ts";

export type { StepsSchedule } from "./steps_schedule.ts";

/**
 * fastai's `fit_one_cycle` recipe for one model (or nanoGPT's loop, `schedule`), and the
 * batches it trains on.
 */
export interface Recipe {
  /** Sample layout: three-token, three-token-stateful, sequence or windows (a GPT's). */
  readonly data: DataKind;
  /** Epochs of the one-cycle schedule (under `schedule`: its validations). */
  readonly epochs: number;
  /** Peak learning rate. */
  readonly lrMax: number;
  /** Decoupled weight decay (fastai's default 0.01; LMModel7's TextLearner 0.1). */
  readonly wd: number;
  /** Adam momentum over the one-cycle phases (under `schedule`, the first is beta1 throughout). */
  readonly moms: readonly [number, number, number];
  /** Adam's beta2 (fastai's `sqr_mom`, 0.99 when absent). */
  readonly sqrMom?: number;
  /** Adam's epsilon (fastai's 1e-5 when absent; PyTorch's AdamW, as nanoGPT uses: 1e-8). */
  readonly eps?: number;
  /** Clip the gradients' global norm to this (nanoGPT: 1.0); absent: no clipping. */
  readonly clip?: number;
  /** nanoGPT's steps under warmup and cosine decay, in place of fit_one_cycle's epochs. */
  readonly schedule?: StepsSchedule;
  /** Activation regularization weight (LMModel7). */
  readonly ar?: number;
  /** Temporal activation regularization weight (LMModel7). */
  readonly tar?: number;
  /** Rows per batch. */
  readonly batchSize: number;
  /** Tokens per sample: 3 for the three-token layouts, else the sequence length. */
  readonly seqLen: number;
}

/** The sizes a model is built with. */
export interface Architecture {
  /** Tokens in the vocabulary (the embedding's rows and the decoder's outputs). */
  readonly vocabSize: number;
  /** Hidden size. */
  readonly hidden: number;
  /** Recurrent layers (1 for the single-layer book models). */
  readonly layers: number;
  /** Dropout probability on the recurrent output (0 for models without dropout). */
  readonly dropout: number;
  /** Whether the decoder shares the embedding's weight (LMModel7). */
  readonly tied: boolean;
  /** An adaptive softmax in place of the linear decoder; absent: the full softmax. */
  readonly softmax?: AdaptiveSoftmaxSpec;
  /**
   * A GPT's attention (the `gpt` model; `hidden` is its `n_embd`, `layers` its blocks, and its
   * decoder is tied); absent for the recurrent models.
   */
  readonly gpt?: GptShape;
}

/** What a GPT's architecture has besides the recurrent models' sizes. */
export interface GptShape {
  /** Attention heads per block (dividing `hidden`). */
  readonly heads: number;
  /** The longest context: positions of the position embedding. */
  readonly block: number;
  /** Biases in the Linears and LayerNorms (nanoGPT's `bias`). */
  readonly bias: boolean;
}

/**
 * The train graph's optimizer settings a recipe states: fastai's Adam with its weight decay,
 * and a GPT's beta2, epsilon and gradient clipping where the recipe has them.
 *
 * @param recipe The recipe.
 * @returns `optimizer` and, when clipping, `clipGradNorm` for `buildArtifacts`.
 */
export function recipeOptimizer(
  recipe: Recipe,
): Pick<ArtifactOptions, "optimizer" | "clipGradNorm"> {
  return {
    optimizer: {
      kind: "adam",
      wd: recipe.wd,
      ...(recipe.sqrMom !== undefined ? { sqrMom: recipe.sqrMom } : {}),
      ...(recipe.eps !== undefined ? { eps: recipe.eps } : {}),
    },
    ...(recipe.clip !== undefined ? { clipGradNorm: recipe.clip } : {}),
  };
}
