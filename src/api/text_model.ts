/**
 * A loaded model that reads and writes text: the top-k next tokens of a prompt, and its
 * continuation, whole (`generate`) or token by token (`stream`), as fastai's `learn.predict`.
 * The prompt is read as the training text was (`readPrompt`: `xxbos` first), `xxunk` is
 * never chosen, and sampling is seeded (mulberry32, float64 softmax), so the same seed gives
 * the same text on every runtime whose logits agree. Calls are queued: one session runs one
 * call at a time. Browser-compatible.
 *
 * @module
 */

import { BOS, joinTokens, NEWLINE, UNK } from "../data/tokenizer.ts";
import type { Sidecar } from "../export/sidecar.ts";
import { mulberry32, pickToken, softmax, topK } from "../generate/sampling.ts";
import type { Session } from "../runtime/session.ts";
import type { Device } from "../runtime/backend.ts";
import { PromptError, type PromptModel, type ReadPrompt, readPrompt } from "./prompt.ts";
import { StepCache } from "./step_cache.ts";
import { updatedName } from "../graph/updated_name.ts";

/** One of the most likely next tokens. */
export interface NextToken {
  /** Its vocabulary id. */
  readonly id: number;
  /** Its text (the vocabulary entry). */
  readonly token: string;
  /** Its probability, softmax of the logits in float64. */
  readonly prob: number;
}

/** How to continue a prompt. */
export interface GenerateOptions {
  /** Tokens to add (50). */
  readonly n?: number;
  /** 0 is greedy; above 0 divides the logits before the softmax (1). */
  readonly temperature?: number;
  /** Draw only among the k most likely tokens. */
  readonly topK?: number;
  /** Draw only among the most likely tokens whose probabilities sum to p, in (0, 1]. */
  readonly topP?: number;
  /** Seed of the draws (an integer from 0 to 2^32 - 1; a random one when absent). */
  readonly seed?: number;
}

/** A token of a continuation, as `stream` yields it. */
export interface GeneratedToken {
  /** Its vocabulary id. */
  readonly id: number;
  /** Its vocabulary entry. */
  readonly token: string;
  /** The continuation so far as text: what `generate` returns when it stops here. */
  readonly text: string;
}

/** A prompt: text, or token ids as the model reads them (`xxbos` included). */
export type Prompt = string | readonly number[];

/** A model ready to predict and generate (made by `loadModel`). */
export class TextModel {
  readonly #session: Session;
  readonly #cache: StepCache;
  readonly #index: ReadonlyMap<string, number>;
  readonly #prompt: PromptModel;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #runTimes: number[] = [];

  /**
   * Wraps an open session of a model's step graph (`loadModel` makes one).
   *
   * @param sidecar The checked sidecar.
   * @param session The step graph's session.
   * @param device Where it runs.
   */
  constructor(
    /** The model's sidecar: vocabulary, tokenizer, kind, sizes, metrics. */
    readonly sidecar: Sidecar,
    session: Session,
    /** Where the session runs. */
    readonly device: Device,
  ) {
    this.#session = session;
    this.#index = new Map(sidecar.vocab.map((w, i) => [w, i]));
    this.#prompt = { ...sidecar, name: sidecar.file.replace(/\.onnx$/, "") };
    this.#cache = new StepCache(sidecar, async (feeds) => {
      const start = performance.now();
      const out = await session.run(feeds, [
        "logits",
        ...sidecar.state.map((s) => updatedName(s.name)),
      ]);
      this.#runTimes.push(performance.now() - start);
      return out;
    });
  }

  /**
   * The model's name: its file's (`chars` for `chars.onnx`, as `deno task export --name`
   * wrote it; `lm7` by default). `sidecar.model` says which architecture it is.
   */
  get name(): string {
    return this.#prompt.name;
  }

  /** Token strings by id. */
  get vocab(): readonly string[] {
    return this.sidecar.vocab;
  }

  /** Fewest tokens (with `xxbos`) the model predicts from. */
  get minTokens(): number {
    return this.#cache.minTokens;
  }

  /** Milliseconds of every run of the step graph so far. */
  get runTimes(): readonly number[] {
    return this.#runTimes;
  }

  /**
   * Reads a prompt as the model reads it, with what keeps it from being predicted from.
   *
   * @param text The prompt.
   * @returns Its tokens, ids, unknown tokens and problem.
   */
  readPrompt(text: string): ReadPrompt {
    return readPrompt(this.#prompt, text, this.#index);
  }

  /**
   * The k most likely next tokens after a prompt.
   *
   * @param prompt Text, or ids as the model reads them.
   * @param k How many (5).
   * @returns The tokens, most likely first (ties in id order).
   * @throws PromptError when the model cannot predict from the prompt.
   */
  async nextTokens(prompt: Prompt, k = 5): Promise<NextToken[]> {
    checkInteger("k", k, 1, Number.MAX_SAFE_INTEGER);
    const ids = this.#ids(prompt);
    return await this.#exclusive(async () => {
      const logits = await this.#cache.logitsAfter(ids);
      return topK(softmax(logits), k).map(({ id, prob }) => ({
        id,
        token: this.sidecar.vocab[id],
        prob,
      }));
    });
  }

  /**
   * Continues a prompt.
   *
   * @param prompt Text, or ids as the model reads them.
   * @param options Tokens, temperature, top-k, top-p, seed.
   * @returns The continuation as text.
   * @throws PromptError when the model cannot predict from the prompt; RangeError for an
   *   option out of range.
   */
  async generate(prompt: Prompt, options: GenerateOptions = {}): Promise<string> {
    let text = "";
    for await (const t of this.stream(prompt, options)) text = t.text;
    return text;
  }

  /**
   * Continues a prompt token by token: each token is chosen and yielded before the next is
   * computed, so stopping early (`break`) costs nothing more.
   *
   * @param prompt Text, or ids as the model reads them.
   * @param options Tokens, temperature, top-k, top-p, seed.
   * @yields Each token with the continuation so far.
   * @throws PromptError when the model cannot predict from the prompt; RangeError for an
   *   option out of range.
   */
  async *stream(prompt: Prompt, options: GenerateOptions = {}): AsyncGenerator<GeneratedToken> {
    const n = options.n ?? 50;
    checkInteger("n", n, 0, 1_000_000);
    const temperature = options.temperature ?? 1;
    if (!(Number.isFinite(temperature) && temperature >= 0)) {
      throw new RangeError(`temperature must be a number >= 0: got ${temperature}`);
    }
    if (options.topK !== undefined) checkInteger("topK", options.topK, 1, Number.MAX_SAFE_INTEGER);
    if (options.topP !== undefined && !(options.topP > 0 && options.topP <= 1)) {
      throw new RangeError(`topP must be in (0, 1]: got ${options.topP}`);
    }
    const seed = options.seed ?? crypto.getRandomValues(new Uint32Array(1))[0];
    checkInteger("seed", seed, 0, 2 ** 32 - 1);
    const ids = [...this.#ids(prompt)];
    // The continuation needs a space before it after a word, not at the start of a line.
    const last = this.sidecar.vocab[ids.at(-1) ?? -1];
    const afterText = last !== undefined && last !== NEWLINE && last !== BOS;
    const unk = this.#index.get(UNK);
    const sampling = {
      temperature,
      ...(options.topK !== undefined ? { topK: options.topK } : {}),
      ...(options.topP !== undefined ? { topP: options.topP } : {}),
      banned: unk === undefined ? [] : [unk],
    };
    const random = mulberry32(seed);
    const chosen: string[] = [];
    for (let i = 0; i < n; i++) {
      const logits = await this.#exclusive(() => this.#cache.logitsAfter(ids));
      const id = pickToken(logits, sampling, random);
      ids.push(id);
      chosen.push(this.sidecar.vocab[id]);
      const text = joinTokens(chosen, this.sidecar.tokenizer, afterText);
      yield { id, token: this.sidecar.vocab[id], text };
    }
  }

  /** Frees the session; the model cannot be used afterwards. */
  async release(): Promise<void> {
    await this.#exclusive(() => this.#session.release());
  }

  /** A prompt's ids, or the PromptError that says why there are none. */
  #ids(prompt: Prompt): readonly number[] {
    if (typeof prompt !== "string") {
      if (!Array.isArray(prompt)) {
        throw new TypeError(`A prompt is text or an array of token ids: got ${typeof prompt}`);
      }
      if (prompt.length < this.minTokens) {
        throw new PromptError(
          `${this.name} needs at least ${this.minTokens} token ids: got ${prompt.length}`,
        );
      }
      return prompt;
    }
    const read = this.readPrompt(prompt);
    if (read.problem) throw new PromptError(read.problem);
    return read.ids;
  }

  /** Runs `fn` after every call queued before it: one session call at a time. */
  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(fn);
    this.#queue = result.catch(() => {});
    return result;
  }
}

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}: got ${value}`);
  }
}
