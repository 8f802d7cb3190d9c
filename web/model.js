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

import { parseSidecar } from "/lib/onnx_lm.js";

/**
 * One entry of `/models/index.json`: the sidecar's fields plus `name`, `file`, `size`, and
 * `error` when the server found the model unusable.
 *
 * @typedef {object} ModelEntry
 * @property {string} name
 * @property {string} file
 * @property {number} [size]
 * @property {string} [error]
 * @property {string} [description]
 * @property {{ accuracy?: number, valid_loss?: number, epochs?: number }} [metrics]
 * @property {Uint8Array} [bytes] The model itself, for one trained in this page (no fetch).
 */

/** @typedef {import("../src/export/sidecar.ts").Sidecar} Sidecar */

/** A model that failed to load: the message is meant for the person using the page. */
export class ModelLoadError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = "ModelLoadError";
  }
}

/**
 * Checks an entry with the sidecar check the server and the CLI use (`parseSidecar`).
 *
 * @param {ModelEntry} entry
 * @returns {{ sidecar: Sidecar } | { problem: string }} The checked sidecar, or what is
 *   wrong (the server's `error` first).
 */
export function checkEntry(entry) {
  if (entry.error) return { problem: entry.error };
  try {
    return { sidecar: parseSidecar(entry, `${entry.name}.json`) };
  } catch (error) {
    return { problem: messageOf(error) };
  }
}

/** A loaded model. */
export class PageModel {
  /**
   * @param {typeof import("onnxruntime-web")} ort
   * @param {ModelEntry} entry
   * @param {Sidecar} sidecar The entry, checked.
   * @param {import("onnxruntime-web").InferenceSession} session
   */
  constructor(ort, entry, sidecar, session) {
    this.ort = ort;
    this.entry = entry;
    this.sidecar = sidecar;
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
  static async load(ort, entry, backend = "wasm") {
    const checked = checkEntry(entry);
    if ("problem" in checked) throw new ModelLoadError(checked.problem);
    const { sidecar } = checked;
    const bytes = entry.bytes ?? await fetchModel(entry);
    let session;
    try {
      session = await ort.InferenceSession.create(bytes, { executionProviders: [backend] });
    } catch (error) {
      throw new ModelLoadError(
        `${entry.file} (${bytes.length} bytes) is not a model onnxruntime-web can open: ` +
          messageOf(error),
      );
    }
    const needed = [
      "tokens",
      ...(sidecar.kind === "recurrent" ? sidecar.state.map((s) => s.name) : []),
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
    return new PageModel(ort, entry, sidecar, session);
  }

  /** @returns {Record<string, import("onnxruntime-web").Tensor>} */
  zeroState() {
    /** @type {Record<string, import("onnxruntime-web").Tensor>} */
    const state = {};
    if (this.sidecar.kind !== "recurrent") return state;
    for (const s of this.sidecar.state) {
      const dims = s.shape.map((d) => typeof d === "number" ? d : 1); // the symbolic batch is 1
      const size = dims.reduce((a, b) => a * b, 1);
      state[s.name] = new this.ort.Tensor("float32", new Float32Array(size), dims);
    }
    return state;
  }

  /** Fewest prompt tokens the model can predict from. */
  get minTokens() {
    return this.sidecar.kind === "fixed" ? this.sidecar.context : 1;
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
    if (this.sidecar.kind === "fixed") {
      const out = await this.run({ tokens: tokens(ids.slice(-this.sidecar.context)) });
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
      for (const s of this.sidecar.state) next[s.name] = out[`${s.name}_out`];
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
 * The bytes of a model in the models directory.
 *
 * @param {ModelEntry} entry
 * @returns {Promise<Uint8Array>}
 * @throws {ModelLoadError} When the server cannot give it.
 */
async function fetchModel(entry) {
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
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * @param {unknown} error
 * @returns {string}
 */
export function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}
