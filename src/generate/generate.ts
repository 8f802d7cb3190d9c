/**
 * Text generation with an exported step graph, like fastai's `learn.predict(text, n_words,
 * temperature)`: the prompt's tokens go through the model one run each (a recurrent model
 * carries its state), then `n` tokens are chosen one at a time and fed back. Works with any
 * runner of ONNX graphs (onnxruntime-node's Session in the CLI). Browser-compatible.
 *
 * @module
 */

import type { Sidecar } from "../export/sidecar.ts";
import { type Tensor, tensor } from "../onnx/tensor.ts";
import { pickToken, type SamplingOptions } from "./sampling.ts";

/** Runs the step graph once. */
export type RunStep = (feeds: Record<string, Tensor>) => Promise<Record<string, Tensor>>;

/** What a generation needs. */
export interface GenerateOptions {
  /** Tokens to add after the prompt. */
  readonly n: number;
  /** Temperature, top-k and banned ids. */
  readonly sampling: SamplingOptions;
  /** Uniform numbers in [0, 1) (seeded, e.g. `mulberry32(seed)`). */
  readonly random: () => number;
  /** Called with each chosen token id (to stream the text). */
  readonly onToken?: (id: number) => void;
}

/** Raised when a prompt cannot start the model (too short for a fixed-context model). */
export class PromptError extends Error {
  /** The error name. */
  override name = "PromptError";
}

/**
 * Continues a prompt.
 *
 * @param sidecar The exported model's sidecar (kind, context, state shapes).
 * @param run Runs the model's step graph (`sidecar.file`).
 * @param prompt Token ids of the prompt (at least `context` for a fixed-context model).
 * @param options How many tokens and how to choose them.
 * @returns The chosen token ids.
 * @throws PromptError when the prompt is too short.
 */
export async function generate(
  sidecar: Sidecar,
  run: RunStep,
  prompt: readonly number[],
  options: GenerateOptions,
): Promise<number[]> {
  const out: number[] = [];
  const choose = (logits: ArrayLike<number>) => {
    const id = pickToken(logits, options.sampling, options.random);
    out.push(id);
    options.onToken?.(id);
    return id;
  };
  if (sidecar.kind === "fixed") {
    const k = sidecar.context;
    if (prompt.length < k) {
      throw new PromptError(
        `${sidecar.model} reads the last ${k} tokens: the prompt gives ${prompt.length}` +
          (sidecar.tokenizer.specials.includes("xxbos") ? ` (counting the xxbos before it)` : ""),
      );
    }
    const ids = [...prompt];
    for (let i = 0; i < options.n; i++) {
      const tokens = tensor("int64", [1, k], ids.slice(-k).map(BigInt));
      ids.push(choose((await run({ tokens })).logits.data as Float32Array));
    }
    return out;
  }
  if (prompt.length === 0) throw new PromptError(`the prompt has no tokens`);
  let state: Record<string, Tensor> = {};
  for (const s of sidecar.state) {
    const dims = s.shape.map((d) => (d === "batch" ? 1 : Number(d)));
    state[s.name] = tensor("float32", dims, new Float32Array(dims.reduce((a, b) => a * b, 1)));
  }
  let logits: Float32Array | undefined;
  const feed = async (id: number) => {
    const result = await run({ tokens: tensor("int64", [1, 1], [BigInt(id)]), ...state });
    state = Object.fromEntries(sidecar.state.map((s) => [s.name, result[`${s.name}_out`]]));
    logits = result.logits.data as Float32Array;
  };
  for (const id of prompt) await feed(id);
  for (let i = 0; i < options.n; i++) {
    const id = choose(logits!);
    if (i + 1 < options.n) await feed(id);
  }
  return out;
}
