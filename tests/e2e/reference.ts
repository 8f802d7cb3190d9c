/**
 * The reference the page is checked against: an exported model run by onnxruntime-node
 * (`Session`), with the export contract's procedure: recurrent models start from zero state
 * and take one step per prompt token, feeding `<state>_out` back; fixed models read the last
 * `context` tokens; cached models (a GPT) read the last `context` tokens in one call from empty
 * caches (nanoGPT's cropped context, without the page's incremental cache). Prompts are tokenized as the model's training text was (`encodePrompt`
 * with the sidecar's tokenizer, `xxbos` first when the model has it); greedy continuation
 * never chooses `xxunk`, as in the CLI. Probabilities are a float64 softmax of the float32
 * logits.
 *
 * @module
 */

import { encodePrompt } from "../../src/data/prompt.ts";
import { BOS, UNK } from "../../src/data/tokenizer.ts";
import { parseSidecar, type Sidecar } from "../../src/export/sidecar.ts";
import { type Tensor, tensor } from "../../src/onnx/tensor.ts";
import { Session } from "../../src/runtime/session.ts";

/** One row of a top-k list. */
export interface Ranked {
  readonly token: string;
  readonly prob: number;
}

/** An exported model loaded in onnxruntime-node. */
export class Reference {
  private constructor(readonly sidecar: Sidecar, private readonly session: Session) {}

  /**
   * Loads `<dir>/<name>.json` and its `.onnx` file.
   *
   * @param dir Models directory.
   * @param name Model name.
   * @returns The reference.
   */
  static async load(dir: string, name: string): Promise<Reference> {
    const sidecar = parseSidecar(
      JSON.parse(await Deno.readTextFile(`${dir}/${name}.json`)),
      `${name}.json`,
    );
    const bytes = await Deno.readFile(`${dir}/${sidecar.file}`);
    return new Reference(sidecar, await Session.create(bytes, { source: sidecar.file }));
  }

  /**
   * Token ids of a prompt, as the model reads it.
   *
   * @param prompt The prompt.
   * @returns The ids (`xxbos` first when the model has it).
   * @throws Error for a token the model refuses (no `xxunk`).
   */
  encode(prompt: string): number[] {
    const { tokenizer, vocab } = this.sidecar;
    const ids = encodePrompt(prompt, tokenizer, vocab).map((t) => {
      if (t.id < 0) throw new Error(`"${t.text}" is not in the vocabulary`);
      return t.id;
    });
    return tokenizer.specials.includes(BOS) ? [vocab.indexOf(BOS), ...ids] : ids;
  }

  /**
   * Next-token logits after the prompt's token ids.
   *
   * @param ids Token ids.
   * @returns `vocab` logits.
   */
  async logits(ids: readonly number[]): Promise<Float32Array> {
    const { sidecar } = this;
    if (sidecar.kind === "fixed") {
      const last = ids.slice(-sidecar.context).map(BigInt);
      const out = await this.session.run({
        tokens: tensor("int64", [1, sidecar.context], last),
      });
      return out.logits.data as Float32Array;
    }
    if (sidecar.kind === "cached") {
      const window = ids.slice(-sidecar.context).map(BigInt);
      const empty = Object.fromEntries(sidecar.state.map((s) => {
        const dims = s.shape.map((d) => typeof d === "number" ? d : d === "batch" ? 1 : 0);
        return [s.name, tensor("float32", dims, new Float32Array(0))];
      }));
      const out = await this.session.run({
        tokens: tensor("int64", [1, window.length], window),
        position: tensor("int64", [1], [0n]),
        ...empty,
      });
      const all = out.logits.data as Float32Array;
      return all.slice(all.length - sidecar.vocab.length);
    }
    let state: Record<string, Tensor> = {};
    for (const s of sidecar.state) {
      const dims = s.shape.map((d) => typeof d === "number" ? d : 1);
      state[s.name] = tensor("float32", dims, new Float32Array(dims.reduce((a, b) => a * b, 1)));
    }
    let logits: Float32Array = new Float32Array();
    for (const id of ids) {
      const out = await this.session.run({ tokens: tensor("int64", [1, 1], [id]), ...state });
      logits = out.logits.data as Float32Array;
      state = Object.fromEntries(sidecar.state.map((s) => [s.name, out[`${s.name}_out`]]));
    }
    return logits;
  }

  /**
   * The k most likely next tokens after a prompt (ties: lower token id first).
   *
   * @param prompt The prompt.
   * @param k How many.
   * @returns Tokens with probabilities, most likely first.
   */
  async top(prompt: string, k = 5): Promise<Ranked[]> {
    const logits = await this.logits(this.encode(prompt));
    let max = -Infinity;
    for (const v of logits) max = Math.max(max, v);
    const exps = Array.from(logits, (v) => Math.exp(v - max));
    const sum = exps.reduce((a, b) => a + b, 0);
    return exps.map((e, id) => ({ id, prob: e / sum }))
      .sort((a, b) => b.prob - a.prob || a.id - b.id)
      .slice(0, k)
      .map(({ id, prob }) => ({ token: this.sidecar.vocab[id], prob }));
  }

  /**
   * Greedy continuation: `n` times, append the most likely token.
   *
   * @param prompt The prompt.
   * @param n Tokens to generate.
   * @returns The generated tokens.
   */
  async greedy(prompt: string, n: number): Promise<string[]> {
    const ids = this.encode(prompt);
    const unk = this.sidecar.vocab.indexOf(UNK);
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const logits = await this.logits(ids);
      let best = unk === 0 ? 1 : 0;
      for (let j = 1; j < logits.length; j++) {
        if (j !== unk && logits[j] > logits[best]) best = j;
      }
      ids.push(best);
      out.push(this.sidecar.vocab[best]);
    }
    return out;
  }

  /** Frees the session. */
  async release(): Promise<void> {
    await this.session.release();
  }
}
