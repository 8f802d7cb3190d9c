/**
 * `deno task export <run dir> [--out DIR] [--seq N] [--dtype float16 | --quantize int8]`:
 * writes a trained run's deployment graph(s) and JSON sidecar (default `--out runs/export`),
 * atomically. Compressed weights are checked against float32 on the run's validation text
 * first (`tools/lib/run/export_check.ts`).
 *
 * @module
 */

import { exportModel } from "../src/export/export_model.ts";
import { intFlag, parseFlags, runTool, UsageError } from "./lib/cli/cli.ts";
import { writeFileAtomic } from "./lib/cli/atomic.ts";
import { withFolderLock } from "./lib/cli/folder_lock.ts";
import { atPath, checkDirFlag, makeDirFlag } from "./lib/cli/fs_errors.ts";
import { removeStaleTemps } from "./lib/run/run_guard.ts";
import { BEST_FILE, CHECKPOINT_FILE, readRunForExport } from "./lib/run/run_dir.ts";
import {
  exportChecked,
  MAX_PERPLEXITY_RISE,
  MIN_AGREEMENT,
  storageFlag,
} from "./lib/run/export_check.ts";

const USAGE = `Usage: deno task export <run dir> [--out DIR] [--name NAME] [--seq N] [--best]
                        [--dtype float16 | --quantize int8] [--force]

Writes <name>.onnx (one step: tokens [batch, 1] plus state for recurrent models; tokens
[batch, 3] for lm1/lm2), <name>.json (tokenizer, vocabulary, sizes, metrics, recipe) and,
with --seq N, <name>_seq<N>.onnx scoring N tokens per call. The name is the model's
(lm7) unless --name gives another, so exports of several runs can share one folder.
--best exports the best epoch's checkpoint (best.safetensors, from train --save-best)
instead of the last one.

--dtype float16 stores the weight matrices as half floats (half the size); --quantize int8
as int8 with a float32 scale per row (a quarter); both compute in float32. Either is first
compared with the float32 export on the run's validation text (top-1 agreement and
perplexity, printed) and refused when agreement falls below ${100 * MIN_AGREEMENT}% or
perplexity rises more than ${100 * MAX_PERPLEXITY_RISE}%, unless --force.`;

async function main(): Promise<number> {
  const parsed = parseFlags(Deno.args, {
    out: { type: "string" },
    seq: { type: "string" },
    name: { type: "string" },
    dtype: { type: "string" },
    quantize: { type: "string" },
    force: { type: "boolean" },
    best: { type: "boolean" },
  }, USAGE);
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    throw new UsageError(`expected one run directory, got ${positionals.length}\n${USAGE}`);
  }
  const runDir = positionals[0];
  const out = values.out ?? "runs/export";
  await checkDirFlag("out", out);
  const name = values.name ?? undefined;
  if (name !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$/.test(name)) {
    throw new UsageError(
      `--name must be letters, digits, "_", "-" or "." (not first), at most 100: got "${name}"`,
    );
  }
  const seq = values.seq === undefined ? undefined : intFlag("seq", values.seq, 1, 4096, 1);
  const storage = storageFlag(values.dtype, values.quantize);
  const file = values.best ? BEST_FILE : CHECKPOINT_FILE;
  const run = await readRunForExport(runDir, `Cannot export ${runDir}`, file);
  if (values.best) {
    const best = run.meta.learner.history.at(-1)!;
    console.log(
      `the best epoch: ${best.epoch} (valid_loss ${best.valid_loss.toFixed(4)}, accuracy ${
        best.accuracy.toFixed(4)
      }), from ${runDir}/${BEST_FILE}`,
    );
  }
  if (!run.finished) throw new Error(`Cannot export ${runDir}: the run has no finished epoch`);
  let exported;
  try {
    exported = exportModel(run.model, run.weights, {
      ...run.info,
      ...(name ? { fileBase: name } : {}),
      storage,
    }, seq);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (storage !== "float32") {
    const checked = await exportChecked(run, run.meta, storage, name, undefined, exported);
    console.log(checked.summary);
    if (checked.problem) {
      if (!values.force) {
        throw new Error(`${checked.problem}; nothing written (--force writes it anyway)`);
      }
      console.log(`warning: ${checked.problem}; written anyway (--force)`);
    }
  }
  await makeDirFlag("out", out);
  // One exporter per folder: two at once would interleave their .onnx and .json files.
  await withFolderLock(out, "--out", `export ${runDir}`, async () => {
    await removeStaleTemps(out);
    for (const [file, bytes] of exported.files) {
      await atPath("--out", out, () => writeFileAtomic(`${out}/${file}`, bytes));
      console.log(`wrote ${out}/${file} (${bytes.length} bytes)`);
    }
  });
  return 0;
}

if (import.meta.main) await runTool(main);
