/**
 * The command line of `deno task train`: its usage text, flags, and the checks that turn the
 * corpus and size flags into settings (or one-line usage errors).
 *
 * @module
 */

import { ALIASES, MODELS } from "../../../models/registry.ts";
import { readSizes, type SizeOverrides } from "../../../models/sizing.ts";
import { NumberTextError } from "../../../src/contract/numbers.ts";
import type { RunMeta } from "../../../src/train/run_meta.ts";
import { TOKEN_MODES, type TokenMode } from "../../../src/data/tokenizer.ts";
import { specialsFor } from "../../../src/data/text_vocab.ts";
import { TEXT_RULES, type TextRules } from "../../../src/data/text_rules.ts";
import { EXT_PATTERN } from "../../../src/train/run_meta.ts";
import { textDefaults } from "../../../src/run/corpus.ts";
import { intFlag, numberFlag, UsageError } from "../cli/cli.ts";
import type { CorpusFlags } from "./run_corpus.ts";

/** The usage text. */
export const USAGE = `Usage: deno task train <model> [options]
       deno task train [<model>] --from RUN [options]
       deno task train --resume --out RUN [--epochs N] [--lr X]
       deno task train --list

Trains a model of fastbook chapter 12 (onnxruntime-node) on Human Numbers, or on your own
text with --text.

Options:
  --epochs N      epochs of the one-cycle schedule (default: the model's recipe; for gpt,
                  fit_one_cycle over N passes of random windows instead of --steps)
  --steps N       gpt: optimizer steps of nanoGPT's schedule (default 2000): linear warmup
                  (100 steps), cosine decay to lr/10, a validation every 250 steps
  --lr X          peak learning rate (default: the model's recipe)
  --seed N        seed for initialization and dropout (default 42)
  --out DIR       output directory (default runs/<model>)
  --device D      cpu (default), cuda, webgpu, or auto (the first of cuda, webgpu, cpu
                  that starts; it says which and why it skipped the others)
  --device-id N   which CUDA GPU (0)
  --host-state    copy parameters and optimizer state to the host every step, instead of
                  keeping them in GPU memory between steps (webgpu; for comparison)
  --threads N     onnxruntime intra-op threads, or auto (default): one for steps under 1 GFLOP
                  (the book's sizes, fastest on one), every core above (hidden 256 and up)
  --json          one JSON object per epoch on stdout, then a summary object
  --resume        continue the run in --out from its last checkpoint, exactly (--lr may be
                  lowered); --epochs N above the run's extends a finished run with a new
                  one-cycle schedule over the added epochs. The model name may be left out
  --force         replace a run already in --out (it stays until the new one saves an epoch)
  --from RUN      start a new run from RUN's weights with a new recipe (--epochs, --lr, --bs,
                  --sl, and optionally --text: ULMFiT's fine-tuning, tokens both vocabularies
                  share keep their rows, new ones start from the mean row); --out defaults to
                  RUN-ft
  --save-best     keep the best epoch's checkpoint as best.safetensors beside the last one
                  (export RUN --best, generate RUN --best use it)
  --monitor M     what "best" means: valid_loss (default), accuracy or perplexity
  --patience N    stop after N epochs without improvement of --monitor
  --list          list the models
  -h, --help      this help

Your own text:
  --text PATH     a UTF-8 text file, or a folder of .txt files (recursive, sorted order)
  --ext E         the file endings a --text/--valid folder is read for, comma-separated
                  (default .txt; e.g. .md,.txt); a file named itself is read whatever its ending
  --valid PATH    validation text (default: the last --valid-pct of --text)
  --valid-pct P   share of the tokens (of the files, for a folder) kept for validation (0.1)
  --tokens T      word (default) or char; words keep each line break as a "\n" token
                  (joined back into lines by generate, the API and the page)
  --lower         lower-case the text first
  --rules fastai  fastai's text rules (word tokens): xxmaj before a capitalized word, xxup
                  before one in capitals, xxrep n c for a character repeated 3+ times,
                  xxwrep n w for a word repeated 3+ times; then lower-cases, as fastai
                  does (implies --lower); generated text has the rules undone
  --min-freq N    rarer tokens become xxunk (default 3 for words, 1 for chars)
  --max-vocab N   largest vocabulary, specials included (default 60000)

Model size (the book's by default: hidden 64, 2 layers, bs 64, sl 16):
  --hidden N      hidden size (every model)
  --layers N      recurrent layers (lm5, lm6, lm7, gru)
  --dropout P     dropout probability (lm7)
  --bs N          batch size (every model)
  --sl N          tokens per sequence (lm4..lm7, gru; lm1..lm3 read 3)
  --softmax S     full (default) or adaptive (lm5, lm6, lm7, gru): Grave et al.'s adaptive
                  softmax for a large vocabulary, exact log-probabilities for fewer FLOPs
                  (lm7's decoder is then not tied to its embedding)
  --cutoffs L     where the adaptive softmax's clusters start, token ids by frequency
                  (default 2000,10000,50000, those that fit; a fifth of a small vocabulary)

GPT size (nanoGPT's CPU baby GPT by default: embd 128, 4 layers, 4 heads, block 64, bs 12):
  --embd N        features (gpt's width, in place of --hidden)
  --layers N      transformer blocks
  --heads N       attention heads per block (dividing --embd)
  --block N       context: tokens per training window and the longest prompt it reads
  --dropout P     dropout on the embeddings, attention weights and residuals (default 0)
  --bias          biases in the Linears and LayerNorms (nanoGPT's bias=True)`;

/** The models with their aliases and descriptions, for `--list`. */
export function listModels(): string {
  const aliases = Object.entries(ALIASES);
  return MODELS.map((m) => {
    const alias = aliases.filter(([, target]) => target === m.name).map(([a]) => a);
    const name = alias.length ? `${m.name} (${alias.join(", ")})` : m.name;
    return `${name.padEnd(18)} ${m.description}`;
  }).join("\n");
}

/** The flags, for `parseFlags`. */
export const FLAGS = {
  epochs: { type: "string" },
  lr: { type: "string" },
  seed: { type: "string" },
  out: { type: "string" },
  device: { type: "string" },
  "device-id": { type: "string" },
  "host-state": { type: "boolean" },
  threads: { type: "string" },
  json: { type: "boolean" },
  resume: { type: "boolean" },
  force: { type: "boolean" },
  from: { type: "string" },
  "save-best": { type: "boolean" },
  monitor: { type: "string" },
  patience: { type: "string" },
  list: { type: "boolean" },
  text: { type: "string" },
  valid: { type: "string" },
  "valid-pct": { type: "string" },
  tokens: { type: "string" },
  lower: { type: "boolean" },
  "min-freq": { type: "string" },
  "max-vocab": { type: "string" },
  rules: { type: "string" },
  ext: { type: "string" },
  hidden: { type: "string" },
  layers: { type: "string" },
  dropout: { type: "string" },
  bs: { type: "string" },
  sl: { type: "string" },
  softmax: { type: "string" },
  cutoffs: { type: "string" },
  embd: { type: "string" },
  heads: { type: "string" },
  block: { type: "string" },
  bias: { type: "boolean" },
  steps: { type: "string" },
} as const;

/** The parsed flags. */
export type Flags = {
  readonly [K in keyof typeof FLAGS]?: typeof FLAGS[K]["type"] extends "boolean" ? boolean
    : string;
};

/**
 * The corpus flags, checked.
 *
 * @param flags The parsed flags.
 * @returns The settings, or undefined without `--text`.
 * @throws UsageError for a flag out of range or without `--text`.
 */
export function corpusFlags(flags: Flags): CorpusFlags | undefined {
  const textOnly = [
    "valid",
    "valid-pct",
    "tokens",
    "lower",
    "min-freq",
    "max-vocab",
    "rules",
    "ext",
  ] as const;
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
  const rules = rulesFlag(flags.rules, tokens);
  const ext = flags.ext === undefined ? undefined : extFlag(flags.ext);
  const defaults = textDefaults(tokens);
  const maxVocab = intFlag("max-vocab", flags["max-vocab"], 1, 1_000_000, defaults.maxVocab);
  const specials = specialsFor(rules);
  if (maxVocab <= specials.length) {
    throw new UsageError(
      `--max-vocab must be at least ${specials.length + 1}, room for the specials ${
        specials.join(" and ")
      } and one token: got ${maxVocab}`,
    );
  }
  return {
    text: flags.text,
    ...(flags.valid !== undefined ? { valid: flags.valid } : {}),
    validPct: numberFlag("valid-pct", flags["valid-pct"], 0, 0.9, defaults.validPct),
    tokens,
    // fastai's rules end by lower-casing the text (its `lowercase` rule).
    lower: (flags.lower ?? false) || rules !== undefined,
    ...(defaults.lines ? { lines: true } : {}),
    ...(rules ? { rules } : {}),
    ...(ext && ext.join(",") !== ".txt" ? { ext } : {}),
    minFreq: intFlag("min-freq", flags["min-freq"], 1, 2 ** 31 - 1, defaults.minFreq),
    maxVocab,
  };
}

/** `--rules`, checked: a known name, and word tokens (its markers mark words). */
function rulesFlag(value: string | undefined, tokens: TokenMode): TextRules | undefined {
  if (value === undefined) return undefined;
  if (!TEXT_RULES.includes(value as TextRules)) {
    throw new UsageError(`--rules must be ${TEXT_RULES.join(" or ")}: got "${value}"`);
  }
  if (tokens !== "word") {
    throw new UsageError(
      `--rules ${value} needs --tokens word (its markers mark words): got --tokens ${tokens}`,
    );
  }
  return value as TextRules;
}

/** `--ext`, checked: comma-separated file endings, each a "." and more, none twice. */
function extFlag(value: string): string[] {
  const ext = value.split(",").map((e) => e.trim());
  const bad = ext.find((e) => !EXT_PATTERN.test(e));
  if (bad !== undefined) {
    throw new UsageError(
      `--ext must be file endings separated by commas, each starting with "." (e.g. .md,.txt): ` +
        `got "${value}" (${bad === "" ? "an empty ending" : `"${bad}"`})`,
    );
  }
  return [...new Set(ext)];
}

/**
 * The size flags, checked.
 *
 * @param flags The parsed flags.
 * @returns The sizes given.
 * @throws UsageError for a size out of range.
 */
export function sizeFlags(flags: Flags): SizeOverrides {
  const { hidden, layers, dropout, bs, sl, softmax, cutoffs, embd, heads, block } = flags;
  const bias = flags.bias ? "true" : undefined;
  try {
    return readSizes(
      { hidden, layers, dropout, bs, sl, softmax, cutoffs, embd, heads, block, bias },
      "--",
    );
  } catch (error) {
    if (error instanceof NumberTextError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * Refuses a flag given with `--resume` that would change the run.
 *
 * @param given Flag values given (undefined when absent).
 * @param saved The run's values.
 * @throws UsageError naming the first flag that differs.
 */
export function sameAsRun(
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

/**
 * Each size: its flag, and where a saved run keeps it. The one table both a new run's flags and
 * `--resume`'s check read.
 */
export const SIZE_FIELDS: readonly {
  readonly size: keyof Omit<SizeOverrides, "vocabSize">;
  readonly flag: string;
  readonly saved: (m: RunMeta) => number | string | boolean;
}[] = [
  { size: "hidden", flag: "hidden", saved: (m) => m.arch.hidden },
  { size: "layers", flag: "layers", saved: (m) => m.arch.layers },
  { size: "dropout", flag: "dropout", saved: (m) => m.arch.dropout },
  { size: "batchSize", flag: "bs", saved: (m) => m.recipe.batchSize },
  { size: "seqLen", flag: "sl", saved: (m) => m.recipe.seqLen },
  { size: "softmax", flag: "softmax", saved: (m) => m.arch.softmax?.kind ?? "full" },
  { size: "cutoffs", flag: "cutoffs", saved: (m) => m.arch.softmax?.cutoffs.join(",") ?? "none" },
  { size: "embd", flag: "embd", saved: (m) => m.arch.gpt ? m.arch.hidden : "none" },
  { size: "heads", flag: "heads", saved: (m) => m.arch.gpt?.heads ?? "none" },
  { size: "block", flag: "block", saved: (m) => m.arch.gpt?.block ?? "none" },
  { size: "bias", flag: "bias", saved: (m) => String(m.arch.gpt?.bias ?? "none") },
];

/**
 * Refuses a size flag given with `--resume` that differs from the run's.
 *
 * @param sizes The sizes given (`sizeFlags`).
 * @param meta The run resumed.
 * @throws UsageError naming the first flag that differs.
 */
export function sameSizesAsRun(sizes: SizeOverrides, meta: RunMeta): void {
  sameAsRun(
    Object.fromEntries(SIZE_FIELDS.map((f) => [f.flag, sizes[f.size]])),
    Object.fromEntries(SIZE_FIELDS.map((f) => [f.flag, f.saved(meta)])),
  );
}
