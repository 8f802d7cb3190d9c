/**
 * What exporting a run needs, read from its directory once for `export` and `generate`: the
 * model built at the run's sizes, its checked weights, and the export's facts.
 *
 * @module
 */

import { findModel } from "../../../models/registry.ts";
import { type RunExport, runExport } from "../../../src/run/run_export.ts";
import { CHECKPOINT_FILE, loadRun, type RunMeta } from "./run_dir.ts";

export type { RunExport } from "../../../src/run/run_export.ts";

/**
 * Reads a run directory for export.
 *
 * @param dir The run directory.
 * @param purpose What it is read for, starting error messages (`Cannot export runs/lm6`).
 * @returns The model, weights and export facts, and the run's metadata.
 * @throws Error naming the file for a missing, malformed or diverged checkpoint.
 */
export async function readRunForExport(
  dir: string,
  purpose: string,
): Promise<RunExport & { readonly meta: RunMeta }> {
  const { checkpoint, meta } = await loadRun(dir, purpose);
  const run = runExport(
    meta,
    checkpoint.tensors,
    findModel(meta.model),
    `${dir}/${CHECKPOINT_FILE}`,
    purpose,
  );
  return { ...run, meta };
}
