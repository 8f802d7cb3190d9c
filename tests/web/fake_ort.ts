/**
 * A fake onnxruntime-web for the page's `model.js`, which takes the runtime as an argument:
 * only the parts it uses (`Tensor`, `InferenceSession.create`, a session's `run`, names and
 * `release`), recording every call so tests can check what the page feeds.
 *
 * @module
 */

import type * as Ort from "onnxruntime-web";

/** What `model.js` builds with `new ort.Tensor(type, data, dims)` and reads back. */
export class FakeTensor {
  /**
   * @param type Element type.
   * @param data The values.
   * @param dims The shape.
   */
  constructor(
    readonly type: string,
    readonly data: Float32Array | BigInt64Array,
    readonly dims: readonly number[],
  ) {}
}

/** One `session.run`: its feeds and what it returned. */
export interface FakeRun {
  feeds: Record<string, FakeTensor>;
  outputs: Record<string, FakeTensor>;
}

/**
 * A toy model: every state `s` comes back as `s_out` = `s` + the last token id (so a state
 * fed back can be told from a zero one), and `logits` are `[run index, ...token ids]`.
 */
export class FakeSession {
  /** Every run, in order. */
  readonly runs: FakeRun[] = [];
  /** How often `release` was called. */
  released = 0;
  /** The run with this index (0-based) rejects with `failure`. */
  failAt = -1;
  /** What the failing run rejects with. */
  failure = new Error("the fake session failed");

  /**
   * @param inputNames The graph's inputs.
   * @param outputNames The graph's outputs.
   */
  constructor(readonly inputNames: string[], readonly outputNames: string[]) {}

  /**
   * Runs the toy model.
   *
   * @param feeds Inputs by name.
   * @returns `logits` and one `<state>_out` per fed state.
   */
  run(feeds: Record<string, FakeTensor>): Promise<Record<string, FakeTensor>> {
    const index = this.runs.length;
    if (index === this.failAt) {
      this.runs.push({ feeds, outputs: {} });
      return Promise.reject(this.failure);
    }
    const ids = Array.from(feeds.tokens.data as BigInt64Array, Number);
    const outputs: Record<string, FakeTensor> = {
      logits: new FakeTensor("float32", Float32Array.of(index, ...ids), [1, ids.length + 1]),
    };
    for (const [name, t] of Object.entries(feeds)) {
      if (name === "tokens") continue;
      const next = Float32Array.from(t.data as Float32Array, (v) => v + ids[ids.length - 1]);
      outputs[`${name}_out`] = new FakeTensor("float32", next, t.dims);
    }
    this.runs.push({ feeds, outputs });
    return Promise.resolve(outputs);
  }

  /** Counts the call. */
  release(): Promise<void> {
    this.released++;
    return Promise.resolve();
  }
}

/**
 * A fake onnxruntime-web whose `InferenceSession.create` gives `session`, or rejects with it
 * when it is an error.
 *
 * @param session The session to open, or the error opening fails with.
 * @returns The runtime, typed as `model.js` wants it, and the `create` calls it saw.
 */
export function fakeOrt(session: FakeSession | Error): {
  ort: typeof Ort;
  created: { bytes: Uint8Array; options: unknown }[];
} {
  const created: { bytes: Uint8Array; options: unknown }[] = [];
  const ort = {
    Tensor: FakeTensor,
    InferenceSession: {
      create(bytes: Uint8Array, options: unknown) {
        created.push({ bytes, options });
        return session instanceof Error ? Promise.reject(session) : Promise.resolve(session);
      },
    },
  };
  return { ort: ort as unknown as typeof Ort, created };
}
