/**
 * `deno task train <model>`: trains one of the book's models on Human Numbers with
 * onnxruntime-node and leaves a checkpoint, the four ONNX artifacts, metrics, curves and a
 * report in `--out` (default `runs/<model>`).
 *
 * @module
 */

import { ALIASES, findModel, MODELS } from "../models/registry.ts";
import { mostCommonTokenBaseline } from "../src/data/pipelines.ts";
import { type Device, DEVICES } from "../src/train/session.ts";
import {
  type EpochRecord,
  FitInterrupted,
  Learner,
  NonFiniteLossError,
} from "../src/train/learner.ts";
import { intFlag, numberFlag, parseFlags, runTool, UsageError } from "./lib/cli.ts";
import { ProgressBar } from "./lib/progress.ts";
import { CHECKPOINT_FILE, loadRun, saveArtifacts, saveEpoch } from "./lib/run_dir.ts";
import { tableHeader, tableRow } from "./lib/table.ts";

const USAGE = `Usage: deno task train <model> [options]
       deno task train --list

Trains a model of fastbook chapter 12 on Human Numbers (onnxruntime-node).

Options:
  --epochs N      epochs of the one-cycle schedule (default: the model's recipe)
  --lr X          peak learning rate (default: the model's recipe)
  --seed N        seed for initialization and dropout (default 42)
  --out DIR       output directory (default runs/<model>)
  --device D      cpu (default), cuda or webgpu
  --threads N     onnxruntime intra-op threads (default 1: fastest for these sizes)
  --json          one JSON object per epoch on stdout, then a summary object
  --resume        continue the run in --out from its last checkpoint
  --list          list the models
  -h, --help      this help`;

function listModels(): string {
  const aliases = Object.entries(ALIASES);
  return MODELS.map((m) => {
    const alias = aliases.filter(([, target]) => target === m.name).map(([a]) => a);
    const name = alias.length ? `${m.name} (${alias.join(", ")})` : m.name;
    return `${name.padEnd(18)} ${m.description}`;
  }).join("\n");
}

async function main(): Promise<number> {
  const parsed = parseFlags(Deno.args, {
    epochs: { type: "string" },
    lr: { type: "string" },
    seed: { type: "string" },
    out: { type: "string" },
    device: { type: "string" },
    threads: { type: "string" },
    json: { type: "boolean" },
    resume: { type: "boolean" },
    list: { type: "boolean" },
  }, USAGE);
  if (!parsed) return 0;
  const { values: flags, positionals } = parsed;
  if (flags.list) {
    console.log(listModels());
    return 0;
  }
  if (positionals.length !== 1) {
    throw new UsageError(`expected one model name, got ${positionals.length}\n${USAGE}`);
  }
  let entry;
  try {
    entry = findModel(positionals[0]);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const device = (flags.device ?? "cpu") as Device;
  if (!DEVICES.includes(device)) {
    throw new UsageError(`--device must be one of ${DEVICES.join(", ")}: got "${flags.device}"`);
  }
  const threads = intFlag("threads", flags.threads, 0, 64, 1);
  const out = flags.out ?? `runs/${entry.name}`;
  let epochs = intFlag("epochs", flags.epochs, 1, 1000, entry.recipe.epochs);
  let lrMax = numberFlag("lr", flags.lr, 0, 10, entry.recipe.lrMax);
  let seed = intFlag("seed", flags.seed, 0, 2 ** 32 - 1, 42);

  const resumed = flags.resume ? await loadRun(out, "Cannot resume") : undefined;
  if (resumed) {
    const m = resumed.meta;
    if (m.model !== entry.name) {
      throw new UsageError(`--resume: ${out} holds a run of "${m.model}", not "${entry.name}"`);
    }
    for (
      const [flag, given, saved] of [
        ["epochs", flags.epochs, m.epochs],
        ["lr", flags.lr, m.lrMax],
        ["seed", flags.seed, m.seed],
      ] as const
    ) {
      if (given !== undefined && Number(given) !== saved) {
        throw new UsageError(
          `--resume: --${flag} ${given} differs from the run's ${saved}; omit it to continue the run`,
        );
      }
    }
    [epochs, lrMax, seed] = [m.epochs, m.lrMax, m.seed];
  }

  const json = flags.json ?? false;
  const say = (line: string) => json ? console.error(line) : console.log(line);
  await Deno.mkdir(out, { recursive: true });
  const learner = await Learner.create(entry.create(), entry.recipe, {
    seed,
    session: { device, threads },
  });
  let stop = false;
  const onSigint = () => {
    stop = true;
  };
  Deno.addSignalListener("SIGINT", onSigint);
  const started = performance.now();
  try {
    if (resumed) {
      learner.restore(resumed.checkpoint.tensors, resumed.meta.learner);
      say(`Resuming ${entry.name} from ${out}/${CHECKPOINT_FILE} after epoch ${learner.epoch - 1}`);
    }
    if (learner.epoch >= epochs) {
      say(`${entry.name} already finished its ${epochs} epochs in ${out}`);
    }
    await saveArtifacts(out, learner.artifacts, entry);
    say(`${entry.name}: ${entry.description}`);
    say(
      `fit_one_cycle(${epochs}, ${lrMax}), seed ${seed}, ${device}, ${learner.train.length} train / ${learner.valid.length} valid batches`,
    );
    say(`Baseline (always predict "thousand"): ${mostCommonTokenBaseline().accuracy.toFixed(3)}`);
    say(
      `train_loss: fastai's smoothed loss (EMA 0.98, debiased); valid_loss and accuracy: exact means`,
    );
    say(tableHeader());
    const bar = new ProgressBar();
    await learner.fit(epochs, lrMax, {
      onBatch: (epoch, done, total, loss) =>
        bar.update(`epoch ${epoch + 1}/${epochs}`, done, total, `train_loss ${loss.toFixed(4)}`),
      onEpoch: async (record: EpochRecord) => {
        bar.clear();
        await saveEpoch(out, learner, entry, { epochs, lrMax, seed });
        say(tableRow(record));
        if (json) console.log(JSON.stringify({ model: entry.name, ...record }));
      },
      shouldStop: () => stop,
    });
  } catch (error) {
    if (error instanceof FitInterrupted || error instanceof NonFiniteLossError) {
      const saved = learner.epoch > 0
        ? `the checkpoint after epoch ${
          learner.epoch - 1
        } is ${out}/${CHECKPOINT_FILE}; continue with --resume`
        : `no epoch finished, so there is no checkpoint yet`;
      console.error(`\n${error.message}: ${saved}`);
      return error instanceof FitInterrupted ? 130 : 1;
    }
    throw error;
  } finally {
    Deno.removeSignalListener("SIGINT", onSigint);
    await learner.release();
  }
  const seconds = (performance.now() - started) / 1000;
  const last = learner.history.at(-1);
  const times = learner.history.map((r) => r.time).sort((a, b) => a - b);
  const summary = {
    model: entry.name,
    epochs,
    final_accuracy: last?.accuracy ?? NaN,
    final_valid_loss: last?.valid_loss ?? NaN,
    seconds,
    sec_per_epoch: times.length ? times[times.length >> 1] : NaN,
    out,
  };
  if (json) console.log(JSON.stringify(summary));
  else {
    console.log(
      `final accuracy ${summary.final_accuracy.toFixed(4)}, valid_loss ${
        summary.final_valid_loss.toFixed(4)
      }; ` +
        `median ${
          summary.sec_per_epoch.toFixed(3)
        } s/epoch; results in ${out}/ (report.html, curves.svg)`,
    );
  }
  return 0;
}

if (import.meta.main) await runTool(main);
