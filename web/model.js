/**
 * An exported onnx-lm model in the page: fetches the `.onnx` file, opens it with
 * onnxruntime-web and computes next-token logits after a list of token ids, following the
 * export contract (see `src/export/sidecar.ts`):
 *
 * - `recurrent`: zero state, then one `session.run` per token, feeding `<state>_out` back;
 * - `fixed`: one run on the last `context` tokens.
 *
 * A recurrent model keeps the state after every prompt token, so typing one more word costs
 * one run, not a rerun of the whole prompt. No DOM here.
 *
 * @module
 */

/**
 * One entry of `/models/index.json`: the sidecar's fields plus `name`, `file`, `size`.
 *
 * @typedef {object} ModelEntry
 * @property {string} name
 * @property {string} file
 * @property {number} [size]
 * @property {string} [error]
 * @property {"recurrent" | "fixed"} kind
 * @property {number} context
 * @property {string[]} vocab
 * @property {{ name: string, shape: (number | string)[] }[]} state
 * @property {string} [description]
 * @property {{ accuracy?: number, valid_loss?: number, epochs?: number }} [metrics]
 */

/** A model that failed to load: the message is meant for the person using the page. */
export class ModelLoadError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = "ModelLoadError";
  }
}

/**
 * Checks that a sidecar describes something this page can run.
 *
 * @param {ModelEntry} entry
 * @returns {string | undefined} What is wrong, or undefined.
 */
export function entryProblem(entry) {
  if (entry.error) return entry.error;
  if (!Array.isArray(entry.vocab) || entry.vocab.length === 0) {
    return `${entry.name}.json has no vocabulary`;
  }
  if (entry.vocab.some((w) => typeof w !== "string")) {
    return `${entry.name}.json: the vocabulary must be strings`;
  }
  if (entry.kind !== "recurrent" && entry.kind !== "fixed") {
    return `${entry.name}.json: unknown kind ${JSON.stringify(entry.kind)}`;
  }
  if (!Number.isInteger(entry.context) || entry.context < 1) {
    return `${entry.name}.json: "context" must be a positive integer`;
  }
  if (entry.kind === "recurrent" && !Array.isArray(entry.state)) {
    return `${entry.name}.json: a recurrent model needs its "state" list`;
  }
  return undefined;
}

/** A loaded model. */
export class PageModel {
  /**
   * @param {typeof import("onnxruntime-web")} ort
   * @param {ModelEntry} entry
   * @param {import("onnxruntime-web").InferenceSession} session
   */
  constructor(ort, entry, session) {
    this.ort = ort;
    this.entry = entry;
    this.session = session;
    /** @type {number[]} Duration of every `session.run`, in ms. */
    this.runTimes = [];
    /** @type {number[]} Token ids the cache below holds. */
    this.cachedIds = [];
    /** @type {Record<string, import("onnxruntime-web").Tensor>[]} State after k tokens. */
    this.states = [this.zeroState()];
    /** @type {Float32Array[]} Logits after token k (index k - 1). */
    this.logitsAfterToken = [];
  }

  /**
   * Fetches and opens a model.
   *
   * @param {typeof import("onnxruntime-web")} ort onnxruntime-web.
   * @param {ModelEntry} entry Its entry in the model list.
   * @returns {Promise<PageModel>}
   * @throws {ModelLoadError} For a missing, unreadable or unusable file.
   */
  static async load(ort, entry) {
    const problem = entryProblem(entry);
    if (problem) throw new ModelLoadError(problem);
    let response;
    try {
      response = await fetch(`/models/${encodeURIComponent(entry.file)}`);
    } catch (error) {
      throw new ModelLoadError(`Cannot fetch ${entry.file}: ${messageOf(error)}`);
    }
    if (!response.ok) {
      throw new ModelLoadError(
        `Cannot fetch ${entry.file}: the server answered ${response.status} ${response.statusText}`,
      );
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    let session;
    try {
      session = await ort.InferenceSession.create(bytes, { executionProviders: ["wasm"] });
    } catch (error) {
      throw new ModelLoadError(
        `${entry.file} (${bytes.length} bytes) is not a model onnxruntime-web can open: ` +
          messageOf(error),
      );
    }
    const needed = [
      "tokens",
      ...(entry.kind === "recurrent" ? entry.state.map((s) => s.name) : []),
    ];
    const missing = needed.filter((n) => !session.inputNames.includes(n));
    if (missing.length || !session.outputNames.includes("logits")) {
      await session.release();
      throw new ModelLoadError(
        `${entry.file} does not match ${entry.name}.json: expected inputs ${needed.join(", ")} ` +
          `and output logits; the file has inputs ${session.inputNames.join(", ")} and outputs ` +
          session.outputNames.join(", "),
      );
    }
    return new PageModel(ort, entry, session);
  }

  /** @returns {Record<string, import("onnxruntime-web").Tensor>} */
  zeroState() {
    /** @type {Record<string, import("onnxruntime-web").Tensor>} */
    const state = {};
    if (this.entry.kind !== "recurrent") return state;
    for (const s of this.entry.state) {
      const dims = s.shape.map((d) => typeof d === "number" ? d : 1); // the symbolic batch is 1
      const size = dims.reduce((a, b) => a * b, 1);
      state[s.name] = new this.ort.Tensor("float32", new Float32Array(size), dims);
    }
    return state;
  }

  /** Fewest prompt tokens the model can predict from. */
  get minTokens() {
    return this.entry.kind === "fixed" ? this.entry.context : 1;
  }

  /**
   * @param {Record<string, import("onnxruntime-web").Tensor>} feeds
   * @returns {Promise<Record<string, import("onnxruntime-web").Tensor>>}
   */
  async run(feeds) {
    const start = performance.now();
    const out = await this.session.run(feeds);
    this.runTimes.push(performance.now() - start);
    return out;
  }

  /**
   * Next-token logits after a prompt.
   *
   * @param {readonly number[]} ids Token ids (at least `minTokens`).
   * @returns {Promise<Float32Array>} One score per vocabulary entry.
   */
  async logitsAfter(ids) {
    if (ids.length < this.minTokens) {
      throw new RangeError(`${this.entry.name} needs at least ${this.minTokens} tokens`);
    }
    const tokens = (/** @type {readonly number[]} */ row) =>
      new this.ort.Tensor("int64", BigInt64Array.from(row.map(BigInt)), [1, row.length]);
    if (this.entry.kind === "fixed") {
      const out = await this.run({ tokens: tokens(ids.slice(-this.entry.context)) });
      return /** @type {Float32Array} */ (out.logits.data);
    }
    let same = 0;
    while (
      same < ids.length && same < this.cachedIds.length && ids[same] === this.cachedIds[same]
    ) {
      same++;
    }
    this.cachedIds.length = same;
    this.states.length = same + 1;
    this.logitsAfterToken.length = same;
    for (let k = same; k < ids.length; k++) {
      const out = await this.run({ tokens: tokens([ids[k]]), ...this.states[k] });
      /** @type {Record<string, import("onnxruntime-web").Tensor>} */
      const next = {};
      for (const s of this.entry.state) next[s.name] = out[`${s.name}_out`];
      this.cachedIds.push(ids[k]);
      this.states.push(next);
      this.logitsAfterToken.push(/** @type {Float32Array} */ (out.logits.data));
    }
    return this.logitsAfterToken[ids.length - 1];
  }

  /** Frees the session. */
  async release() {
    await this.session.release();
  }
}

/**
 * @param {unknown} error
 * @returns {string}
 */
export function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}
