/**
 * LMModel7 (fastbook ch. 12, "Training a Weight-Tied Regularized LSTM"): LMModel6 with
 * dropout on the LSTM output and the decoder's weight tied to the embedding.
 *
 * @module
 */

import type { Value } from "../src/graph/graph.ts";
import { Dropout } from "../src/nn/dropout.ts";
import { Embedding } from "../src/nn/embedding.ts";
import type { LanguageModel, ModelOutput, StateSpec } from "../src/nn/language_model.ts";
import { LSTM } from "../src/nn/lstm.ts";
import { Module } from "../src/nn/module.ts";
import type { AdaptiveSoftmaxSpec } from "../src/nn/adaptive_softmax.ts";
import { applyOutput, type OutputLayer, outputLayer } from "../src/nn/output_layer.ts";
import type { BuildContext } from "../src/nn/build_context.ts";

/** The book's LMModel7. */
export class LMModel7 extends Module implements LanguageModel {
  readonly i_h: Embedding;
  readonly rnn: LSTM;
  readonly drop: Dropout;
  readonly h_o: OutputLayer;
  readonly state: readonly StateSpec[];

  /**
   * @param vocabSize Vocabulary size (30).
   * @param nHidden Hidden size (64).
   * @param nLayers LSTM layers (2).
   * @param p Dropout probability (0.4).
   * @param softmax An adaptive softmax in place of the linear decoder (a large vocabulary).
   */
  constructor(
    readonly vocabSize: number,
    nHidden: number,
    nLayers: number,
    p: number,
    softmax?: AdaptiveSoftmaxSpec,
  ) {
    super();
    this.i_h = new Embedding(vocabSize, nHidden);
    this.rnn = new LSTM(nHidden, nHidden, nLayers);
    this.drop = new Dropout(p);
    // Weight tying; an adaptive softmax has no matrix of the embedding's shape to share.
    this.h_o = outputLayer(nHidden, vocabSize, softmax, { weight: this.i_h.weight });
    this.state = [
      { name: "h", layers: nLayers, hidden: nHidden },
      { name: "c", layers: nLayers, hidden: nHidden },
    ];
  }

  /** Returns logits, the raw LSTM output (for TAR) and the dropped-out one (for AR). */
  forward(ctx: BuildContext, x: Value, [h, c]: readonly Value[]): ModelOutput {
    const [raw, state] = this.rnn.forward(ctx, this.i_h.forward(ctx, x), [h, c]); // state: graph output (detach)
    const out = this.drop.forward(ctx, raw);
    return {
      state,
      raw,
      out,
      ...applyOutput(ctx, this.h_o, out),
    };
  }
}
