/**
 * A compressed export (`--dtype float16`, `--quantize int8`), checked before it is written:
 * both it and the float32 export read the run's validation text, and the compressed one is
 * refused (unless `--force`) when it departs from the float32 one by more than the thresholds
 * below. Used by `deno task export` and `deno task site`.
 *
 * @module
 */

import { compareExports, type ExportAgreement } from "../../../src/export/compare_exports.ts";
import { type ExportFiles, exportModel } from "../../../src/export/export_model.ts";
import type { WeightStorage } from "../../../src/export/weight_storage.ts";
import { Session } from "../../../src/runtime/session.ts";
import { formatBytes } from "../../../src/web/page_format.ts";
import type { RunExport } from "../../../src/run/run_export.ts";
import { runCorpus } from "./run_corpus.ts";
import type { RunMeta } from "./run_dir.ts";
import { UsageError } from "../cli/cli.ts";

/**
 * The least top-1 agreement with float32 a compressed export may have. Measured
 * (docs/BENCHMARKS.md, "Smaller files"): float16 agrees on 99.99-100% of positions and int8
 * with a scale per row on 99.57% (lm6, Human Numbers) to 99.87% (lm7 on characters, hidden
 * 256), with perplexity within 0.4% of float32's. Rounding moves a prediction only where two
 * tokens are nearly tied; a file below 97% (seven times int8's worst measured loss) has lost
 * something the model learned, such as an outlier weight that one scale per row cannot hold.
 * Rounding lm6's rows more coarsely shows where the line falls: 6 bits agree on 99.0% (perplexity
 * -0.8%), 5 bits on 96.6% (+6.4%, accuracy 0.779 -> 0.773) and 4 bits on 91.1% (+13.4%), so both
 * thresholds pass 6 bits and refuse 5.
 */
export const MIN_AGREEMENT = 0.97;

/**
 * The most a compressed export's perplexity may exceed float32's, relatively: 2%, five times
 * the worst rise measured (int8 lm6, +0.36%).
 */
export const MAX_PERPLEXITY_RISE = 0.02;

/** A checked compressed export. */
export interface CheckedExport {
  /** The files to write. */
  readonly exported: ExportFiles;
  /** How it compares with float32 (absent for float32 itself). */
  readonly agreement?: ExportAgreement;
  /** One line with the sizes, the agreement and both perplexities. */
  readonly summary?: string;
  /** Why it falls below the thresholds, when it does. */
  readonly problem?: string;
}

async function runner(bytes: Uint8Array, source: string) {
  const session = await Session.create(bytes, { threads: 1, source });
  return session;
}

/**
 * Exports a run with its weights stored as asked, and compares a compressed export with the
 * float32 one on the run's validation text.
 *
 * @param run The run, read for export.
 * @param meta Its metadata (for its corpus).
 * @param storage How to store the weights.
 * @param name The files' base name, when not the model's.
 * @param limits The thresholds (`MIN_AGREEMENT`, `MAX_PERPLEXITY_RISE`).
 * @param exported The export as stored, when the caller built it already (with `--seq`).
 * @returns The files, and for a compressed export its comparison and verdict.
 */
export async function exportChecked(
  run: RunExport,
  meta: RunMeta,
  storage: WeightStorage,
  name?: string,
  limits = { minAgreement: MIN_AGREEMENT, maxPerplexityRise: MAX_PERPLEXITY_RISE },
  exported?: ExportFiles,
): Promise<CheckedExport> {
  const info = { ...run.info, ...(name ? { fileBase: name } : {}) };
  exported ??= exportModel(run.model, run.weights, { ...info, storage });
  if (storage === "float32") return { exported };
  const plain = exportModel(run.model, run.weights, info);
  const file = exported.sidecar.file;
  const [ref, cand] = [
    await runner(plain.files.get(file)!, `${file} (float32)`),
    await runner(exported.files.get(file)!, `${file} (${storage})`),
  ];
  let agreement: ExportAgreement;
  try {
    const corpus = await runCorpus(meta, false);
    agreement = await compareExports(
      exported.sidecar,
      (feeds) => ref.run(feeds),
      (feeds) => cand.run(feeds),
      corpus.validIds,
    );
  } finally {
    await ref.release();
    await cand.release();
  }
  const [small, big] = [exported.files.get(file)!.length, plain.files.get(file)!.length];
  const rise = agreement.perplexity / agreement.referencePerplexity - 1;
  const summary = `${file}: ${storage} weights, ${formatBytes(small)} (float32 ` +
    `${formatBytes(big)}, ${(100 * small / big).toFixed(0)}%); on ${
      agreement.positions.toLocaleString("en")
    } validation tokens: top-1 agreement ${(100 * agreement.agreement).toFixed(2)}%, ` +
    `perplexity ${agreement.perplexity.toFixed(3)} (float32 ${
      agreement.referencePerplexity.toFixed(3)
    }, ${rise >= 0 ? "+" : ""}${(100 * rise).toFixed(2)}%)`;
  const problems = [
    agreement.agreement < limits.minAgreement
      ? `top-1 agreement ${(100 * agreement.agreement).toFixed(2)}% is below ${
        100 * limits.minAgreement
      }%`
      : "",
    rise > limits.maxPerplexityRise
      ? `perplexity rises ${(100 * rise).toFixed(2)}%, more than ${100 * limits.maxPerplexityRise}%`
      : "",
  ].filter(Boolean);
  return {
    exported,
    agreement,
    summary,
    ...(problems.length ? { problem: `${file} as ${storage}: ${problems.join(" and ")}` } : {}),
  };
}

/**
 * How to store the weights, from `--dtype` and `--quantize`.
 *
 * @param dtype The --dtype value.
 * @param quantize The --quantize value.
 * @returns The storage.
 */
export function storageFlag(dtype?: string, quantize?: string): WeightStorage {
  if (dtype !== undefined && quantize !== undefined) {
    throw new UsageError(`--dtype and --quantize cannot be combined: choose one`);
  }
  if (dtype !== undefined && dtype !== "float32" && dtype !== "float16") {
    throw new UsageError(`--dtype must be float32 or float16: got "${dtype}"`);
  }
  if (quantize !== undefined && quantize !== "int8") {
    throw new UsageError(`--quantize must be int8: got "${quantize}"`);
  }
  return quantize === "int8" ? "int8" : dtype === "float16" ? "float16" : "float32";
}
