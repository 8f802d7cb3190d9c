/**
 * LMModel1 (fastbook ch. 12, "Our Language Model in PyTorch"): three unrolled steps over a
 * 3-token context; predicts the 4th token.
 *
 * @module
 */

import type { Value } from "../src/graph/graph.ts";
import { add, relu } from "../src/ops/elementwise.ts";
import { Embedding } from "../src/nn/embedding.ts";
import type { LanguageModel, ModelOutput, StateSpec } from "../src/nn/language_model.ts";
import { Linear } from "../src/nn/linear.ts";
import { Module } from "../src/nn/module.ts";
import { timeSteps } from "../src/nn/sequence.ts";
import type { BuildContext } from "../src/nn/build_context.ts";

/** The book's LMModel1. */
export class LMModel1 extends Module implements LanguageModel {
  readonly i_h: Embedding;
  readonly h_h: Linear;
  readonly h_o: Linear;
  readonly state: readonly StateSpec[] = [];

  /**
   * @param vocabSize Vocabulary size (30).
   * @param nHidden Hidden size (64).
   */
  constructor(readonly vocabSize: number, nHidden: number) {
    super();
    this.i_h = new Embedding(vocabSize, nHidden);
    this.h_h = new Linear(nHidden, nHidden);
    this.h_o = new Linear(nHidden, vocabSize);
  }

  /** `x`: `[B, 3]` → logits `[B, vocab]`. */
  forward(ctx: BuildContext, x: Value): ModelOutput {
    const [x0, x1, x2] = timeSteps(this.i_h.forward(ctx, x)); // i_h(x[:, 0]), i_h(x[:, 1]), ...
    let h = relu(this.h_h.forward(ctx, x0));
    h = add(h, x1);
    h = relu(this.h_h.forward(ctx, h));
    h = add(h, x2);
    h = relu(this.h_h.forward(ctx, h));
    return { logits: this.h_o.forward(ctx, h), state: [] };
  }
}
