/**
 * `deno task train <model>`: trains one of the book's models with onnxruntime-node on Human
 * Numbers, or on one's own text (`--text`) at any size (`--hidden`, `--layers`, ...), and
 * leaves a checkpoint, the four ONNX artifacts, metrics, curves and a report in `--out`
 * (default `runs/<model>`).
 *
 * @module
 */

import { ALIASES, type Architecture, findModel, MODELS, type Recipe } from "../models/registry.ts";
import { sizedModel, type SizeOverrides } from "../models/sizing.ts";
import { TOKEN_MODES, type TokenMode } from "../src/data/tokenizer.ts";
import { SPECIALS } from "../src/data/text_vocab.ts";
import { PRODUCER_NAME, PRODUCER_VERSION } from "../src/onnx/version.ts";
import { type Device, DEVICES } from "../src/train/session.ts";
import {
  type EpochRecord,
  FitInterrupted,
  Learner,
  NonFiniteLossError,
} from "../src/train/learner.ts";
import { intFlag, numberFlag, parseFlags, runTool, UsageError } from "./lib/cli.ts";
import { atPath, checkDirFlag } from "./lib/fs_errors.ts";
import { cpuModel, median } from "./lib/machine.ts";
import { planRunDir, removeStaleTemps } from "./lib/run_guard.ts";
import { ProgressBar } from "./lib/progress.ts";
import {
  CHECKPOINT_FILE,
  loadRun,
  runDescription,
  type RunInfo,
  saveArtifacts,
  saveEpoch,
} from "./lib/run_dir.ts";
import {
  type CorpusFlags,
  humanNumbersCorpus,
  ownTextCorpus,
  type RunCorpus,
  runCorpus,
} from "./lib/run_corpus.ts";
import { tableHeader, tableRow } from "./lib/table.ts";

const USAGE = `Usage: deno task train <model> [options]
       deno task train --list

Trains a model of fastbook chapter 12 (onnxruntime-node) on Human Numbers, or on your own
text with --text.

Options:
  --epochs N      epochs of the one-cycle schedule (default: the model's recipe)
  --lr X          peak learning rate (default: the model's recipe)
  --seed N        seed for initialization and dropout (default 42)
  --out DIR       output directory (default runs/<model>)
  --device D      cpu (default), cuda or webgpu
  --threads N     onnxruntime intra-op threads (default 1: fastest for these sizes)
  --json          one JSON object per epoch on stdout, then a summary object
  --resume        continue the run in --out from its last checkpoint (--lr may be lowered)
  --force         replace a run already in --out (it stays until the new one saves an epoch)
  --list          list the models
  -h, --help      this help

Your own text:
  --text PATH     a UTF-8 text file, or a folder of .txt files (recursive, sorted order)
  --valid PATH    validation text (default: the last --valid-pct of --text)
  --valid-pct P   share of the tokens (of the files, for a folder) kept for validation (0.1)
  --tokens T      word (default) or char
  --lower         lower-case the text first
  --min-freq N    rarer tokens become xxunk (default 3 for words, 1 for chars)
  --max-vocab N   largest vocabulary, specials included (default 60000)

Model size (the book's by default: hidden 64, 2 layers, bs 64, sl 16):
  --hidden N      hidden size (every model)
  --layers N      recurrent layers (lm5, lm6, lm7, gru)
  --dropout P     dropout probability (lm7)
  --bs N          batch size (every model)
  --sl N          tokens per sequence (lm4..lm7, gru; lm1..lm3 read 3)`;

function listModels(): string {
  const aliases = Object.entries(ALIASES);
  return MODELS.map((m) => {
    const alias = aliases.filter(([, target]) => target === m.name).map(([a]) => a);
    const name = alias.length ? `${m.name} (${alias.join(", ")})` : m.name;
    return `${name.padEnd(18)} ${m.description}`;
  }).join("\n");
}

const FLAGS = {
  epochs: { type: "string" },
  lr: { type: "string" },
  seed: { type: "string" },
  out: { type: "string" },
  device: { type: "string" },
  threads: { type: "string" },
  json: { type: "boolean" },
  resume: { type: "boolean" },
  force: { type: "boolean" },
  list: { type: "boolean" },
  text: { type: "string" },
  valid: { type: "string" },
  "valid-pct": { type: "string" },
  tokens: { type: "string" },
  lower: { type: "boolean" },
  "min-freq": { type: "string" },
  "max-vocab": { type: "string" },
  hidden: { type: "string" },
  layers: { type: "string" },
  dropout: { type: "string" },
  bs: { type: "string" },
  sl: { type: "string" },
} as const;

type Flags = {
  readonly [K in keyof typeof FLAGS]?: typeof FLAGS[K]["type"] extends "boolean" ? boolean
    : string;
};

/** The corpus flags, checked; undefined without --text. */
function corpusFlags(flags: Flags): CorpusFlags | undefined {
  const textOnly = ["valid", "valid-pct", "tokens", "lower", "min-freq", "max-vocab"] as const;
  if (flags.text === undefined) {
    const stray = textOnly.find((f) => flags[f] !== undefined);
    if (stray) {
      throw new UsageError(
        `--${stray} needs --text PATH (Human Numbers has its own split and vocabulary)`,
      );
    }
    return undefined;
  }
  if (flags.text.trim() === "") throw new UsageError(`--text must be a file or folder: got ""`);
  if (flags.valid !== undefined && flags.valid.trim() === "") {
    throw new UsageError(`--valid must be a file or folder: got ""`);
  }
  if (flags.valid !== undefined && flags["valid-pct"] !== undefined) {
    throw new UsageError(
      `--valid-pct cannot be combined with --valid (the --valid text is the validation set)`,
    );
  }
  const tokens = (flags.tokens ?? "word") as TokenMode;
  if (!TOKEN_MODES.includes(tokens)) {
    throw new UsageError(
      `--tokens must be one of ${TOKEN_MODES.join(", ")}: got "${flags.tokens}"`,
    );
  }
  const maxVocab = intFlag("max-vocab", flags["max-vocab"], 1, 1_000_000, 60000);
  if (maxVocab < SPECIALS.length) {
    throw new UsageError(
      `--max-vocab must be at least ${SPECIALS.length}, room for the specials ${
        SPECIALS.join(" and ")
      }: got ${maxVocab}`,
    );
  }
  return {
    text: flags.text,
    ...(flags.valid !== undefined ? { valid: flags.valid } : {}),
    validPct: numberFlag("valid-pct", flags["valid-pct"], 0, 0.9, 0.1),
    tokens,
    lower: flags.lower ?? false,
    minFreq: intFlag("min-freq", flags["min-freq"], 1, 2 ** 31 - 1, tokens === "word" ? 3 : 1),
    maxVocab,
  };
}

/** The size flags, checked. */
function sizeFlags(flags: Flags): SizeOverrides {
  const dropout = flags.dropout === undefined ? undefined : Number(flags.dropout);
  if (dropout !== undefined && (flags.dropout!.trim() === "" || !(dropout >= 0 && dropout < 1))) {
    throw new UsageError(`--dropout must be a number in [0, 1): got "${flags.dropout}"`);
  }
  const int = (flag: "hidden" | "layers" | "bs" | "sl", max: number) =>
    flags[flag] === undefined ? undefined : intFlag(flag, flags[flag], 1, max, 0);
  const sizes = {
    hidden: int("hidden", 8192),
    layers: int("layers", 16),
    dropout,
    batchSize: int("bs", 4096),
    seqLen: int("sl", 4096),
  };
  return Object.fromEntries(Object.entries(sizes).filter(([, v]) => v !== undefined));
}

/** Refuses a flag given with --resume that would change the run. */
function sameAsRun(
  given: Readonly<Record<string, unknown>>,
  saved: Readonly<Record<string, unknown>>,
): void {
  for (const [flag, value] of Object.entries(given)) {
    if (value !== undefined && String(value) !== String(saved[flag])) {
      throw new UsageError(
        `--resume: --${flag} ${value} differs from the run's ${
          saved[flag]
        }; omit it to continue the run`,
      );
    }
  }
}

async function main(): Promise<number> {
  const parsed = parseFlags(Deno.args, FLAGS, USAGE);
  if (!parsed) return 0;
  const { positionals } = parsed;
  const flags = parsed.values as Flags;
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
  await checkDirFlag("out", out);
  if (flags.force && flags.resume) {
    throw new UsageError(`--force replaces a run and --resume continues it: give one of them`);
  }
  const json = flags.json ?? false;
  const progress = !json && Deno.stderr.isTerminal();
  const sizes = sizeFlags(flags);
  const textFlags = corpusFlags(flags);

  let run: {
    corpus: RunCorpus;
    arch: Architecture;
    recipe: Recipe;
    epochs: number;
    lrMax: number;
    seed: number;
  };
  const resumed = flags.resume ? await loadRun(out, "Cannot resume") : undefined;
  if (resumed) {
    const m = resumed.meta;
    if (m.model !== entry.name) {
      throw new UsageError(`--resume: ${out} holds a run of "${m.model}", not "${entry.name}"`);
    }
    // --lr may change on resume: after a divergence, the rest of the schedule runs at a lower
    // peak (each epoch's record says which it ran under).
    sameAsRun({ epochs: flags.epochs, seed: flags.seed }, { epochs: m.epochs, seed: m.seed });
    sameAsRun(
      {
        hidden: sizes.hidden,
        layers: sizes.layers,
        dropout: sizes.dropout,
        bs: sizes.batchSize,
        sl: sizes.seqLen,
      },
      {
        hidden: m.arch.hidden,
        layers: m.arch.layers,
        dropout: m.arch.dropout,
        bs: m.recipe.batchSize,
        sl: m.recipe.seqLen,
      },
    );
    if (textFlags) {
      throw new UsageError(
        `--resume reads the corpus the run recorded: leave out --text and its options`,
      );
    }
    run = {
      corpus: await runCorpus(m, progress),
      arch: m.arch,
      recipe: m.recipe,
      epochs: m.epochs,
      lrMax: numberFlag("lr", flags.lr, 0, 10, m.lrMax),
      seed: m.seed,
    };
  } else {
    const corpus = textFlags ? await ownTextCorpus(textFlags, progress) : humanNumbersCorpus();
    let sized;
    try {
      sized = sizedModel(entry, { ...sizes, vocabSize: corpus.vocab.length });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    run = {
      corpus,
      ...sized,
      epochs: intFlag("epochs", flags.epochs, 1, 1000, entry.recipe.epochs),
      lrMax: numberFlag("lr", flags.lr, 0, 10, entry.recipe.lrMax),
      seed: intFlag("seed", flags.seed, 0, 2 ** 32 - 1, 42),
    };
  }
  const { corpus, arch, recipe, epochs, lrMax, seed } = run;
  const data = corpus.data(recipe); // refuses a corpus too short for --bs/--sl before anything is written
  const runMeta: RunInfo["meta"] = {
    format: "onnx-lm-run",
    version: 2,
    producer: `${PRODUCER_NAME} ${PRODUCER_VERSION}`,
    model: entry.name,
    recipe,
    arch,
    epochs,
    lrMax,
    seed,
    device,
    corpus: corpus.corpus,
    tokenizer: corpus.tokenizer,
    vocab: corpus.vocab,
  };
  const info: RunInfo = {
    meta: runMeta,
    description: runDescription(runMeta),
    baseline: corpus.baseline.accuracy,
  };

  const say = (line: string) => json ? console.error(line) : console.log(line);
  // A run already in --out is refused (or, under --force, replaced once the new one has a
  // checkpoint) before anything is built or written.
  const plan = resumed ? undefined : await planRunDir(out, flags.force ?? false);
  const dir = () => plan?.dir ?? out;
  const learner = await Learner.create(entry.create(arch), recipe, {
    seed,
    session: { device, threads },
    data,
    cpu: cpuModel(),
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
    if (resumed) {
      learner.restore(resumed.checkpoint.tensors, resumed.meta.learner);
      say(`Resuming ${entry.name} from ${out}/${CHECKPOINT_FILE} after epoch ${learner.epoch - 1}`);
    }
    if (learner.epoch >= epochs) {
      say(`${entry.name} already finished its ${epochs} epochs in ${out}`);
    }
    await atPath("--out", dir(), () => saveArtifacts(dir(), learner.artifacts, info));
    say(`${entry.name}: ${info.description}`);
    say(`corpus: ${corpus.summary}`);
    if (corpus.warning) console.error(corpus.warning);
    if (corpus.corpus.kind === "text" || JSON.stringify(arch) !== JSON.stringify(entry.arch)) {
      say(
        `size: vocab ${arch.vocabSize}, hidden ${arch.hidden}, layers ${arch.layers}, dropout ${arch.dropout}, bs ${recipe.batchSize}, sl ${recipe.seqLen}`,
      );
    }
    say(
      `fit_one_cycle(${epochs}, ${lrMax}), seed ${seed}, ${device}, ${learner.train.length} train / ${learner.valid.length} valid batches`,
    );
    say(
      `Baseline (always predict ${JSON.stringify(corpus.baseline.token)}): ${
        corpus.baseline.accuracy.toFixed(3)
      }`,
    );
    say(
      `train_loss: fastai's smoothed loss (EMA 0.98, debiased); valid_loss and accuracy: exact means`,
    );
    say(tableHeader());
    const bar = new ProgressBar(progress);
    let epochStart = performance.now();
    await learner.fit(epochs, lrMax, {
      onBatch: (epoch, done, total, loss) => {
        if (done === 1) epochStart = performance.now();
        const seconds = (performance.now() - epochStart) / 1000;
        // Short epochs print their row at once; a bar is for epochs one waits for.
        if (seconds < 2) return;
        const eta = (seconds / done) * (total - done);
        bar.update(
          `epoch ${epoch + 1}/${epochs}`,
          done,
          total,
          `train_loss ${loss.toFixed(4)}, ${(done / seconds).toFixed(1)} steps/s, ETA ${
            eta.toFixed(0)
          } s`,
        );
      },
      onEpoch: async (record: EpochRecord) => {
        bar.clear();
        await atPath("--out", dir(), () => saveEpoch(dir(), learner, info));
        await plan?.saved();
        say(tableRow(record));
        if (json) console.log(JSON.stringify({ model: entry.name, ...record }));
      },
      shouldStop: () => stop,
    });
  } catch (error) {
    if (error instanceof FitInterrupted || error instanceof NonFiniteLossError) {
      const lower = Number((lrMax / 10).toPrecision(2));
      const checkpoint = `the checkpoint after epoch ${
        learner.epoch - 1
      } is ${out}/${CHECKPOINT_FILE}`;
      // Resuming a diverged run as it was would diverge again (runs repeat bit for bit):
      // the way forward is the rest of the schedule at a lower peak learning rate.
      const next = error instanceof FitInterrupted
        ? learner.epoch > 0
          ? `${checkpoint}; continue with --resume`
          : `no epoch finished, so there is no checkpoint yet`
        : learner.epoch > 0
        ? `${checkpoint}; continue from it at a lower peak learning rate with --resume --lr ${lower}` +
          ` (this run's was ${lrMax})`
        : `no epoch finished, so there is no checkpoint yet; start again with a lower --lr, e.g. --lr ${lower}`;
      console.error(`\n${error.message}: ${next}`);
      return error instanceof FitInterrupted ? 130 : 1;
    }
    throw error;
  } finally {
    Deno.removeSignalListener("SIGINT", onSigint);
    await learner.release();
    await plan?.abandon(); // a no-op once the new run has taken --out's place
  }
  const seconds = (performance.now() - started) / 1000;
  const last = learner.history.at(-1);
  const times = learner.history.map((r) => r.time);
  const summary = {
    model: entry.name,
    epochs,
    final_accuracy: last?.accuracy ?? NaN,
    final_valid_loss: last?.valid_loss ?? NaN,
    seconds,
    sec_per_epoch: median(times),
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
