/**
 * `deno task repro`: trains every model of the book with its full recipe for 3 seeds and
 * writes `docs/RESULTS.md`: mean and spread of the final accuracy beside the book's figure
 * and this project's target, with seconds per epoch. Each seed's result is appended to
 * `docs/RESULTS.jsonl` the moment it finishes, so an interrupted run keeps what it did and a
 * second run skips the seeds already done on this CPU.
 *
 * @module
 */

import { findModel, type ModelEntry } from "../models/registry.ts";
import { MODELS } from "../models/registry.ts";
import { humanNumbersCorpus } from "../src/run/corpus.ts";
import { planRun, startRun } from "../src/run/start_run.ts";
import { intFlag, parseFlags, runTool, UsageError } from "./lib/cli/cli.ts";
import { writeFileAtomic } from "./lib/cli/atomic.ts";
import { atPath, osProblem, PathError } from "./lib/cli/fs_errors.ts";
import { cpuModel, median } from "./lib/bench/machine.ts";
import { markdownTable } from "./lib/cli/markdown.ts";
import { PRODUCER_NAME, PRODUCER_VERSION } from "../src/onnx/version.ts";

const PRODUCER = `${PRODUCER_NAME} ${PRODUCER_VERSION}`;

const USAGE = `Usage: deno task repro [--seeds N] [--models a,b] [--out FILE]

Trains each model with its full recipe for seeds 0..N-1 (default 3) and writes the table
(default docs/RESULTS.md). Each seed's result goes to FILE's .jsonl as it finishes; seeds
already there for this CPU are not trained again.`;

/** One seed's result: a line of the .jsonl. */
interface Outcome {
  readonly model: string;
  readonly seed: number;
  readonly epochs: number;
  readonly lrMax: number;
  readonly accuracy: number;
  readonly validLoss: number;
  readonly secPerEpoch: number;
  readonly cpu: string;
  /**
   * The whole recipe, as JSON, and the producer: a result of another recipe or version (or a
   * line without them) is kept in the file but not reused.
   */
  readonly recipe: string;
  readonly producer: string;
}

/** The .jsonl beside the table: `docs/RESULTS.md` → `docs/RESULTS.jsonl`. */
const jsonlPath = (out: string) => out.replace(/\.md$/i, "") + ".jsonl";

/** Checks before any training that the table and the .jsonl can be written. */
async function checkOut(out: string): Promise<void> {
  if (out.trim() === "") throw new UsageError(`--out must name a file: got ""`);
  const info = await Deno.stat(out).catch(() => undefined);
  if (info?.isDirectory) throw new PathError(`--out ${out} is a directory, not a file`);
  const dir = out.includes("/") ? out.slice(0, out.lastIndexOf("/")) || "/" : ".";
  await atPath("--out", out, async () => {
    await Deno.mkdir(dir, { recursive: true });
    const probe = `${dir}/.repro-probe-${Deno.pid}.tmp`;
    await Deno.writeTextFile(probe, "");
    await Deno.remove(probe);
  });
}

/** The results already in the .jsonl (a torn last line from a kill is skipped). */
async function readDone(path: string): Promise<Outcome[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw new PathError(`${path}: ${osProblem(error)}`);
  }
  const done: Outcome[] = [];
  text.split("\n").forEach((line, i) => {
    if (!line.trim()) return;
    try {
      const o = JSON.parse(line);
      const numbers = ["accuracy", "validLoss", "secPerEpoch", "epochs", "lrMax"];
      if (
        typeof o?.model === "string" && Number.isInteger(o.seed) && typeof o.cpu === "string" &&
        numbers.every((k) => typeof o[k] === "number" && Number.isFinite(o[k]))
      ) {
        done.push(o);
        return;
      }
    } catch { /* reported below */ }
    console.error(`warning: ${path} line ${i + 1} is not a result; ignoring it`);
  });
  return done;
}

/** Appends one result line and flushes it to disk. */
async function appendOutcome(path: string, o: Outcome): Promise<void> {
  await atPath("--out", path, async () => {
    // A line torn by a kill gets its own line ended first, so the new one stays readable.
    const size = (await Deno.stat(path).catch(() => undefined))?.size ?? 0;
    let torn = false;
    if (size > 0) {
      const last = new Uint8Array(1);
      const f = await Deno.open(path, { read: true });
      try {
        await f.seek(size - 1, Deno.SeekMode.Start);
        await f.read(last);
      } finally {
        f.close();
      }
      torn = last[0] !== 0x0a;
    }
    const file = await Deno.open(path, { append: true, create: true });
    const bytes = new TextEncoder().encode((torn ? "\n" : "") + JSON.stringify(o) + "\n");
    try {
      // A write may take fewer bytes than given: loop until the whole line is down.
      for (let done = 0; done < bytes.length;) done += await file.write(bytes.subarray(done));
      await file.syncData();
    } catch (error) {
      // A full disk: take the partial line back out, so the results file stays whole.
      await file.truncate(size).catch(() => {});
      throw error;
    } finally {
      file.close();
    }
  });
}

async function trainSeed(entry: ModelEntry, seed: number, cpu: string): Promise<Outcome> {
  const plan = planRun({
    entry,
    corpus: humanNumbersCorpus(),
    epochs: entry.recipe.epochs,
    // A recipe that counts steps (the GPT's) runs them, not fit_one_cycle.
    ...(entry.recipe.schedule ? { steps: entry.recipe.schedule.steps } : {}),
    lrMax: entry.recipe.lrMax,
    seed,
    device: "cpu",
  });
  const learner = await startRun(plan, { machine: cpu });
  try {
    const history = await learner.fit();
    const last = history.at(-1)!;
    return {
      model: entry.name,
      seed,
      epochs: entry.recipe.epochs,
      lrMax: entry.recipe.lrMax,
      accuracy: last.accuracy,
      validLoss: last.valid_loss,
      secPerEpoch: median(history.map((r) => r.time)),
      cpu,
      recipe: JSON.stringify(entry.recipe),
      producer: PRODUCER,
    };
  } finally {
    await learner.release();
  }
}
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: readonly number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));

async function main(): Promise<number> {
  const parsed = parseFlags(Deno.args, {
    seeds: { type: "string" },
    models: { type: "string" },
    out: { type: "string" },
  }, USAGE);
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"\n${USAGE}`);
  const nSeeds = intFlag("seeds", values.seeds, 1, 20, 3);
  const names = values.models?.split(",") ?? MODELS.map((m) => m.name);
  const entries = names.map((n) => {
    try {
      return findModel(n.trim()); // aliases too, as train takes them
    } catch (error) {
      throw new UsageError(`--models: ${(error as Error).message}`);
    }
  });
  const out = values.out ?? "docs/RESULTS.md";
  await checkOut(out);
  const jsonl = jsonlPath(out);
  const cpu = cpuModel();
  const cores = navigator.hardwareConcurrency;
  const done = await readDone(jsonl);
  const seeds = Array.from({ length: nSeeds }, (_, i) => i);
  const rows: string[][] = [];
  const details: string[][] = [];
  for (const entry of entries) {
    const outcomes: Outcome[] = [];
    for (const seed of seeds) {
      const same = (o: Outcome) =>
        o.model === entry.name && o.seed === seed && o.cpu === cpu &&
        o.recipe === JSON.stringify(entry.recipe) && o.producer === PRODUCER;
      let outcome = done.find(same);
      if (outcome) {
        console.error(`${entry.name} seed ${seed}: already in ${jsonl}`);
      } else {
        outcome = await trainSeed(entry, seed, cpu);
        await appendOutcome(jsonl, outcome);
        console.error(
          `${entry.name} seed ${seed}: accuracy ${outcome.accuracy.toFixed(4)}, ${
            outcome.secPerEpoch.toFixed(3)
          } s/epoch`,
        );
      }
      outcomes.push(outcome);
    }
    const accs = outcomes.map((o) => o.accuracy);
    const m = mean(accs);
    const met = m >= entry.target;
    rows.push([
      entry.name,
      `${
        entry.recipe.schedule ? `${entry.recipe.schedule.steps} steps` : entry.recipe.epochs
      }, ${entry.recipe.lrMax}`,
      entry.bookAccuracy?.toFixed(3) ?? "—",
      `≥ ${entry.target.toFixed(2)}`,
      `**${m.toFixed(3)}** ± ${std(accs).toFixed(3)}`,
      `${Math.min(...accs).toFixed(3)}–${Math.max(...accs).toFixed(3)}`,
      median(outcomes.map((o) => o.secPerEpoch)).toFixed(3),
      met ? "yes" : "**no**",
    ]);
    details.push([
      entry.name,
      ...outcomes.map((o) => `${o.accuracy.toFixed(4)} (${o.validLoss.toFixed(3)})`),
    ]);
  }
  const doc = `# Reproduction of fastbook chapter 12

Generated by \`deno task repro\` (${nSeeds} seeds: ${seeds.join(", ")}; each model trained with its
full recipe from \`models/registry.ts\`; onnxruntime-node 1.30, CPU execution provider, one
intra-op thread).

**CPU: ${cpu}** (${cores} cores). The same seed gives the same figures on the same CPU; another
CPU's kernels may round differently, and a chaotic run amplifies that.

Accuracy is the final epoch's exact validation accuracy; "± " is the standard deviation over
seeds. Seconds per epoch are medians (validation included) on that machine, which is noisy.

${
    markdownTable(
      [
        "model",
        "epochs, lr_max",
        "book",
        "target (mean)",
        "mean ± std",
        "min–max",
        "s/epoch",
        "target met",
      ],
      rows,
    )
  }

The "always predict thousand" baseline is 0.152. The book's runs are unseeded; its chapter notes
that results vary between runs, LMModel4 and LMModel5 most.

## Per seed: accuracy (valid loss)

${markdownTable(["model", ...seeds.map((s) => `seed ${s}`)], details)}
`;
  // The table first: a failed write must not cost the results.
  console.log(doc);
  await atPath("--out", out, () => writeFileAtomic(out, doc));
  return 0;
}

if (import.meta.main) await runTool(main);
