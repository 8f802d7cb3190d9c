/**
 * The files of a training run, as bytes: the four ONNX artifacts once, then after every epoch
 * `checkpoint.safetensors` (tensors plus the run's `RunMeta`), `metrics.jsonl`, `curves.svg`
 * and `report.html`. The CLI writes them into its run directory (atomically); the page offers
 * the checkpoint as a download, which `deno task train --resume` and `deno task export`
 * accept because it is these very bytes.
 *
 * @module
 */

import { saveGraph } from "../graph/model_io.ts";
import { curvesSvg } from "../report/curves.ts";
import { derivedMetrics } from "../report/metrics.ts";
import { reportHtml } from "../report/report_html.ts";
import type { Artifacts } from "../train/artifacts.ts";
import { encodeCheckpoint } from "../train/checkpoint.ts";
import type { EpochRecord, LearnerState } from "../train/learner.ts";
import type { RunMeta } from "../train/run_meta.ts";
import type { Tensor } from "../onnx/tensor.ts";
import type { TokenMode } from "../data/tokenizer.ts";
import { corpusLine } from "./describe.ts";
import type { RunInfo } from "./run_info.ts";

export type { RunInfo } from "./run_info.ts";

/** The checkpoint file name inside a run directory. */
export const CHECKPOINT_FILE = "checkpoint.safetensors";

/** The best epoch's checkpoint (`--save-best`), beside the last one. */
export const BEST_FILE = "best.safetensors";

/**
 * The four artifacts as `.onnx` files, with the model name and vocabulary in their metadata.
 *
 * @param artifacts The graphs.
 * @param info The run.
 * @returns Bytes by file name (`train.onnx`, `grad.onnx`, `eval.onnx`, `infer.onnx`).
 */
export function artifactFiles(artifacts: Artifacts, info: RunInfo): Map<string, Uint8Array> {
  const metadata: [string, string][] = [
    ["model", info.meta.model],
    ["vocab", JSON.stringify(info.meta.vocab)],
  ];
  const files = new Map<string, Uint8Array>();
  for (const kind of ["train", "grad", "eval", "infer"] as const) {
    files.set(
      `${kind}.onnx`,
      saveGraph(artifacts[kind], { metadata, docString: info.description }),
    );
  }
  return files;
}

/**
 * The checkpoint of a run at an epoch boundary.
 *
 * @param info The run.
 * @param tensors Parameters and optimizer state, on the host (`Runner.tensors()`).
 * @param state The learner's state (`Learner.state()`).
 * @returns The `.safetensors` bytes.
 */
export function checkpointFile(
  info: RunInfo,
  tensors: ReadonlyMap<string, Tensor>,
  state: LearnerState,
): Uint8Array {
  const meta: RunMeta = { ...info.meta, learner: state };
  return encodeCheckpoint({ tensors, meta });
}

/** Where a report says the run ran. */
export interface RunPlace {
  /** `runtimeName(...)`: the onnxruntime build and execution provider. */
  readonly runtime: string;
  /** The machine (CPU model and cores, or the browser). */
  readonly machine: string;
}

/**
 * One line of `metrics.jsonl`: the epoch's record and its derived figures (perplexity, and bits
 * per character for a character-level run), as `deno task train --json` prints them.
 *
 * @param r The epoch's record.
 * @param tokens The run's tokens.
 * @returns The JSON line, newline included.
 */
export function metricsLine(r: EpochRecord, tokens: TokenMode): string {
  return JSON.stringify(metricsObject(r, tokens)) + "\n";
}

/**
 * An epoch's record with its derived figures, as one object.
 *
 * @param r The epoch's record.
 * @param tokens The run's tokens.
 * @returns The record, then `perplexity` (and `bits_per_char`).
 */
export function metricsObject(
  r: EpochRecord,
  tokens: TokenMode,
): EpochRecord & ReturnType<typeof derivedMetrics> {
  return { ...r, ...derivedMetrics(r.valid_loss, tokens) };
}

/**
 * The files that follow the table after every epoch, besides the checkpoint.
 *
 * @param info The run.
 * @param rows The table so far.
 * @param place The runtime and machine, for the report.
 * @returns Bytes by file name (`metrics.jsonl`, `curves.svg`, `report.html`).
 */
export function epochFiles(
  info: RunInfo,
  rows: readonly EpochRecord[],
  place: RunPlace,
): Map<string, Uint8Array> {
  const m = info.meta;
  const text = new TextEncoder();
  const report = reportHtml({
    model: m.model,
    description: info.description,
    rows,
    tokens: m.tokenizer.mode,
    baseline: info.baseline,
    facts: {
      seed: String(m.seed),
      "epochs, lr_max": `${m.epochs}, ${m.lrMax}`,
      corpus: corpusLine(m),
      vocabulary: `${m.vocab.length} tokens`,
      architecture: JSON.stringify(m.arch),
      recipe: JSON.stringify(m.recipe),
      runtime: place.runtime,
      machine: place.machine,
    },
  });
  return new Map([
    ["metrics.jsonl", text.encode(rows.map((r) => metricsLine(r, m.tokenizer.mode)).join(""))],
    ["curves.svg", text.encode(curvesSvg(rows, m.model, info.baseline.accuracy))],
    ["report.html", text.encode(report)],
  ]);
}
