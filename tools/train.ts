/**
 * `deno task train <model>`: trains one of the book's models with onnxruntime-node on Human
 * Numbers, or on one's own text (`--text`) at any size (`--hidden`, `--layers`, ...), and
 * leaves a checkpoint, the four ONNX artifacts, metrics, curves and a report in `--out`
 * (default `runs/<model>`).
 *
 * @module
 */

import { describeSoftmax } from "../src/nn/adaptive_softmax.ts";
import { findModel } from "../models/registry.ts";
import { SizeError } from "../models/sizing.ts";
import { planRun, type RunPlan, type RunRequest, startRun } from "../src/run/start_run.ts";
import {
  type EpochRecord,
  FitInterrupted,
  type Learner,
  NonFiniteLossError,
} from "../src/train/learner.ts";
import { intFlag, numberFlag, parseFlags, runTool, UsageError } from "./lib/cli/cli.ts";
import { deviceFlags } from "./lib/device/device.ts";
import type { Device } from "../src/runtime/backend.ts";
import { atPath, checkDirFlag } from "./lib/cli/fs_errors.ts";
import { cpuModel, machineLine, median } from "./lib/bench/machine.ts";
import { describeSchedule, describeSize, runtimeName } from "../src/run/describe.ts";
import { nodeBackend } from "../src/runtime/backend.ts";
import { planRunDir, removeStaleTemps, settleRunDir } from "./lib/run/run_guard.ts";
import { withFolderLock } from "./lib/cli/folder_lock.ts";
import { memoryCheck, runSize } from "./lib/run/memory_check.ts";
import { ProgressBar } from "./lib/cli/progress.ts";
import { CHECKPOINT_FILE, loadRun, saveArtifacts, saveEpoch } from "./lib/run/run_dir.ts";
import {
  fineTunedCorpus,
  fineTunedModel,
  fineTunedSizes,
  fineTunedWeights,
  parentOfRequest,
  type ParentSource,
  readParent,
} from "./lib/run/fine_tune.ts";
import { bestSoFar, patienceOut, trackingFlags } from "./lib/run/tracking_flags.ts";
import { bestEpoch, epochsSinceBest, type Tracking } from "../src/train/tracking.ts";
import type { RunMeta } from "../src/train/run_meta.ts";
import { BEST_FILE } from "../src/run/run_files.ts";
import { humanNumbersCorpus, ownTextCorpus, runCorpus } from "./lib/run/run_corpus.ts";
import { tableHeader, tableRow } from "./lib/cli/table.ts";
import { derivedMetrics } from "../src/report/metrics.ts";
import { metricsObject } from "../src/run/run_files.ts";
import type { TokenMode } from "../src/data/tokenizer.ts";
import { counted } from "../src/web/page_format.ts";
import { epochProgress, whatNext } from "./lib/run/train_output.ts";
import {
  corpusFlags,
  FLAGS,
  type Flags,
  listModels,
  sameAsRun,
  sameSizesAsRun,
  sizeFlags,
  USAGE,
} from "./lib/run/train_flags.ts";

/** The command line, checked: what to train, where, on what. */
interface Options {
  /** The model named, if any (`--resume` and `--from` take the run's). */
  readonly name: string | undefined;
  /** The run fine-tuned from (`--from`). */
  readonly parent: ParentSource | undefined;
  readonly flags: Flags;
  readonly device: Device;
  readonly deviceId: number | undefined;
  /** Intra-op threads, or `auto` (`src/train/auto_threads.ts`). */
  readonly threads: number | "auto";
  readonly out: string;
  readonly json: boolean;
  /** Draw progress bars (a terminal, not --json). */
  readonly progress: boolean;
}

/** What one run trains: a new run's request, or the recorded one of the run resumed. */
interface Prepared {
  readonly entry: ReturnType<typeof findModel>;
  readonly request: RunRequest;
  readonly resumed: Awaited<ReturnType<typeof loadRun>> | undefined;
  /** A finished run extended by `--resume --epochs N`: its schedule restarts. */
  readonly extended: boolean;
}

async function main(): Promise<number> {
  const parsed = parseFlags(Deno.args, FLAGS, USAGE);
  if (!parsed) return 0;
  const flags = parsed.values as Flags;
  if (flags.list) {
    console.log(listModels());
    return 0;
  }
  const options = await checkOptions(parsed.positionals, flags);
  // One process per run folder, for the whole run: a second train, --resume or --force into
  // it is refused while this one lives (the OS drops the lock if it is killed).
  const label = `train ${options.name ?? options.parent?.entry.name ?? "--resume"}`;
  return await withFolderLock(options.out, "--out", label, async () => {
    const settled = await settleRunDir(options.out);
    if (settled) console.error(settled);
    return await train(options, await prepare(options));
  });
}

/** Checks the model name and the flags every run takes. */
async function checkOptions(positionals: readonly string[], flags: Flags): Promise<Options> {
  const optional = flags.resume || flags.from !== undefined;
  if (positionals.length > 1 || (positionals.length === 0 && !optional)) {
    throw new UsageError(`expected one model name, got ${positionals.length}\n${USAGE}`);
  }
  const name = positionals[0];
  if (name !== undefined) {
    try {
      findModel(name);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  if (flags.from !== undefined && flags.resume) {
    throw new UsageError(
      `--from starts a new run from another's weights and --resume continues a run: give one`,
    );
  }
  if (flags.resume && name === undefined && flags.out === undefined) {
    throw new UsageError(
      `--resume needs --out RUN, the run to continue (or the model's name, for runs/<model>)`,
    );
  }
  const { device, deviceId, note } = await deviceFlags(flags.device, flags["device-id"]);
  if (note) console.error(note);
  // auto (the default): one thread for the book's small steps, every core for large ones.
  const threads = flags.threads === undefined || flags.threads === "auto"
    ? "auto"
    : intFlag("threads", flags.threads, 0, 64, 1);
  const cores = navigator.hardwareConcurrency;
  if (threads !== "auto" && threads > cores) {
    // Measured: at --threads 64 on 2 cores an lm6 epoch took 29 s instead of 0.5 s.
    console.error(
      `warning: --threads ${threads} is more than this machine's ${cores} cores: onnxruntime's ` +
        `threads then wait on each other, and training slows down many times over`,
    );
  }
  if (flags.force && flags.resume) {
    throw new UsageError(`--force replaces a run and --resume continues it: give one of them`);
  }
  const parent = flags.from === undefined ? undefined : await readParent(flags.from);
  const entry = parent ? fineTunedModel(parent, name) : name ? findModel(name) : undefined;
  const out = flags.out ??
    (parent ? `${parent.dir.replace(/\/+$/, "")}-ft` : `runs/${entry!.name}`);
  await checkDirFlag("out", out);
  if (parent && await sameFolder(out, parent.dir)) {
    throw new UsageError(
      `--out ${out} is the run --from reads: a fine-tuned run goes into another folder`,
    );
  }
  const json = flags.json ?? false;
  return {
    name,
    parent,
    flags,
    device,
    deviceId,
    threads,
    out,
    json,
    progress: !json && Deno.stderr.isTerminal(),
  };
}

/** Whether two paths name one folder (false when either does not exist). */
async function sameFolder(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([a, b].map((p) => Deno.realPath(p).catch(() => undefined)));
  return x !== undefined && x === y;
}

/** The run to train: the one in --out under --resume (checked against the flags), else new. */
async function prepare(options: Options): Promise<Prepared> {
  const { flags, out, progress, device, parent } = options;
  const sizes = sizeFlags(flags);
  if (parent) {
    const entry = parent.entry;
    // Sizes first: a refused size is said before the parent's text is read again.
    const tunedSizes = fineTunedSizes(sizes, parent);
    return {
      entry,
      request: {
        entry,
        corpus: await fineTunedCorpus(flags, parent, progress),
        sizes: tunedSizes,
        epochs: intFlag("epochs", flags.epochs, 1, 1000, entry.recipe.epochs),
        ...stepsFlag(flags, entry),
        lrMax: numberFlag("lr", flags.lr, 0, 10, entry.recipe.lrMax),
        seed: intFlag("seed", flags.seed, 0, 2 ** 32 - 1, 42),
        device,
        parent: parentOfRequest(parent),
        tracking: trackingFlags(flags),
      },
      resumed: undefined,
      extended: false,
    };
  }
  const textFlags = corpusFlags(flags);
  const resumed = flags.resume ? await loadRun(out, "Cannot resume") : undefined;
  if (!resumed) {
    const entry = findModel(options.name!);
    const corpus = textFlags ? await ownTextCorpus(textFlags, progress) : humanNumbersCorpus();
    return {
      entry,
      request: {
        entry,
        corpus,
        sizes,
        epochs: intFlag("epochs", flags.epochs, 1, 1000, entry.recipe.epochs),
        ...stepsFlag(flags, entry),
        lrMax: numberFlag("lr", flags.lr, 0, 10, entry.recipe.lrMax),
        seed: intFlag("seed", flags.seed, 0, 2 ** 32 - 1, 42),
        device,
        tracking: trackingFlags(flags),
      },
      resumed,
      extended: false,
    };
  }
  const m = resumed.meta;
  const entry = findModel(m.model);
  if (options.name !== undefined && findModel(options.name).name !== entry.name) {
    throw new UsageError(`--resume: ${out} holds a run of "${m.model}", not "${options.name}"`);
  }
  // --lr may change on resume: after a divergence, the rest of the schedule runs at a lower
  // peak (each epoch's record says which it ran under).
  sameAsRun({ seed: flags.seed, steps: flags.steps }, {
    seed: m.seed,
    steps: m.recipe.schedule?.steps ?? "none (fit_one_cycle)",
  });
  const epochs = intFlag("epochs", flags.epochs, 1, 1000, m.epochs);
  const tracking = trackingFlags(flags, m.tracking);
  const extended = epochs !== m.epochs && extension(m, epochs, out, tracking);
  sameSizesAsRun(sizes, m);
  if (textFlags) {
    throw new UsageError(
      `--resume reads the corpus the run recorded: leave out --text and its options`,
    );
  }
  return {
    entry,
    request: {
      entry,
      corpus: await runCorpus(m, progress),
      recorded: { arch: m.arch, recipe: m.recipe },
      epochs,
      lrMax: numberFlag("lr", flags.lr, 0, 10, m.lrMax),
      seed: m.seed,
      device,
      ...(m.parent ? { parent: m.parent } : {}),
      ...(tracking ? { tracking } : {}),
    },
    resumed,
    extended,
  };
}

/**
 * Checks `--resume --epochs N` for N other than the run's: only more epochs, and only once the
 * run's schedule has ended (finished, or stopped early by its patience): the epochs in between
 * cannot be rescheduled without changing what was trained.
 *
 * @returns True: the run is extended with a new one-cycle schedule.
 * @throws UsageError otherwise.
 */
function extension(
  m: RunMeta,
  epochs: number,
  out: string,
  tracking: Tracking | undefined,
): boolean {
  const done = m.learner.epoch;
  if (m.recipe.schedule) {
    throw new UsageError(
      `--resume: the run counts ${m.recipe.schedule.steps} steps, not epochs; --epochs ` +
        `cannot extend it (fine-tune it with --from ${out} --steps N)`,
    );
  }
  if (epochs < m.epochs) {
    throw new UsageError(
      `--resume: --epochs ${epochs} is fewer than the run's ${m.epochs}; a run can only be ` +
        `extended (its checkpoint after epoch ${done - 1} is ${out}/${CHECKPOINT_FILE})`,
    );
  }
  const stoppedEarly = tracking?.patience != null &&
    epochsSinceBest(m.learner.history, tracking.monitor) >= tracking.patience;
  if (done < m.epochs && !stoppedEarly) {
    throw new UsageError(
      `--resume: the run has trained ${done} of its ${m.epochs} epochs; resume without ` +
        `--epochs to finish its schedule first, then extend it with --epochs ${epochs}`,
    );
  }
  return true;
}

/**
 * `--steps`, checked: a model whose recipe counts steps (gpt) runs the flag's steps, or its
 * recipe's unless `--epochs` asks for fit_one_cycle; other models take epochs only.
 */
function stepsFlag(flags: Flags, entry: Prepared["entry"]): { steps?: number } {
  const recipe = entry.recipe.schedule;
  if (!recipe) {
    if (flags.steps !== undefined) {
      throw new UsageError(
        `--steps applies to gpt (nanoGPT's schedule): ${entry.name} trains for --epochs`,
      );
    }
    return {};
  }
  if (flags.steps !== undefined && flags.epochs !== undefined) {
    throw new UsageError(
      `--steps runs nanoGPT's warmup and cosine schedule and --epochs fit_one_cycle: give one`,
    );
  }
  if (flags.epochs !== undefined) return {};
  return { steps: intFlag("steps", flags.steps, 2, 10_000_000, recipe.steps) };
}

/** The plan of a run; a size the model cannot take is a usage error. */
function plan(request: RunRequest): RunPlan {
  try {
    return planRun(request);
  } catch (error) {
    if (error instanceof SizeError) throw new UsageError(error.message);
    throw error;
  }
}

/** Trains, saving every epoch to --out; prints the table, then the summary. */
async function train(options: Options, prepared: Prepared): Promise<number> {
  const { flags, device, deviceId, threads, out, json, progress, parent } = options;
  const { resumed, entry } = prepared;
  // Sizes and the corpus are checked (too short for --bs/--sl?) before anything is written.
  const run = plan(prepared.request);
  const { corpus, epochs, lrMax, info } = run;
  const tracking = info.meta.tracking;
  const transferred = parent ? fineTunedWeights(parent, run) : undefined;
  const tokens = corpus.tokenizer.mode; // a char run's table adds bits per character
  const place = {
    runtime: runtimeName((await nodeBackend()).name, device),
    machine: machineLine(),
  };

  const say = (line: string) => json ? console.error(line) : console.log(line);
  // A run already in --out is refused (or, under --force, replaced once the new one has a
  // checkpoint) before anything is built or written.
  const dirPlan = resumed ? undefined : await planRunDir(out, flags.force ?? false);
  const dir = () => dirPlan?.dir ?? out;
  const learner = await startRun(run, {
    session: {
      device,
      ...(threads !== "auto" ? { threads } : {}),
      ...(deviceId !== undefined ? { deviceId } : {}),
    },
    ...(threads === "auto" ? { autoThreads: { cores: navigator.hardwareConcurrency } } : {}),
    machine: cpuModel(),
    ...(flags["host-state"] ? { deviceState: false } : {}),
    ...(transferred ? { init: transferred.init } : {}),
    checkMemory: memoryCheck(runSize(entry.name, run.arch, run.recipe), console.error),
  });
  let stop = false;
  const onSigint = () => {
    stop = true;
  };
  Deno.addSignalListener("SIGINT", onSigint);
  const started = performance.now();
  try {
    await atPath("--out", dir(), () => Deno.mkdir(dir(), { recursive: true }));
    await removeStaleTemps(dir());
    if (dir() !== out) await removeStaleTemps(out);
    if (resumed) {
      learner.restore(resumed.checkpoint.tensors, resumed.meta.learner);
      say(`Resuming ${entry.name} from ${out}/${CHECKPOINT_FILE} after epoch ${learner.epoch - 1}`);
    }
    if (prepared.extended) {
      learner.restartCycle();
      say(
        `Extending the run from ${resumed!.meta.epochs} to ${epochs} epochs: its one-cycle ` +
          `schedule ended, so a new one starts: fit_one_cycle(${epochs - learner.epoch}, ` +
          `${lrMax}) over epochs ${learner.epoch}..${epochs - 1}, from the weights and ` +
          `optimizer state after epoch ${learner.epoch - 1}`,
      );
    }
    if (learner.epoch >= epochs) {
      say(`${entry.name} already finished its ${counted(epochs, "epoch")} in ${out}`);
    }
    await atPath("--out", dir(), () => saveArtifacts(dir(), learner.artifacts, info));
    for (const line of runHeader(entry, device, run, info.description, learner)) say(line);
    if (transferred && parent) {
      say(
        `Fine-tuning ${parent.dir} (epoch ${parent.meta.learner.epoch - 1}): ` +
          `${transferred.shared} of ${corpus.vocab.length} tokens keep their trained rows, ` +
          `${transferred.added} new start from the mean row` +
          (transferred.dropped
            ? `; ${transferred.dropped} of the parent's tokens ${
              transferred.dropped === 1 ? "is" : "are"
            } not in the new vocabulary`
            : ""),
      );
    }

    if (corpus.warning) console.error(corpus.warning);
    for (const note of run.notes) console.error(note);
    say(tableHeader(tokens));
    const bar = new ProgressBar(progress);
    await learner.fit(epochs, lrMax, {
      onBatch: epochProgress(bar, epochs),
      onEpoch: async (record: EpochRecord) => {
        bar.clear();
        const best = tracking ? bestSoFar(tracking, learner.history) : { best: false };
        const saveBest = best.best && tracking!.saveBest;
        await atPath("--out", dir(), () => saveEpoch(dir(), learner, info, place, saveBest));
        await dirPlan?.saved();
        say(tableRow(record, tokens));
        if (best.line) say(best.line + (saveBest ? `: saved ${out}/${BEST_FILE}` : ""));
        if (json) {
          console.log(JSON.stringify({ model: entry.name, ...metricsObject(record, tokens) }));
        }
      },
      shouldStop: () => stop,
      stopAfter: () => {
        const line = tracking
          ? patienceOut(tracking, learner.history, epochs, learner.cycleStart)
          : undefined;
        if (line) say(line);
        return line !== undefined;
      },
    });
  } catch (error) {
    if (error instanceof FitInterrupted || error instanceof NonFiniteLossError) {
      console.error(`\n${error.message}: ${whatNext(error, learner.epoch, lrMax, out, dirPlan)}`);
      return error instanceof FitInterrupted ? 130 : 1;
    }
    throw error;
  } finally {
    Deno.removeSignalListener("SIGINT", onSigint);
    await learner.release();
    await dirPlan?.abandon(); // a no-op once the new run has taken --out's place
  }
  printSummary(
    options,
    entry,
    learner,
    tracking,
    epochs,
    (performance.now() - started) / 1000,
    tokens,
  );
  // A foreign validation text has its own warning: its accuracy says nothing of the lr.
  const note = run.corpus.validForeign
    ? undefined
    : learningNote(learner, run.corpus.baseline, lrMax, entry.recipe.lrMax);
  if (note) console.error(note);
  return 0;
}

/** The lines before the table: the model, corpus, size (when not the book's), schedule. */
function runHeader(
  entry: Prepared["entry"],
  device: Device,
  { corpus, arch, recipe, epochs, lrMax, seed }: RunPlan,
  description: string,
  learner: Learner,
): string[] {
  const lines = [`${entry.name}: ${description}`, `corpus: ${corpus.summary}`];
  if (corpus.corpus.kind === "text" || JSON.stringify(arch) !== JSON.stringify(entry.arch)) {
    lines.push(
      arch.gpt
        ? `size: vocab ${arch.vocabSize}, ${describeSize(arch)}, bs ${recipe.batchSize}`
        : `size: vocab ${arch.vocabSize}, hidden ${arch.hidden}, layers ${arch.layers}, dropout ${arch.dropout}, bs ${recipe.batchSize}, sl ${recipe.seqLen}${
          arch.softmax ? `, ${describeSoftmax(arch.softmax)}` : ""
        }`,
    );
  }
  lines.push(
    `${describeSchedule(recipe, epochs, lrMax)}, seed ${seed}, ${device}${
      device === "cpu" ? `, ${counted(learner.runner.sessionOptions.threads ?? 1, "thread")}` : ""
    }, ${
      recipe.schedule
        ? `a validation (${learner.valid.length} batches) every ${recipe.schedule.evalEvery} steps`
        : `${learner.train.length} train / ${learner.valid.length} valid batches`
    }`,
    `Baseline (always predict ${JSON.stringify(corpus.baseline.token)}): ${
      corpus.baseline.accuracy.toFixed(3)
    }`,
    `train_loss: fastai's smoothed loss (EMA 0.98, debiased); valid_loss and accuracy: exact means`,
  );
  return lines;
}

/** The last line: final accuracy and loss, the median epoch time, where the results are. */
/**
 * A note when the run learned nothing: a valid loss far above a uniform guess's (ln of the
 * vocabulary size: the lr blew the weights up), or a final accuracy no better than always
 * predicting the most frequent token (nothing moved: the lr is far too low, or too high).
 */
function learningNote(
  learner: Learner,
  baseline: { readonly token: string; readonly accuracy: number },
  lrMax: number,
  entryLr: number, // the book's (the run's recipe records the run's own --lr)
): string | undefined {
  const last = learner.history.at(-1);
  if (!last) return undefined;
  const uniform = Math.log(learner.model.vocabSize);
  const recipe = `the model's recipe uses --lr ${entryLr}`;
  if (!(last.valid_loss <= 1.5 * uniform)) {
    return `note: the valid loss ${last.valid_loss.toFixed(4)} is far above a uniform guess's ` +
      `${uniform.toFixed(4)}: training blew up. --lr ${lrMax} is likely far too high; ${recipe}`;
  }
  if (last.accuracy > baseline.accuracy + 0.005) return undefined;
  return `note: the final accuracy ${last.accuracy.toFixed(4)} is no better than always ` +
    `predicting ${JSON.stringify(baseline.token)} (${baseline.accuracy.toFixed(4)}): the model ` +
    `learned nothing. --lr ${lrMax} may be far too low (or too high); ${recipe}`;
}

/** The best epoch and early stop, for the summary of a run that tracks them. */
function bestSummary(learner: Learner, tracking: Tracking | undefined, epochs: number) {
  if (!tracking) return {};
  const best = bestEpoch(learner.history, tracking.monitor);
  return {
    monitor: tracking.monitor,
    best_epoch: best?.epoch ?? null,
    best_value: best?.value ?? null,
    stopped_early: learner.epoch < epochs,
  };
}

function printSummary(
  options: Options,
  entry: Prepared["entry"],
  learner: Learner,
  tracking: Tracking | undefined,
  epochs: number,
  seconds: number,
  tokens: TokenMode,
): void {
  const { device, out, json } = options;
  const last = learner.history.at(-1);
  const derived = derivedMetrics(last?.valid_loss ?? NaN, tokens);
  const summary = {
    model: entry.name,
    epochs,
    final_accuracy: last?.accuracy ?? NaN,
    final_valid_loss: last?.valid_loss ?? NaN,
    final_perplexity: derived.perplexity,
    ...(derived.bits_per_char === undefined ? {} : { final_bits_per_char: derived.bits_per_char }),
    seconds,
    sec_per_epoch: median(learner.history.map((r) => r.time)),
    train_batches: learner.train.length,
    device,
    out,
    ...bestSummary(learner, tracking, epochs),
  };
  if (json) console.log(JSON.stringify(summary));
  else {
    console.log(
      `final accuracy ${summary.final_accuracy.toFixed(4)}, valid_loss ${
        summary.final_valid_loss.toFixed(4)
      }, perplexity ${summary.final_perplexity.toFixed(4)}${
        derived.bits_per_char === undefined ? "" : `, ${derived.bits_per_char.toFixed(4)} bits/char`
      }; ` +
        `median ${
          summary.sec_per_epoch.toFixed(3)
        } s/epoch; results in ${out}/ (report.html, curves.svg)`,
    );
  }
}

if (import.meta.main) await runTool(main);
