/**
 * LMModel5 (fastbook ch. 12, "Multilayer RNNs"): embedding, a 2-layer tanh RNN, a linear
 * decoder; h carried between batches.
 *
 * @module
 */

import type { Value } from "../src/graph/graph.ts";
import { Embedding } from "../src/nn/embedding.ts";
import type { LanguageModel, ModelOutput, StateSpec } from "../src/nn/language_model.ts";
import { Module } from "../src/nn/module.ts";
import type { AdaptiveSoftmaxSpec } from "../src/nn/adaptive_softmax.ts";
import { applyOutput, type OutputLayer, outputLayer } from "../src/nn/output_layer.ts";
import { RNN } from "../src/nn/rnn.ts";
import type { BuildContext } from "../src/nn/build_context.ts";

/** The book's LMModel5. */
export class LMModel5 extends Module implements LanguageModel {
  readonly i_h: Embedding;
  readonly rnn: RNN;
  readonly h_o: OutputLayer;
  readonly state: readonly StateSpec[];

  /**
   * @param vocabSize Vocabulary size (30).
   * @param nHidden Hidden size (64).
   * @param nLayers RNN layers (2).
   * @param softmax An adaptive softmax in place of the linear decoder (a large vocabulary).
   */
  constructor(
    readonly vocabSize: number,
    nHidden: number,
    nLayers: number,
    softmax?: AdaptiveSoftmaxSpec,
  ) {
    super();
    this.i_h = new Embedding(vocabSize, nHidden);
    this.rnn = new RNN(nHidden, nHidden, nLayers);
    this.h_o = outputLayer(nHidden, vocabSize, softmax);
    this.state = [{ name: "h", layers: nLayers, hidden: nHidden }];
  }

  /** `h_o(rnn(i_h(x), h))`; the new h is a graph output (the book's detach). */
  forward(ctx: BuildContext, x: Value, [h]: readonly Value[]): ModelOutput {
    const [res, hNext] = this.rnn.forward(ctx, this.i_h.forward(ctx, x), h);
    return {
      state: [hNext],
      raw: res,
      out: res,
      ...applyOutput(ctx, this.h_o, res),
    };
  }
}
