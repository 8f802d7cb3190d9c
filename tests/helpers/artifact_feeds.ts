/**
 * Test helper for training artifacts: float64 feeds for a model's graphs (its drawn weights,
 * random recurrent state, dropout masks, tokens and targets), one run of a graph with only
 * the feeds it declares (its bytes kept for the reference ONNX checker), a text with a rule to
 * learn, and a graph's run on onnxruntime-web's wasm checked against node's.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as ortWeb from "onnxruntime-web";
import type { Graph } from "../../src/graph/graph.ts";
import { saveGraph } from "../../src/graph/model_io.ts";
import { dropoutMask } from "../../src/nn/dropout.ts";
import type { LanguageModel } from "../../src/nn/language_model.ts";
import { Random } from "../../src/nn/random.ts";
import { type Tensor, tensor } from "../../src/onnx/tensor.ts";
import { type OrtModule, webBackend } from "../../src/runtime/backend.ts";
import { Session } from "../../src/runtime/session.ts";
import type { ArtifactSpec } from "../../src/train/artifacts.ts";
import type { ModelToCheck } from "./onnx_checker.ts";

/** How `artifactFeeds` draws. */
export interface ArtifactFeedOptions {
  /** Seed of the state, masks, tokens and targets. */
  readonly seed: number;
  /** Seed of the model's initial weights. */
  readonly initSeed: number;
  /** The target at each position (row-major); random tokens when absent. */
  readonly target?: (i: number) => number;
}

/**
 * float64 feeds for a model's artifacts at `batch` rows of `seqLen` tokens.
 *
 * @param model The model.
 * @param spec Its artifacts' spec (parameters and masks).
 * @param batch Rows.
 * @param seqLen Tokens per row.
 * @param options Seeds and targets.
 * @returns Feeds by input name.
 */
export function artifactFeeds(
  model: LanguageModel,
  spec: Pick<ArtifactSpec, "params" | "masks">,
  batch: number,
  seqLen: number,
  options: ArtifactFeedOptions,
): Record<string, Tensor> {
  const rng = new Random(options.seed);
  const init = model.initParameters(options.initSeed);
  const feeds: Record<string, Tensor> = {};
  for (const p of spec.params) {
    feeds[p.name] = tensor("float64", p.shape, Float64Array.from(init.get(p.name)!));
  }
  for (const s of model.state) {
    const n = s.layers * batch * s.hidden;
    feeds[s.name] = tensor(
      "float64",
      [s.layers, batch, s.hidden],
      Float64Array.from({ length: n }, () => rng.uniform(-0.5, 0.5)),
    );
  }
  for (const m of spec.masks) {
    const n = m.shape.reduce((x, y) => x * y);
    feeds[m.name] = tensor("float64", m.shape, dropoutMask(rng, n, m.p, "float64"));
  }
  const ids = () =>
    Array.from({ length: batch * seqLen }, () => BigInt(Math.floor(rng.next() * model.vocabSize)));
  feeds.tokens = tensor("int64", [batch, seqLen], ids());
  feeds.targets = tensor(
    "int64",
    [batch, seqLen],
    options.target
      ? Array.from({ length: batch * seqLen }, (_, i) => BigInt(options.target!(i)))
      : ids(),
  );
  return feeds;
}

/**
 * Runs `g` once on onnxruntime-node with the feeds it declares (the others are left out).
 *
 * @param label Names the graph in messages and for the checker.
 * @param g The graph.
 * @param feeds Feeds by name, a superset of its inputs.
 * @param checked Where its bytes go for `referenceCheckTest`, if anywhere.
 * @returns Its outputs.
 */
export async function runArtifact(
  label: string,
  g: Graph,
  feeds: Readonly<Record<string, Tensor>>,
  checked?: ModelToCheck[],
): Promise<Record<string, Tensor>> {
  const bytes = saveGraph(g);
  checked?.push({ label, bytes });
  const session = await Session.create(bytes, { threads: 1, source: label });
  try {
    const names = new Set(g.inputs.map((v) => v.name));
    return await session.run(
      Object.fromEntries(Object.entries(feeds).filter(([k]) => names.has(k))),
    );
  } finally {
    await session.release();
  }
}

/**
 * A text to learn: each token is `(previous * 7 + 1) mod vocab` with probability 0.8, else a
 * random one, so a model that learns the rule predicts about 80% of the tokens.
 *
 * @param length Tokens.
 * @param vocab Tokens in the vocabulary (7 must not divide it, for the rule to visit them all).
 * @param seed Seed of the draws.
 * @returns The ids.
 */
export function successorChain(length: number, vocab: number, seed: number): Int32Array {
  const rng = new Random(seed);
  let t = 0;
  return Int32Array.from(
    { length },
    () => t = rng.next() < 0.8 ? (t * 7 + 1) % vocab : Math.floor(rng.next() * vocab),
  );
}

/**
 * Runs a float32 graph on onnxruntime-node and on onnxruntime-web's wasm (the Train panel's
 * backend, one thread) and checks every output agrees within `rtol` of its largest element.
 *
 * @param bytes The graph.
 * @param feeds Its feeds.
 * @param rtol Tolerance relative to each output's largest element (1e-5).
 * @returns Node's outputs.
 */
export async function expectWasmMatchesNode(
  bytes: Uint8Array,
  feeds: Readonly<Record<string, Tensor>>,
  rtol = 1e-5,
): Promise<Record<string, Tensor>> {
  const ort = ortWeb as unknown as OrtModule;
  ort.env.wasm.numThreads = 1;
  const results = [];
  for (const backend of [undefined, webBackend(ort)]) {
    const session = await Session.create(bytes, { threads: 1, ...(backend ? { backend } : {}) });
    try {
      results.push(await session.run(feeds));
    } finally {
      await session.release();
    }
  }
  const [node, web] = results;
  for (const [name, want] of Object.entries(node)) {
    const got = Array.from(web[name].data as Float32Array);
    const w = Array.from(want.data as Float32Array);
    const scale = Math.max(...w.map(Math.abs), 1e-30);
    got.forEach((v, i) =>
      assert.ok(Math.abs(v - w[i]) <= rtol * scale, `${name}[${i}]: ${v} vs ${w[i]}`)
    );
  }
  return node;
}
