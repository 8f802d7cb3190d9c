/**
 * `nn.Embedding`: a lookup table of vectors, one row per token.
 *
 * @module
 */

import type { Value } from "../graph/graph.ts";
import type { BuildContext } from "./build_context.ts";
import { gather } from "../ops/indexing.ts";
import { normalInit } from "./init.ts";
import { Module } from "./module.ts";
import { type Init, Parameter } from "./parameter.ts";

/** PyTorch's `nn.Embedding(numEmbeddings, embeddingDim)`, initialized N(0, 1). */
export class Embedding extends Module {
  /** `[numEmbeddings, embeddingDim]`. */
  readonly weight: Parameter;

  /**
   * A `[numEmbeddings, embeddingDim]` lookup table.
   *
   * @param numEmbeddings Vocabulary size.
   * @param embeddingDim Vector size.
   * @param init How the table is drawn (N(0, 1), PyTorch's default).
   */
  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    init: Init = normalInit(),
  ) {
    super();
    this.weight = new Parameter([numEmbeddings, embeddingDim], init);
  }

  /**
   * Looks up token ids.
   *
   * @param x int64 ids of any shape.
   * @returns `[...x.shape, embeddingDim]`.
   */
  forward(ctx: BuildContext, x: Value): Value {
    return gather(ctx.value(this.weight), x);
  }
}
