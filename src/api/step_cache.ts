/**
 * Next-token logits after a list of token ids, following the export contract
 * (`src/export/sidecar.ts`), with as few runs of the step graph as the contract allows:
 *
 * - `recurrent`: zero state, then one run per token, feeding `<state>_out` back. The state
 *   after every token is kept, so a prompt that grows by one token costs one run, and an edit
 *   reruns from the first changed token only;
 * - `fixed`: one run on the last `context` tokens.
 *
 * Only the newest logits are kept (a large vocabulary's logits per token would cost far more
 * than the state). Works with any runner of ONNX graphs. Browser-compatible.
 *
 * @module
 */

import type { Sidecar } from "../export/sidecar.ts";
import { type Tensor, tensor } from "../onnx/tensor.ts";
import { updatedName } from "../graph/updated_name.ts";

/** Runs the step graph once. */
export type RunStep = (feeds: Record<string, Tensor>) => Promise<Record<string, Tensor>>;

/** The logits after token ids, computed incrementally. */
export class StepCache {
  /** Token ids the states below follow. */
  #ids: number[] = [];
  /** `#states[k]`: the state after the first k ids. */
  #states: Record<string, Tensor>[];
  /** The logits after all of `#ids` (or after the fixed window `#window`). */
  #logits: Float32Array | undefined;
  #window = "";

  /**
   * Starts from a zero state, with nothing computed.
   *
   * @param sidecar The model's sidecar (kind, context, state shapes).
   * @param run Runs its step graph.
   */
  constructor(private readonly sidecar: Sidecar, private readonly run: RunStep) {
    this.#states = [this.#zeroState()];
  }

  /** Fewest ids the model predicts from. */
  get minTokens(): number {
    return this.sidecar.kind === "fixed" ? this.sidecar.context : 1;
  }

  /**
   * Next-token logits after some ids.
   *
   * @param ids Token ids (at least `minTokens`), each below the vocabulary's size.
   * @returns One score per vocabulary entry.
   * @throws RangeError for too few ids or an id outside the vocabulary.
   */
  async logitsAfter(ids: readonly number[]): Promise<Float32Array> {
    if (ids.length < this.minTokens) {
      throw new RangeError(
        `${this.sidecar.model} needs at least ${this.minTokens} tokens: got ${ids.length}`,
      );
    }
    const size = this.sidecar.vocab.length;
    const bad = ids.findIndex((id) => !Number.isInteger(id) || id < 0 || id >= size);
    if (bad >= 0) {
      throw new RangeError(
        `Token id ${ids[bad]} at position ${bad} is outside ${this.sidecar.model}'s ` +
          `vocabulary of ${size}`,
      );
    }
    if (this.sidecar.kind === "fixed") return await this.#fixed(ids);
    let same = 0;
    while (same < ids.length && same < this.#ids.length && ids[same] === this.#ids[same]) same++;
    if (same === ids.length && same === this.#ids.length && this.#logits) return this.#logits;
    // The logits after the last id need its run, even when its state is cached.
    const from = Math.min(same, ids.length - 1);
    this.#ids.length = from;
    this.#states.length = from + 1;
    this.#logits = undefined;
    for (let k = from; k < ids.length; k++) {
      const out = await this.run({ tokens: tokenRow([ids[k]]), ...this.#states[k] });
      const next: Record<string, Tensor> = {};
      for (const s of this.sidecar.state) next[s.name] = out[updatedName(s.name)];
      this.#ids.push(ids[k]);
      this.#states.push(next);
      if (k === ids.length - 1) this.#logits = out.logits.data as Float32Array;
    }
    return this.#logits!;
  }

  async #fixed(ids: readonly number[]): Promise<Float32Array> {
    const window = ids.slice(-this.sidecar.context);
    const key = window.join(",");
    if (key !== this.#window || !this.#logits) {
      this.#logits = undefined;
      const out = await this.run({ tokens: tokenRow(window) });
      this.#logits = out.logits.data as Float32Array;
      this.#window = key;
    }
    return this.#logits;
  }

  #zeroState(): Record<string, Tensor> {
    const state: Record<string, Tensor> = {};
    for (const s of this.sidecar.state) {
      const dims = s.shape.map((d) => (typeof d === "number" ? d : 1)); // batch 1
      state[s.name] = tensor("float32", dims, new Float32Array(dims.reduce((a, b) => a * b, 1)));
    }
    return state;
  }
}

function tokenRow(ids: readonly number[]): Tensor {
  return tensor("int64", [1, ids.length], ids.map(BigInt));
}
