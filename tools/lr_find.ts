/**
 * `deno task lr-find <model>`: fastai's `lr_find` on a fresh copy of a model (Human Numbers,
 * or one's own text, at any size: train's flags), with fastai's suggestions printed beside a
 * small text plot, and the plot written as an SVG (`--svg`, default `lr_find_<model>.svg`).
 * The weights are thrown away afterwards; no run directory is read or written.
 *
 * @module
 */

import { dirname } from "node:path";
import { findModel } from "../models/registry.ts";
import { SizeError } from "../models/sizing.ts";
import { planRun, type RunPlan, type RunRequest, startRun } from "../src/run/start_run.ts";
import { lrFind, type LrFindResult } from "../src/train/lr_find.ts";
import { namedSuggestions } from "../src/train/lr_suggest.ts";
import { formatLr, lrFindSvg } from "../src/report/lr_find_svg.ts";
import { intFlag, parseFlags, runTool, UsageError } from "./lib/cli/cli.ts";
import { deviceFlags } from "./lib/device/device.ts";
import { atPath, PathError } from "./lib/cli/fs_errors.ts";
import { writeFileAtomic } from "./lib/cli/atomic.ts";
import { cpuModel } from "./lib/bench/machine.ts";
import { memoryCheck, runSize } from "./lib/run/memory_check.ts";
import { ProgressBar } from "./lib/cli/progress.ts";
import { humanNumbersCorpus, ownTextCorpus } from "./lib/run/run_corpus.ts";
import { corpusFlags, listModels, sizeFlags } from "./lib/run/train_flags.ts";
import {
  LR_FIND_FLAGS,
  type LrFindFlags,
  svgFlag,
  sweepFlags,
  USAGE,
} from "./lib/run/lr_find_flags.ts";
import { lrSketch } from "./lib/run/lr_sketch.ts";

async function main(): Promise<number> {
  const parsed = parseFlags(Deno.args, LR_FIND_FLAGS, USAGE);
  if (!parsed) return 0;
  const flags = parsed.values as LrFindFlags;
  if (flags.list) {
    console.log(listModels());
    return 0;
  }
  if (parsed.positionals.length !== 1) {
    throw new UsageError(`expected one model name, got ${parsed.positionals.length}\n${USAGE}`);
  }
  let entry;
  try {
    entry = findModel(parsed.positionals[0]);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const sweep = sweepFlags(flags);
  const svg = svgFlag(flags, entry.name);
  await checkSvgPath(svg);
  const { device, deviceId, note } = await deviceFlags(flags.device, flags["device-id"]);
  if (note) console.error(note);
  const threads = intFlag("threads", flags.threads, 0, 64, 1);
  const json = flags.json ?? false;
  const progress = !json && Deno.stderr.isTerminal();
  const sizes = sizeFlags(flags);
  const textFlags = corpusFlags(flags);
  const corpus = textFlags ? await ownTextCorpus(textFlags, progress) : humanNumbersCorpus();
  const run = plan({
    entry,
    corpus,
    sizes,
    // Unused by the sweep; the plan checks them as a run's.
    epochs: entry.recipe.epochs,
    lrMax: entry.recipe.lrMax,
    seed: intFlag("seed", flags.seed, 0, 2 ** 32 - 1, 42),
    device,
  });
  const say = (line: string) => json ? console.error(line) : console.log(line);
  say(`${entry.name}: lr_find from ${sweep.startLr} to ${sweep.endLr}, ${sweep.numIt} steps`);
  say(`corpus: ${corpus.summary}`);
  if (corpus.warning) console.error(corpus.warning);

  const learner = await startRun(run, {
    session: { device, threads, ...(deviceId !== undefined ? { deviceId } : {}) },
    machine: cpuModel(),
    ...(flags["host-state"] ? { deviceState: false } : {}),
    checkMemory: memoryCheck(runSize(entry.name, run.arch, run.recipe), console.error),
  });
  let stop = false;
  const onSigint = () => {
    stop = true;
  };
  Deno.addSignalListener("SIGINT", onSigint);
  const started = performance.now();
  const bar = new ProgressBar(progress);
  let result: LrFindResult;
  try {
    result = await lrFind(learner, sweep, {
      onStep: (done, total, p) =>
        bar.update("lr_find", done, total, `lr ${formatLr(p.lr)} loss ${p.loss.toFixed(4)}`),
      shouldStop: () => stop,
    });
  } finally {
    bar.clear();
    Deno.removeSignalListener("SIGINT", onSigint);
    await learner.release(); // the swept weights are thrown away, as fastai reloads its own
  }
  const seconds = (performance.now() - started) / 1000;
  const marks = result.suggestions ? namedSuggestions(result.suggestions) : [];
  await atPath(
    "--svg",
    svg,
    () => writeFileAtomic(svg, lrFindSvg(result.points, marks, entry.name)),
  );
  if (json) {
    console.log(JSON.stringify({
      model: entry.name,
      ...sweep,
      end: result.end,
      steps: result.points.length,
      suggestions: result.suggestions ? Object.fromEntries(marks.map((m) => [m.name, m.lr])) : null,
      points: result.points,
      svg,
      seconds,
    }));
  } else {
    console.log(lrSketch(result.points, marks));
    console.log(endLine(result));
    console.log(
      result.suggestions
        ? `SuggestedLRs(${marks.map((m) => `${m.name}=${formatLr(m.lr)}`).join(", ")})`
        : `No suggestions: the sweep kept too few points (fastai skips the first ` +
          `${
            Math.floor(result.numIt / 10)
          } and the last 5); try a lower --start-lr or more --num-it`,
    );
    console.log(`plot: ${svg}; ${result.points.length} steps in ${seconds.toFixed(1)} s`);
  }
  if (result.end === "stopped") return 130;
  return result.suggestions ? 0 : 1;
}

/** How the sweep ended, in words. */
function endLine({ end, points, numIt }: LrFindResult): string {
  const last = points.at(-1);
  const at = last ? ` at step ${points.length} (lr ${formatLr(last.lr)})` : "";
  switch (end) {
    case "done":
      return `ran all ${numIt} steps without diverging`;
    case "diverged":
      return `stopped${at}: the smoothed loss passed 4 times its best`;
    case "nan":
      return `stopped${at}: the loss is not a number (the weights blew up)`;
    case "stopped":
      return `interrupted${at}`;
  }
}

/** The plot's folder must exist and the path must not be a folder, before any training. */
async function checkSvgPath(svg: string): Promise<void> {
  const dir = dirname(svg);
  const info = await atPath("--svg", dir, () => Deno.stat(dir));
  if (!info.isDirectory) throw new PathError(`--svg ${svg}: ${dir} is a file, not a directory`);
  const target = await Deno.stat(svg).catch(() => undefined);
  if (target?.isDirectory) throw new PathError(`--svg ${svg} is a directory, not a file`);
}

/** The plan of the sweep's learner; a size the model cannot take is a usage error. */
function plan(request: RunRequest): RunPlan {
  try {
    return planRun(request);
  } catch (error) {
    if (error instanceof SizeError) throw new UsageError(error.message);
    throw error;
  }
}

if (import.meta.main) await runTool(main);
