/**
 * LMModel5 (fastbook ch. 12, "Multilayer RNNs"): embedding, a 2-layer tanh RNN, a linear
 * decoder; h carried between batches.
 *
 * @module
 */

import type { Value } from "../src/graph/graph.ts";
import { Embedding } from "../src/nn/embedding.ts";
import type { LanguageModel, ModelOutput, StateSpec } from "../src/nn/language_model.ts";
import { Linear } from "../src/nn/linear.ts";
import { Module } from "../src/nn/module.ts";
import { RNN } from "../src/nn/rnn.ts";
import type { BuildContext } from "../src/nn/build_context.ts";

/** The book's LMModel5. */
export class LMModel5 extends Module implements LanguageModel {
  readonly i_h: Embedding;
  readonly rnn: RNN;
  readonly h_o: Linear;
  readonly state: readonly StateSpec[];

  /**
   * @param vocabSize Vocabulary size (30).
   * @param nHidden Hidden size (64).
   * @param nLayers RNN layers (2).
   */
  constructor(readonly vocabSize: number, nHidden: number, nLayers: number) {
    super();
    this.i_h = new Embedding(vocabSize, nHidden);
    this.rnn = new RNN(nHidden, nHidden, nLayers);
    this.h_o = new Linear(nHidden, vocabSize);
    this.state = [{ name: "h", layers: nLayers, hidden: nHidden }];
  }

  /** `h_o(rnn(i_h(x), h))`; the new h is a graph output (the book's detach). */
  forward(ctx: BuildContext, x: Value, [h]: readonly Value[]): ModelOutput {
    const [res, hNext] = this.rnn.forward(ctx, this.i_h.forward(ctx, x), h);
    return {
      logits: this.h_o.forward(ctx, res),
      state: [hNext],
      raw: res,
      out: res,
      decoder: this.h_o.head(ctx, res),
    };
  }
}
