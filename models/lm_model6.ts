/**
 * LMModel6 (fastbook ch. 12, "Building an LSTM"): embedding, a 2-layer LSTM, a linear
 * decoder; `(h, c)` carried between batches.
 *
 * @module
 */

import type { Value } from "../src/graph/graph.ts";
import { Embedding } from "../src/nn/embedding.ts";
import type { LanguageModel, ModelOutput, StateSpec } from "../src/nn/language_model.ts";
import { Linear } from "../src/nn/linear.ts";
import { LSTM } from "../src/nn/lstm.ts";
import { Module } from "../src/nn/module.ts";
import type { BuildContext } from "../src/nn/build_context.ts";

/** The book's LMModel6. */
export class LMModel6 extends Module implements LanguageModel {
  readonly i_h: Embedding;
  readonly rnn: LSTM;
  readonly h_o: Linear;
  readonly state: readonly StateSpec[];

  /**
   * @param vocabSize Vocabulary size (30).
   * @param nHidden Hidden size (64).
   * @param nLayers LSTM layers (2).
   */
  constructor(readonly vocabSize: number, nHidden: number, nLayers: number) {
    super();
    this.i_h = new Embedding(vocabSize, nHidden);
    this.rnn = new LSTM(nHidden, nHidden, nLayers);
    this.h_o = new Linear(nHidden, vocabSize);
    this.state = [
      { name: "h", layers: nLayers, hidden: nHidden },
      { name: "c", layers: nLayers, hidden: nHidden },
    ];
  }

  /** `h_o(rnn(i_h(x), (h, c)))`; the new `(h, c)` is a graph output (the book's detach). */
  forward(ctx: BuildContext, x: Value, [h, c]: readonly Value[]): ModelOutput {
    const [raw, state] = this.rnn.forward(ctx, this.i_h.forward(ctx, x), [h, c]);
    return {
      logits: this.h_o.forward(ctx, raw),
      state,
      raw,
      out: raw,
      decoder: this.h_o.head(ctx, raw),
    };
  }
}
