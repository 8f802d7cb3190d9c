/**
 * The Train panel's settings, and their home in the URL hash (`#train=lm6&epochs=2&seed=42`),
 * so that a link opens the page with them and `&start` starts training at once. One reader
 * checks every field and names the bad one; defaults are the model's book recipe.
 *
 * @example
 * ```ts
 * import { readTrainHash, trainHash } from "./train_settings.ts";
 * const s = readTrainHash("#train=lm6&epochs=2&seed=42&start");
 * console.log(s.settings.model, s.settings.epochs, s.start); // "lm6" 2 true
 * console.log(trainHash(s.settings)); // "#train=lm6&epochs=2&lr=0.01&seed=42&backend=wasm"
 * ```
 * @module
 */

import { findModel, MODELS } from "../../models/registry.ts";
import { readSizes, sizedModel, SizeError, type SizeFields } from "../../models/sizing.ts";
import type { SizeOverrides } from "../../models/sizing.ts";
import { NumberTextError, readInteger, readNumber } from "../contract/numbers.ts";
import { TOKEN_MODES, type TokenMode } from "../data/tokenizer.ts";
import { scheduleEpochs, stepsSchedule } from "../train/steps_schedule.ts";

/** Where the page trains: onnxruntime-web's CPU (wasm) or its WebGPU execution provider. */
export type WebDevice = "wasm" | "webgpu";

/** What to train on. */
export type CorpusChoice =
  | { readonly kind: "human-numbers" }
  | {
    readonly kind: "text";
    /** The file name of an upload, or `pasted.txt`: the run records it as its `--text`. */
    readonly name: string;
    /** The text itself. */
    readonly text: string;
    readonly tokens: TokenMode;
    readonly lower: boolean;
    /** Word mode: line breaks are tokens (`textDefaults` sets it, as for the CLI). */
    readonly lines?: boolean;
    readonly minFreq: number;
    readonly maxVocab: number;
    readonly validPct: number;
  };

/** Everything a training run in the page needs. */
export interface TrainSettings {
  /** Registry name (`lm6`; aliases resolve to it). */
  readonly model: string;
  /** Epochs of fit_one_cycle (a model with `steps`: the validations its schedule runs). */
  readonly epochs: number;
  /**
   * Steps of nanoGPT's warmup and cosine schedule, for a model whose recipe counts steps (the
   * GPT, `deno task train gpt --steps`); absent: fit_one_cycle over `epochs`.
   */
  readonly steps?: number;
  /** Peak learning rate of the one-cycle schedule. */
  readonly lr: number;
  readonly seed: number;
  readonly backend: WebDevice;
  /** wasm threads; 1 when the page is not cross-origin isolated. */
  readonly threads: number;
  readonly corpus: CorpusChoice;
  /**
   * The sizes that differ from the model's book ones (`deno task train`'s `--hidden`,
   * `--layers`, `--dropout`, `--bs`, `--sl`, and a GPT's `--embd`, `--heads`, `--block`,
   * `--bias`, with the same limits); `{}` for the book's.
   */
  readonly sizes: Omit<SizeOverrides, "vocabSize">;
}

/** The size settings by field name (the CLI's flag names), in the panel's order. */
export const SIZE_KEYS = [
  "hidden",
  "embd",
  "layers",
  "heads",
  "block",
  "dropout",
  "bs",
  "sl",
  "bias",
] as const;

/** A size field's name. */
export type SizeKey = typeof SIZE_KEYS[number];

/** A model's sizes by field name: the book's values, and which the model lets change. */
export interface ModelSizes {
  /** The book's value of each field (`bias`: true or false, the others numbers). */
  readonly book: Readonly<Record<SizeKey, number | boolean>>;
  /** Whether the model can change it. */
  readonly resizable: Readonly<Record<SizeKey, boolean>>;
  /** Whether the field applies to the model at all (a GPT has no `hidden`, an RNN no `heads`). */
  readonly applies: Readonly<Record<SizeKey, boolean>>;
}

/**
 * A model's book sizes and which of them it can change (lm1..lm4 have one layer, only lm7
 * has dropout, the three-token models read 3 tokens): what the panel's size fields show.
 *
 * @param model A registry name or alias.
 * @returns The sizes by field name.
 * @throws SettingsError for an unknown model.
 */
export function modelSizes(model: string): ModelSizes {
  const { arch, recipe, resizable: can } = entryOf(model);
  const gpt = can.gpt;
  const g = arch.gpt;
  return {
    book: {
      hidden: arch.hidden,
      embd: arch.hidden,
      layers: arch.layers,
      heads: g?.heads ?? 1,
      block: g?.block ?? recipe.seqLen,
      dropout: arch.dropout,
      bs: recipe.batchSize,
      sl: recipe.seqLen,
      bias: g?.bias ?? false,
    },
    resizable: {
      hidden: !gpt,
      embd: gpt,
      layers: can.layers,
      heads: gpt,
      block: gpt,
      dropout: can.dropout,
      bs: true,
      sl: can.seqLen && !gpt,
      bias: gpt,
    },
    applies: {
      hidden: !gpt,
      embd: gpt,
      layers: true,
      heads: gpt,
      block: gpt,
      dropout: true,
      bs: true,
      sl: !gpt,
      bias: gpt,
    },
  };
}

/** Where each size field lives in `SizeOverrides`. */
const SIZE_FIELD: Readonly<Record<SizeKey, keyof TrainSettings["sizes"]>> = {
  hidden: "hidden",
  embd: "embd",
  layers: "layers",
  heads: "heads",
  block: "block",
  dropout: "dropout",
  bs: "batchSize",
  sl: "seqLen",
  bias: "bias",
};

/**
 * A setting's size fields, by name, as the panel shows them: the given size, or the book's;
 * only the fields that apply to its model.
 *
 * @param s The settings.
 * @returns Each applying size field's value.
 */
export function sizeValues(s: TrainSettings): Partial<Record<SizeKey, number | boolean>> {
  const { book, applies } = modelSizes(s.model);
  return Object.fromEntries(
    SIZE_KEYS.filter((k) => applies[k]).map((
      k,
    ) => [k, (s.sizes[SIZE_FIELD[k]] as number | boolean | undefined) ?? book[k]]),
  );
}

/** Raised for a setting out of range; the message names the setting and what it takes. */
export class SettingsError extends Error {
  /** The error name. */
  override name = "SettingsError";
}

/** The model names the panel offers, in the book's order. */
export const TRAIN_MODELS: readonly string[] = MODELS.map((m) => m.name);

/**
 * The book's settings for a model: its recipe's epochs (or steps) and lr, seed 42, Human
 * Numbers, wasm on one thread.
 *
 * @param model A registry name or alias.
 * @returns The settings.
 * @throws SettingsError for an unknown model.
 */
export function defaultSettings(model = "lm6"): TrainSettings {
  const entry = entryOf(model);
  return {
    model: entry.name,
    epochs: entry.recipe.epochs,
    ...(entry.recipe.schedule ? { steps: entry.recipe.schedule.steps } : {}),
    lr: entry.recipe.lrMax,
    seed: 42,
    backend: "wasm",
    threads: 1,
    corpus: { kind: "human-numbers" },
    sizes: {},
  };
}

function entryOf(model: string) {
  try {
    return findModel(model);
  } catch {
    throw new SettingsError(
      `train: unknown model "${model}": expected one of ${TRAIN_MODELS.join(", ")}`,
    );
  }
}

/**
 * wasm threads when the page is cross-origin isolated: every core up to 4 (onnxruntime-web's
 * own cap). On 2 cores, 2 threads train lm6 1.25x as fast as one once wasm is warm
 * (docs/BENCHMARKS.md).
 *
 * @param cores `navigator.hardwareConcurrency`.
 * @returns The default thread count.
 */
export function defaultThreads(cores: number): number {
  return Math.max(1, Math.min(cores, 4));
}

function integer(name: string, raw: string, min: number, max: number): number {
  return asSetting(() => readInteger(name, raw, min, max));
}

function positive(name: string, raw: string, max: number): number {
  return asSetting(() => readNumber(name, raw, { above: 0, max }));
}

function asSetting<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof NumberTextError) throw new SettingsError(error.message);
    throw error;
  }
}

/**
 * Checks settings as the panel's fields give them (strings), filling in the model's recipe.
 *
 * @param fields Field values by name: `train` (the model), `epochs` (or a GPT's `steps`),
 *   `lr`, `seed`, `backend`, `threads`, and the sizes (`SIZE_KEYS`); absent ones take their
 *   defaults (the book's sizes).
 * @param corpus What to train on.
 * @returns The settings.
 * @throws SettingsError naming the field, its range and the value given.
 */
export function checkSettings(
  fields: Readonly<Record<string, string | undefined>>,
  corpus: CorpusChoice = { kind: "human-numbers" },
): TrainSettings {
  const base = defaultSettings(fields.train ?? "lm6");
  const backend = fields.backend ?? base.backend;
  if (backend !== "wasm" && backend !== "webgpu") {
    throw new SettingsError(`backend must be wasm or webgpu: got "${backend}"`);
  }
  if (corpus.kind === "text") {
    if (!TOKEN_MODES.includes(corpus.tokens)) {
      throw new SettingsError(`tokens must be ${TOKEN_MODES.join(" or ")}: got "${corpus.tokens}"`);
    }
    if (!corpus.text.trim()) throw new SettingsError(`the text to train on is empty`);
  }
  const steps = stepsField(base, fields.steps);
  return {
    model: base.model,
    epochs: steps !== undefined
      ? scheduleEpochs(stepsSchedule(steps, 1))
      : fields.epochs === undefined
      ? base.epochs
      : integer("epochs", fields.epochs, 1, 1000),
    ...(steps !== undefined ? { steps } : {}),
    lr: fields.lr === undefined ? base.lr : positive("lr", fields.lr, 10),
    seed: fields.seed === undefined ? base.seed : integer("seed", fields.seed, 0, 2 ** 32 - 1),
    backend,
    threads: fields.threads === undefined ? 1 : integer("threads", fields.threads, 1, 64),
    corpus,
    sizes: checkSizes(base.model, fields),
  };
}

/** A GPT's `steps` (its recipe's by default); other models have none. */
function stepsField(base: TrainSettings, raw: string | undefined): number | undefined {
  if (base.steps === undefined) {
    if (raw !== undefined) {
      throw new SettingsError(
        `steps applies to gpt (nanoGPT's schedule): ${base.model} trains for epochs`,
      );
    }
    return undefined;
  }
  return raw === undefined ? base.steps : integer("steps", raw, 2, 10_000_000);
}

/**
 * The size fields read with `deno task train`'s limits (`readSizes`) and checked against the
 * model (`sizedModel`, as `planRun` will), keeping only those that differ from the book's.
 */
function checkSizes(
  model: string,
  fields: Readonly<Record<string, string | undefined>>,
): TrainSettings["sizes"] {
  const { book, applies } = modelSizes(model);
  // A field that does not apply to the model (a GPT's hidden, an RNN's heads) is not read.
  const given: SizeFields = Object.fromEntries(
    SIZE_KEYS.flatMap((k) => fields[k] === undefined || !applies[k] ? [] : [[k, fields[k]]]),
  );
  const sizes = asSetting(() => readSizes(given, ""));
  const changed = Object.fromEntries(
    SIZE_KEYS.flatMap((k) => {
      const v = sizes[SIZE_FIELD[k]];
      return v === undefined || v === book[k] ? [] : [[SIZE_FIELD[k], v]];
    }),
  );
  try {
    sizedModel(entryOf(model), changed);
  } catch (error) {
    // The page names its fields without the CLI's dashes ("layers does not apply to lm1: …").
    if (error instanceof SizeError) throw new SettingsError(error.message.replace(/^--/, ""));
    throw error;
  }
  return changed;
}

/** The keys the hash may hold. */
const HASH_KEYS = [
  "train",
  "epochs",
  "steps",
  "lr",
  "seed",
  "backend",
  "threads",
  ...SIZE_KEYS,
  "start",
];

/**
 * Refuses settings a link (or `bench:page --sizes`) gives that the model does not have: the
 * panel hides those fields and does not read them, but a link that asks for them means
 * something else (`epochs` on a GPT, which trains for `steps` in the page; `hidden` on a GPT,
 * whose width is `embd`; `heads` on an LSTM).
 *
 * @param fields The link's settings by name.
 * @returns The same fields.
 * @throws SettingsError naming the first setting the model does not have.
 */
export function checkLinkFields(
  fields: Readonly<Record<string, string | undefined>>,
): Readonly<Record<string, string | undefined>> {
  const base = defaultSettings(fields.train ?? "lm6");
  if (base.steps !== undefined && fields.epochs !== undefined) {
    throw new SettingsError(
      `epochs does not apply to ${base.model} in the page: it trains for steps (steps=N)`,
    );
  }
  const { applies } = modelSizes(base.model);
  const stray = SIZE_KEYS.find((k) => fields[k] !== undefined && !applies[k]);
  if (stray) {
    throw new SettingsError(
      `${stray} does not apply to ${base.model}: its sizes are ${
        SIZE_KEYS.filter((k) => applies[k]).join(", ")
      }`,
    );
  }
  return fields;
}

/**
 * Reads the Train panel's settings from a URL hash.
 *
 * @param hash `location.hash` (`#train=lm6&epochs=2&seed=42&start`).
 * @returns The settings (none when the hash has no `train`), and whether `start` is set.
 * @throws SettingsError for an unknown key or a bad value, naming it.
 */
export function readTrainHash(hash: string): { settings: TrainSettings; start: boolean } {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  for (const key of params.keys()) {
    if (!HASH_KEYS.includes(key)) {
      throw new SettingsError(
        `the link's "${key}" is not a training setting: expected ${HASH_KEYS.join(", ")}`,
      );
    }
  }
  const fields: Record<string, string> = {};
  for (const key of HASH_KEYS.slice(0, -1)) {
    const v = params.get(key);
    if (v !== null) fields[key] = v;
  }
  return { settings: checkSettings(checkLinkFields(fields)), start: params.has("start") };
}

/**
 * The URL hash of settings (the corpus stays out: a link cannot carry one's text).
 *
 * @param s The settings.
 * @returns `#train=...&epochs=...&lr=...&seed=...&backend=...` (a GPT's `steps` for
 *   `epochs`; and `threads` above 1, and each size that differs from the book's).
 */
export function trainHash(s: TrainSettings): string {
  const p = new URLSearchParams({
    train: s.model,
    ...(s.steps !== undefined ? { steps: String(s.steps) } : { epochs: String(s.epochs) }),
    lr: String(s.lr),
    seed: String(s.seed),
    backend: s.backend,
  });
  if (s.threads > 1) p.set("threads", String(s.threads));
  for (const k of SIZE_KEYS) {
    const v = s.sizes[SIZE_FIELD[k]];
    if (v !== undefined) p.set(k, String(v));
  }
  return `#${p}`;
}

/** What a browser says about itself (`navigator`'s fields read here). */
export interface BrowserFacts {
  /** Chromium's client hints, where there are some. */
  readonly userAgentData?: { readonly brands?: readonly { brand: string; version: string }[] };
  /** The user agent string (the fallback). */
  readonly userAgent: string;
  /** Logical cores. */
  readonly hardwareConcurrency: number;
}

/**
 * The machine a page run names in its rows and report: the browser, its cores, and the
 * backend with its threads.
 *
 * @param browser `navigator`.
 * @param s The run's settings.
 * @returns `Chromium 120 (2 logical cores, wasm 1 thread)`.
 */
export function browserMachine(browser: BrowserFacts, s: TrainSettings): string {
  const brand = browser.userAgentData?.brands?.find((b) => !/Not.A.Brand/i.test(b.brand));
  const name = brand ? `${brand.brand} ${brand.version}` : browser.userAgent;
  const threads = s.backend === "wasm"
    ? `, wasm ${s.threads} thread${s.threads > 1 ? "s" : ""}`
    : ", WebGPU";
  return `${name} (${browser.hardwareConcurrency} logical cores${threads})`;
}
