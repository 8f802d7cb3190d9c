/**
 * Exporting a trained model: the deployment graph(s) as `.onnx` bytes plus the sidecar.
 *
 * @module
 */

import { HUMAN_NUMBERS_TOKENIZER, type TokenizerSpec } from "../data/tokenizer.ts";
import { saveGraph } from "../graph/model_io.ts";
import type { Architecture } from "../train/recipe.ts";
import { hasKvCache, type LanguageModel } from "../nn/language_model.ts";
import { kvCacheState } from "./kv_cache_state.ts";
import { buildDeployGraph } from "./deploy_graph.ts";
import type { WeightStorage } from "./weight_storage.ts";
import { exportId } from "./export_id.ts";
import { type ExportMetrics, metadataProps, type Sidecar, SIDECAR_VERSIONS } from "./sidecar.ts";

/** What is known about the trained model besides its weights. */
export interface ExportInfo {
  /** The registered model (`lm7`). */
  readonly name: string;
  /** Base name of the files (the model's name by default). */
  readonly fileBase?: string;
  /** One line on what the model is. */
  readonly description: string;
  /** Tokens by id. */
  readonly vocab: readonly string[];
  /** How prompts become tokens (Human Numbers' when absent). */
  readonly tokenizer?: TokenizerSpec;
  /** The sizes the model was built with. */
  readonly arch?: Architecture;
  /** Final figures of the run. */
  readonly metrics: ExportMetrics;
  /** The run's recipe, as recorded. */
  readonly recipe: unknown;
  /** The run's seed. */
  readonly seed: number;
  /** Tokens of the fixed-context models' input (LMModel1/2: 3). */
  readonly context: number;
  /** How the weights are stored (float32). */
  readonly storage?: WeightStorage;
  /** A prompt that fits the model (one's own text's), for the page to open with. */
  readonly prompt?: string;
}

/** The files of an export, by file name. */
export interface ExportFiles {
  /** The sidecar written as `<name>.json`. */
  readonly sidecar: Sidecar;
  /** `<name>.onnx`, `<name>.json` and, with `seq`, `<name>_seq<N>.onnx`. */
  readonly files: ReadonlyMap<string, Uint8Array>;
}

/**
 * Builds the deployment files of a trained model.
 *
 * @param model The model (untrained instance of the right architecture).
 * @param weights Trained parameter values by name.
 * @param info Name, vocabulary, metrics, recipe, seed, context.
 * @param seq Also write a graph scoring this many tokens per call (recurrent models).
 * @returns The sidecar and the bytes of every file.
 */
export function exportModel(
  model: LanguageModel,
  weights: ReadonlyMap<string, Float32Array>,
  info: ExportInfo,
  seq?: number,
): ExportFiles {
  const cached = hasKvCache(model);
  const recurrent = model.state.length > 0;
  if (info.vocab.length !== model.vocabSize) {
    throw new Error(
      `Cannot export ${info.name}: the vocabulary has ${info.vocab.length} tokens, the model ${model.vocabSize} outputs`,
    );
  }
  if (seq !== undefined && cached) {
    throw new Error(
      `--seq is for recurrent models: ${info.name}'s step graph already reads any number of ` +
        `tokens per call`,
    );
  }
  if (seq !== undefined && !recurrent) {
    throw new Error(
      `--seq needs a recurrent model: ${info.name} always reads ${info.context} tokens`,
    );
  }
  if (seq !== undefined && (!Number.isInteger(seq) || seq < 1)) {
    throw new Error(`--seq must be an integer >= 1: got ${seq}`);
  }
  // A cached model's context is its block: the most positions its caches hold.
  const context = cached ? model.kvCache.block : recurrent ? 1 : info.context;
  const base = info.fileBase ?? info.name;
  const seqFile = seq === undefined ? undefined : `${base}_seq${seq}.onnx`;
  const facts: Sidecar = {
    format: "onnx-lm-export",
    version: 2,
    model: info.name,
    description: info.description,
    file: `${base}.onnx`,
    kind: cached ? "cached" : recurrent ? "recurrent" : "fixed",
    context,
    vocab: info.vocab,
    tokenizer: info.tokenizer ?? HUMAN_NUMBERS_TOKENIZER,
    ...(info.arch ? { arch: info.arch } : {}),
    state: cached
      ? kvCacheState(model.kvCache)
      : model.state.map((s) => ({ name: s.name, shape: [s.layers, "batch", s.hidden] })),
    metrics: info.metrics,
    recipe: info.recipe,
    seed: info.seed,
    ...SIDECAR_VERSIONS,
    ...(seqFile ? { seq: { file: seqFile, length: seq! } } : {}),
    ...(info.storage && info.storage !== "float32" ? { weights: info.storage } : {}),
    ...(info.prompt !== undefined ? { prompt: info.prompt } : {}),
  };
  // Both files record one id of the facts and weights: a reader refuses a pair that differs.
  const ordered = model.namedParameters().map(([name]) => {
    const values = weights.get(name);
    if (!values) throw new Error(`Cannot export ${info.name}: no weights for "${name}"`);
    return [name, values] as const;
  });
  const sidecar: Sidecar = { ...facts, export_id: exportId(metadataProps(facts), ordered) };
  const metadata = metadataProps(sidecar);
  const files = new Map<string, Uint8Array>();
  const storage = info.storage ?? "float32";
  const step = buildDeployGraph(model, weights, {
    name: `${base}_step`,
    steps: context,
    weights: storage,
  });
  files.set(sidecar.file, saveGraph(step, { metadata, docString: info.description }));
  if (seqFile) {
    const whole = buildDeployGraph(model, weights, {
      name: `${base}_seq${seq}`,
      steps: seq!,
      weights: storage,
    });
    files.set(seqFile, saveGraph(whole, { metadata, docString: info.description }));
  }
  files.set(`${base}.json`, new TextEncoder().encode(JSON.stringify(sidecar, null, 2) + "\n"));
  return { sidecar, files };
}
