/**
 * LMModel3 (fastbook ch. 12, "Maintaining the State of an RNN"): LMModel2 whose hidden state
 * persists across batches. The state is a graph input `h` and the new one the output
 * `h_out`, so no gradient flows into earlier batches: the book's `detach`.
 *
 * @module
 */

import type { Value } from "../src/graph/graph.ts";
import { add, relu } from "../src/ops/elementwise.ts";
import { squeeze, unsqueeze } from "../src/ops/shape.ts";
import { Embedding } from "../src/nn/embedding.ts";
import type { LanguageModel, ModelOutput, StateSpec } from "../src/nn/language_model.ts";
import { Linear } from "../src/nn/linear.ts";
import { Module } from "../src/nn/module.ts";
import { timeSteps } from "../src/nn/sequence.ts";
import type { BuildContext } from "../src/nn/build_context.ts";

/** The book's LMModel3. */
export class LMModel3 extends Module implements LanguageModel {
  readonly i_h: Embedding;
  readonly h_h: Linear;
  readonly h_o: Linear;
  readonly state: readonly StateSpec[];

  /**
   * @param vocabSize Vocabulary size (30).
   * @param nHidden Hidden size (64).
   */
  constructor(readonly vocabSize: number, nHidden: number) {
    super();
    this.i_h = new Embedding(vocabSize, nHidden);
    this.h_h = new Linear(nHidden, nHidden);
    this.h_o = new Linear(nHidden, vocabSize);
    this.state = [{ name: "h", layers: 1, hidden: nHidden }];
  }

  /** `x`: `[B, 3]`, `h`: `[1, B, nHidden]` → logits `[B, vocab]` and the new h. */
  forward(ctx: BuildContext, x: Value, [h0]: readonly Value[]): ModelOutput {
    let h = squeeze(h0, [0]);
    for (const xi of timeSteps(this.i_h.forward(ctx, x))) {
      h = add(h, xi);
      h = relu(this.h_h.forward(ctx, h));
    }
    return { logits: this.h_o.forward(ctx, h), state: [unsqueeze(h, [0])] };
  }
}
