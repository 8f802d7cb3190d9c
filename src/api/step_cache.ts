/**
 * Next-token logits after a list of token ids, following the export contract
 * (`src/export/sidecar.ts`), with as few runs of the step graph as the contract allows:
 *
 * - `recurrent`: zero state, then one run per token, feeding `<state>_out` back. The state
 *   after every token is kept, so a prompt that grows by one token costs one run, and an edit
 *   reruns from the first changed token only;
 * - `fixed`: one run on the last `context` tokens;
 * - `cached` (a GPT): the attention caches after the ids, kept for the latest ids only (each
 *   holds every shorter prefix's), so one run reads a whole prompt, a prompt that grows by one
 *   token costs one run of that token, and an edit reruns from the first changed token. Past
 *   the model's block (`context`), the last `context` ids are read afresh from position 0 each
 *   time, as nanoGPT crops its context.
 *
 * Only the newest logits are kept (a large vocabulary's logits per token would cost far more
 * than the state). Works with any runner of ONNX graphs. Browser-compatible.
 *
 * @module
 */

import type { Sidecar } from "../export/sidecar.ts";
import { type Tensor, tensor } from "../onnx/tensor.ts";
import { updatedName } from "../graph/updated_name.ts";
import { initialState } from "../export/kv_cache_state.ts";

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
  /** `cached`: where in the ids `#ids` (the window the caches hold) starts. */
  #start = 0;

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
    if (this.sidecar.kind === "cached") return await this.#cached(ids);
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

  async #cached(ids: readonly number[]): Promise<Float32Array> {
    const start = Math.max(0, ids.length - this.sidecar.context);
    const window = ids.slice(start);
    let same = 0;
    // Positions restart at 0 with each window: the caches of another window are of no use.
    if (start === this.#start) {
      while (
        same < window.length && same < this.#ids.length && window[same] === this.#ids[same]
      ) same++;
    }
    if (same === window.length && same === this.#ids.length && this.#logits) return this.#logits;
    // The logits after the last id need its run, even when its keys and values are cached.
    const keep = Math.min(same, window.length - 1);
    const past = keep === this.#ids.length ? this.#states[0] : this.#prefix(keep);
    this.#logits = undefined;
    const out = await this.run({
      tokens: tokenRow(window.slice(keep)),
      position: tensor("int64", [1], [BigInt(keep)]),
      ...past,
    });
    const next: Record<string, Tensor> = {};
    for (const s of this.sidecar.state) next[s.name] = out[updatedName(s.name)];
    this.#states = [next];
    this.#ids = window;
    this.#start = start;
    const width = this.sidecar.vocab.length;
    const all = out.logits.data as Float32Array;
    this.#logits = all.slice(all.length - width); // the last new token's
    return this.#logits;
  }

  /** `cached`: the caches cut to their first `keep` positions (`[1, heads, keep, size]`). */
  #prefix(keep: number): Record<string, Tensor> {
    if (keep === 0) return this.#zeroState();
    const cut: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(this.#states[0])) {
      const [, heads, held, size] = t.dims;
      const data = t.data as Float32Array;
      const out = new Float32Array(heads * keep * size);
      for (let h = 0; h < heads; h++) {
        out.set(data.subarray(h * held * size, (h * held + keep) * size), h * keep * size);
      }
      cut[name] = tensor("float32", [1, heads, keep, size], out);
    }
    return cut;
  }

  #zeroState(): Record<string, Tensor> {
    return initialState(this.sidecar.state, 1);
  }
}

function tokenRow(ids: readonly number[]): Tensor {
  return tensor("int64", [1, ids.length], ids.map(BigInt));
}
