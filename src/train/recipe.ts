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

/** fastai's `fit_one_cycle` recipe for one model, and the batches it trains on. */
export interface Recipe {
  /** Sample layout: three-token, three-token-stateful or sequence. */
  readonly data: DataKind;
  /** Epochs of the one-cycle schedule. */
  readonly epochs: number;
  /** Peak learning rate. */
  readonly lrMax: number;
  /** Decoupled weight decay (fastai's default 0.01; LMModel7's TextLearner 0.1). */
  readonly wd: number;
  /** Adam momentum over the one-cycle phases. */
  readonly moms: readonly [number, number, number];
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
}
