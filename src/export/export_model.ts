/**
 * Exporting a trained model: the deployment graph(s) as `.onnx` bytes plus the sidecar.
 *
 * @module
 */

import { saveGraph } from "../graph/model_io.ts";
import type { LanguageModel } from "../nn/language_model.ts";
import { buildDeployGraph } from "./deploy_graph.ts";
import { type ExportMetrics, metadataProps, type Sidecar, SIDECAR_VERSIONS } from "./sidecar.ts";

/** What is known about the trained model besides its weights. */
export interface ExportInfo {
  readonly name: string;
  readonly description: string;
  readonly vocab: readonly string[];
  readonly metrics: ExportMetrics;
  readonly recipe: unknown;
  readonly seed: number;
  /** Tokens of the fixed-context models' input (LMModel1/2: 3). */
  readonly context: number;
}

/** The files of an export, by file name. */
export interface ExportFiles {
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
  const recurrent = model.state.length > 0;
  if (seq !== undefined && !recurrent) {
    throw new Error(
      `--seq needs a recurrent model: ${info.name} always reads ${info.context} tokens`,
    );
  }
  if (seq !== undefined && (!Number.isInteger(seq) || seq < 1)) {
    throw new Error(`--seq must be an integer >= 1: got ${seq}`);
  }
  const context = recurrent ? 1 : info.context;
  const seqFile = seq === undefined ? undefined : `${info.name}_seq${seq}.onnx`;
  const sidecar: Sidecar = {
    format: "onnx-lm-export",
    version: 1,
    model: info.name,
    description: info.description,
    file: `${info.name}.onnx`,
    kind: recurrent ? "recurrent" : "fixed",
    context,
    vocab: info.vocab,
    state: model.state.map((s) => ({ name: s.name, shape: [s.layers, "batch", s.hidden] })),
    metrics: info.metrics,
    recipe: info.recipe,
    seed: info.seed,
    ...SIDECAR_VERSIONS,
    ...(seqFile ? { seq: { file: seqFile, length: seq! } } : {}),
  };
  const metadata = metadataProps(sidecar);
  const files = new Map<string, Uint8Array>();
  const step = buildDeployGraph(model, weights, { name: `${info.name}_step`, steps: context });
  files.set(sidecar.file, saveGraph(step, { metadata, docString: info.description }));
  if (seqFile) {
    const whole = buildDeployGraph(model, weights, { name: `${info.name}_seq${seq}`, steps: seq! });
    files.set(seqFile, saveGraph(whole, { metadata, docString: info.description }));
  }
  files.set(`${info.name}.json`, new TextEncoder().encode(JSON.stringify(sidecar, null, 2) + "\n"));
  return { sidecar, files };
}
