/**
 * A run's contract, `RunMeta`: what a checkpoint holds besides tensors (model, recipe,
 * architecture, corpus, tokenizer, vocabulary, learner state), and `parseRunMeta`, the one
 * reader of it. Resume, export and generate take every size and setting from here, never from
 * the registry's defaults. Browser-compatible.
 *
 * @module
 */

import { ContractError, Fields } from "../contract/fields.ts";
import { TOKEN_MODES, type TokenizerSpec } from "../data/tokenizer.ts";
import { RULE_MARKERS, TEXT_RULES } from "../data/text_rules.ts";
import type { DataKind } from "../data/stream_batches.ts";
import type { EpochRecord, LearnerState } from "./learner.ts";
import type { Architecture, GptShape, Recipe, StepsSchedule } from "./recipe.ts";
import { adaptiveSoftmaxProblem, type AdaptiveSoftmaxSpec } from "../nn/adaptive_softmax.ts";
import { MONITORS, type Tracking } from "./tracking.ts";

/** Where the run's text came from. */
export type CorpusMeta =
  | { readonly kind: "human-numbers" }
  | {
    readonly kind: "text";
    /** `--text` path as given. */
    readonly text: string;
    /** `--valid` path, or null when validation is the end of `--text`. */
    readonly valid: string | null;
    readonly validPct: number;
    readonly minFreq: number;
    readonly maxVocab: number;
    readonly files: { readonly train: number; readonly valid: number };
    readonly tokens: { readonly train: number; readonly valid: number };
    /** `idsChecksum` of train then valid ids. */
    readonly checksum: string;
    /** The file endings read from a folder (`--ext`); absent: `.txt`. */
    readonly ext?: readonly string[];
  };

/** The run a fine-tuned run started from (`deno task train --from RUN`). */
export interface ParentRun {
  /** The parent's run directory (absolute, from the CLI; a name in the page). */
  readonly run: string;
  /** Its model. */
  readonly model: string;
  /** Epochs it had trained when its weights were taken. */
  readonly epoch: number;
  /** Its valid loss at that epoch. */
  readonly valid_loss: number;
  /** Tokens of this run's vocabulary whose rows came from the parent. */
  readonly sharedTokens: number;
  /** Tokens new to this run, started from the mean of the parent's rows. */
  readonly newTokens: number;
}

/** The devices a run can name. */
export const RUN_DEVICES = ["cpu", "cuda", "webgpu", "wasm"] as const;

/** Everything a checkpoint stores besides tensors. */
export interface RunMeta {
  /** Marks the metadata as an onnx-lm run checkpoint. */
  readonly format: "onnx-lm-run";
  /** Metadata version (1 is read and filled in with Human Numbers defaults). */
  readonly version: 2;
  /** The onnx-lm version that wrote it. */
  readonly producer: string;
  /** Registry name of the model (`lm7`). */
  readonly model: string;
  /** The training recipe the run uses. */
  readonly recipe: Recipe;
  /** The sizes the model was built with. */
  readonly arch: Architecture;
  /** Epochs of the one-cycle schedule. */
  readonly epochs: number;
  /** Peak learning rate now in force (lowered by `--resume --lr`). */
  readonly lrMax: number;
  /** Seed for initialization and dropout. */
  readonly seed: number;
  /** The execution provider of the latest epoch. */
  readonly device: typeof RUN_DEVICES[number];
  /** Where the text came from. */
  readonly corpus: CorpusMeta;
  /** How text becomes tokens. */
  readonly tokenizer: TokenizerSpec;
  /** Tokens by id. */
  readonly vocab: readonly string[];
  /**
   * A prompt that fits the model (`samplePrompt`: the start of its validation text), for one's
   * own text; absent for Human Numbers and in runs saved before it was recorded.
   */
  readonly prompt?: string;
  /** Epoch, step, smoothed loss and history at the checkpoint. */
  readonly learner: LearnerState;
  /** The run it was fine-tuned from; absent for a run from scratch. */
  readonly parent?: ParentRun;
  /** Best-epoch tracking and early stopping; absent when neither was asked for. */
  readonly tracking?: Tracking;
}

/** Defaults for metadata written before version 2 (Human Numbers, the book's sizes). */
export interface LegacyDefaults {
  /** The book architecture of a registered model. */
  readonly arch: (model: string) => Architecture;
  /** How text becomes tokens. */
  readonly tokenizer: TokenizerSpec;
}

const DATA_KINDS: readonly DataKind[] = [
  "three-token",
  "three-token-stateful",
  "sequence",
  "windows",
];

/**
 * Reads a recipe.
 *
 * @param f The `recipe` object.
 * @returns The recipe.
 */
export function readRecipe(f: Fields): Recipe {
  const moms = f.list("moms");
  if (moms.length !== 3 || moms.some((m) => typeof m !== "number" || !Number.isFinite(m))) {
    f.fail("moms", `must be three finite numbers: got ${JSON.stringify(moms)}`);
  }
  return {
    data: f.oneOf("data", DATA_KINDS),
    epochs: f.int("epochs", { min: 1 }),
    lrMax: f.num("lrMax", { min: 0 }),
    wd: f.num("wd", { min: 0 }),
    moms: moms as unknown as [number, number, number],
    ...(f.has("ar") ? { ar: f.num("ar", { min: 0 }) } : {}),
    ...(f.has("tar") ? { tar: f.num("tar", { min: 0 }) } : {}),
    batchSize: f.int("batchSize", { min: 1 }),
    seqLen: f.int("seqLen", { min: 1 }),
    // Absent in fastai-recipe runs (every run before the GPT's).
    ...(f.has("sqrMom") ? { sqrMom: f.num("sqrMom", { min: 0, max: 0.999999 }) } : {}),
    ...(f.has("eps") ? { eps: f.num("eps", { min: 1e-30 }) } : {}),
    ...(f.has("clip") ? { clip: f.num("clip", { min: 1e-30 }) } : {}),
    ...(f.has("schedule") ? { schedule: readSchedule(f.obj("schedule")) } : {}),
  };
}

function readSchedule(f: Fields): StepsSchedule {
  const steps = f.int("steps", { min: 2 });
  return {
    kind: f.oneOf("kind", ["warmup-cosine"] as const),
    steps,
    warmup: f.int("warmup", { min: 0, max: steps - 1 }),
    lrMin: f.num("lrMin", { min: 0 }),
    evalEvery: f.int("evalEvery", { min: 1 }),
  };
}

/**
 * Reads an architecture.
 *
 * @param f The `arch` object.
 * @returns The architecture.
 */
export function readArch(f: Fields): Architecture {
  const arch = {
    vocabSize: f.int("vocabSize", { min: 1 }),
    hidden: f.int("hidden", { min: 1 }),
    layers: f.int("layers", { min: 1 }),
    dropout: f.num("dropout", { min: 0, max: 0.99 }),
    tied: f.bool("tied"),
  };
  // Absent in runs of the full softmax (every run before the adaptive one existed), and in
  // every recurrent model's.
  return {
    ...arch,
    ...(f.has("softmax") ? { softmax: readSoftmax(f, arch) } : {}),
    ...(f.has("gpt") ? { gpt: readGpt(f, arch.hidden) } : {}),
  };
}

function readGpt(parent: Fields, hidden: number): GptShape {
  const f = parent.obj("gpt");
  const heads = f.int("heads", { min: 1 });
  if (hidden % heads !== 0) {
    f.fail("heads", `must divide the hidden size ${hidden}: got ${heads}`);
  }
  return { heads, block: f.int("block", { min: 1 }), bias: f.bool("bias") };
}

function readSoftmax(
  parent: Fields,
  arch: Pick<Architecture, "vocabSize" | "hidden">,
): AdaptiveSoftmaxSpec {
  const f = parent.obj("softmax");
  const kind = f.oneOf("kind", ["adaptive"] as const);
  const cutoffs = f.list("cutoffs");
  const divValue = f.int("divValue", { min: 1 });
  const problem = cutoffs.every((c) => typeof c === "number")
    ? adaptiveSoftmaxProblem(arch.hidden, arch.vocabSize, cutoffs as number[], divValue)
    : `cutoffs must be numbers: got ${JSON.stringify(cutoffs).slice(0, 80)}`;
  if (problem) parent.fail("softmax", `is not an adaptive softmax of this model: ${problem}`);
  return { kind, cutoffs: cutoffs as number[], divValue };
}

/**
 * Reads a tokenizer spec.
 *
 * @param f The `tokenizer` object.
 * @returns The spec.
 */
export function readTokenizer(f: Fields): TokenizerSpec {
  const mode = f.oneOf("mode", TOKEN_MODES);
  const lower = f.bool("lower");
  const specials = f.strings("specials");
  // Absent in runs and exports made before line breaks and rules: they split as they did.
  const lines = f.has("lines") && f.bool("lines");
  const rules = f.has("rules") ? f.oneOf("rules", TEXT_RULES) : undefined;
  for (const [key, on] of [["lines", lines], ["rules", rules !== undefined]] as const) {
    if (on && mode !== "word") {
      f.fail(
        key,
        `applies to word tokens only: got ${JSON.stringify(f.value[key])} with mode "${mode}"`,
      );
    }
  }
  const missing = rules ? RULE_MARKERS.filter((m) => !specials.includes(m)) : [];
  if (missing.length) {
    f.fail(
      "specials",
      `must hold the markers of rules "${rules}" (${RULE_MARKERS.join(", ")}): ` +
        `${missing.join(", ")} missing`,
    );
  }
  return { mode, lower, ...(lines ? { lines } : {}), ...(rules ? { rules } : {}), specials };
}

function readCorpus(f: Fields): CorpusMeta {
  const kind = f.oneOf("kind", ["human-numbers", "text"] as const);
  if (kind === "human-numbers") return { kind };
  const split = (g: Fields) => ({
    train: g.int("train", { min: 0 }),
    valid: g.int("valid", { min: 0 }),
  });
  return {
    kind,
    text: f.str("text"),
    valid: f.value.valid === null ? null : f.str("valid"),
    validPct: f.num("validPct", { min: 0, max: 1 }),
    minFreq: f.int("minFreq", { min: 1 }),
    maxVocab: f.int("maxVocab", { min: 1 }),
    files: split(f.obj("files")),
    tokens: split(f.obj("tokens")),
    checksum: f.str("checksum"),
    ...(f.has("ext") ? { ext: readExt(f) } : {}),
  };
}

/** The file endings of `--ext`: each a "." and at least one more character. */
export const EXT_PATTERN = /^\.[^\s/\\,]+$/u;

function readExt(f: Fields): string[] {
  const ext = f.strings("ext");
  const bad = ext.find((e) => !EXT_PATTERN.test(e));
  if (!ext.length || bad !== undefined) {
    f.fail("ext", `must be file endings such as ".txt": got ${JSON.stringify(ext)}`);
  }
  return ext;
}

function readRecord(f: Fields): EpochRecord {
  return {
    epoch: f.int("epoch", { min: 0 }),
    train_loss: f.num("train_loss"),
    train_loss_mean: f.num("train_loss_mean"),
    valid_loss: f.num("valid_loss"),
    accuracy: f.num("accuracy", { min: 0, max: 1 }),
    time: f.num("time", { min: 0 }),
    ...(f.has("lr_max") ? { lr_max: f.num("lr_max", { min: 0 }) } : {}),
    ...(f.has("cpu") ? { cpu: f.str("cpu") } : {}),
  };
}

function readParent(f: Fields): ParentRun {
  return {
    run: f.str("run"),
    model: f.str("model"),
    epoch: f.int("epoch", { min: 0 }),
    valid_loss: f.num("valid_loss"),
    sharedTokens: f.int("sharedTokens", { min: 0 }),
    newTokens: f.int("newTokens", { min: 0 }),
  };
}

function readTracking(f: Fields): Tracking {
  return {
    monitor: f.oneOf("monitor", MONITORS),
    saveBest: f.bool("saveBest"),
    patience: f.value.patience === null ? null : f.int("patience", { min: 1 }),
  };
}

function readLearner(f: Fields): LearnerState {
  const smooth = f.obj("smooth");
  return {
    epoch: f.int("epoch", { min: 0 }),
    step: f.int("step", { min: 0 }),
    smooth: { val: smooth.num("val"), count: smooth.int("count", { min: 0 }) },
    history: f.objects("history").map(readRecord),
    ...(f.has("cycleStart") ? { cycleStart: f.int("cycleStart", { min: 0 }) } : {}),
  };
}

/**
 * Checks and reads run metadata.
 *
 * @param value The parsed JSON metadata of a checkpoint.
 * @param file The checkpoint's path, for messages.
 * @param legacy How to fill in metadata of version 1 (Human Numbers runs, book sizes).
 * @returns The metadata.
 * @throws ContractError naming the file and the first malformed field.
 */
export function parseRunMeta(value: unknown, file: string, legacy: LegacyDefaults): RunMeta {
  const f = Fields.root(file, value, "onnx-lm run metadata");
  if (f.value.format !== "onnx-lm-run") {
    f.fail(
      "format",
      `must be "onnx-lm-run" (not an onnx-lm run checkpoint): got ${
        JSON.stringify(f.value.format)
      }`,
    );
  }
  const version = f.oneOf("version", [1, 2]);
  const model = f.str("model");
  const recipe = readRecipe(f.obj("recipe"));
  const vocab = f.strings("vocab");
  const common = {
    format: "onnx-lm-run",
    version: 2,
    producer: f.str("producer"),
    model,
    recipe,
    epochs: f.int("epochs", { min: 1 }),
    lrMax: f.num("lrMax", { min: 0 }),
    seed: f.int("seed", { min: 0 }),
    vocab,
    learner: readLearner(f.obj("learner")),
  } as const;
  if (version === 1) {
    return {
      ...common,
      arch: legacy.arch(model),
      device: "cpu",
      corpus: { kind: "human-numbers" },
      tokenizer: legacy.tokenizer,
    };
  }
  const meta: RunMeta = {
    ...common,
    arch: readArch(f.obj("arch")),
    device: f.oneOf("device", RUN_DEVICES),
    corpus: readCorpus(f.obj("corpus")),
    tokenizer: readTokenizer(f.obj("tokenizer")),
    ...(f.has("parent") ? { parent: readParent(f.obj("parent")) } : {}),
    ...(f.has("tracking") ? { tracking: readTracking(f.obj("tracking")) } : {}),
    ...(f.has("prompt") ? { prompt: f.str("prompt") } : {}),
  };
  if (meta.arch.vocabSize !== vocab.length) {
    throw new ContractError(
      file,
      "arch.vocabSize",
      `must equal the vocabulary's ${vocab.length} tokens: got ${meta.arch.vocabSize}`,
    );
  }
  return meta;
}
