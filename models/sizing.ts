/**
 * A registered model at another size: the `--hidden`, `--layers`, `--dropout`, `--bs` and
 * `--sl` of `deno task train` (a GPT's `--embd`, `--heads`, `--block` and `--bias`), checked
 * against what the model's structure allows.
 *
 * @module
 */

import { NumberTextError, readInteger } from "../src/contract/numbers.ts";
import {
  adaptiveSoftmaxProblem,
  DEFAULT_DIV_VALUE,
  defaultCutoffs,
} from "../src/nn/adaptive_softmax.ts";
import type { Architecture, ModelEntry, Recipe } from "./registry.ts";

/** Sizes to change; anything left out keeps the book's value. */
export interface SizeOverrides {
  readonly vocabSize?: number;
  readonly hidden?: number;
  readonly layers?: number;
  readonly dropout?: number;
  readonly batchSize?: number;
  readonly seqLen?: number;
  /** The output layer: the full softmax (the book's) or an adaptive one. */
  readonly softmax?: "full" | "adaptive";
  /** Where an adaptive softmax's clusters start (default: `defaultCutoffs`). */
  readonly cutoffs?: readonly number[];
  /** A GPT's features (its `hidden`). */
  readonly embd?: number;
  /** A GPT's attention heads per block. */
  readonly heads?: number;
  /** A GPT's context: its position embedding's rows and its training windows. */
  readonly block?: number;
  /** A GPT's biases in its Linears and LayerNorms. */
  readonly bias?: boolean;
}

/** The output layers `--softmax` names. */
export const SOFTMAX_KINDS = ["full", "adaptive"] as const;

/**
 * The largest value of each integer size, by its flag: the one limit `deno task train` and the
 * page's Train panel both check (a run past them would not fit any machine's memory anyway).
 */
export const SIZE_LIMITS = {
  hidden: 8192,
  layers: 16,
  bs: 4096,
  sl: 4096,
  embd: 8192,
  heads: 256,
  block: 4096,
} as const;

/** The size settings by flag name, as text (a flag's value, a field's, a link's). */
export type SizeFields = Partial<
  Record<
    | "hidden"
    | "layers"
    | "dropout"
    | "bs"
    | "sl"
    | "softmax"
    | "cutoffs"
    | "embd"
    | "heads"
    | "block"
    | "bias",
    string
  >
>;

/**
 * Reads size settings given as text, each checked against its range: integers from 1 to
 * `SIZE_LIMITS`, dropout in [0, 1), `softmax` one of `SOFTMAX_KINDS`, `cutoffs` integers
 * separated by commas, `bias` true or false. Absent fields stay absent (the book's value).
 *
 * @param fields The given values by flag name.
 * @param prefix Starts each name in messages: `"--"` for the CLI's flags, `""` for the page.
 * @returns The sizes given.
 * @throws NumberTextError naming the setting, its range and the value given.
 * @example
 * ```ts
 * import { readSizes } from "./sizing.ts";
 * console.log(readSizes({ hidden: "128", bs: "32" }, "--")); // { hidden: 128, batchSize: 32 }
 * ```
 */
export function readSizes(fields: SizeFields, prefix: string): Omit<SizeOverrides, "vocabSize"> {
  const int = (flag: keyof typeof SIZE_LIMITS) => {
    const text = fields[flag];
    return text === undefined
      ? undefined
      : readInteger(`${prefix}${flag}`, text, 1, SIZE_LIMITS[flag]);
  };
  const text = fields.dropout;
  const dropout = text === undefined ? undefined : Number(text);
  if (dropout !== undefined && (text!.trim() === "" || !(dropout >= 0 && dropout < 1))) {
    throw new NumberTextError(`${prefix}dropout must be a number in [0, 1): got "${text}"`);
  }
  const kind = fields.softmax;
  if (kind !== undefined && !(SOFTMAX_KINDS as readonly string[]).includes(kind)) {
    throw new NumberTextError(
      `${prefix}softmax must be one of ${SOFTMAX_KINDS.join(", ")}: got "${kind}"`,
    );
  }
  const sizes = {
    softmax: kind as SizeOverrides["softmax"],
    cutoffs: fields.cutoffs === undefined ? undefined : readCutoffs(fields.cutoffs, prefix),
    hidden: int("hidden"),
    layers: int("layers"),
    dropout,
    batchSize: int("bs"),
    seqLen: int("sl"),
    embd: int("embd"),
    heads: int("heads"),
    block: int("block"),
    bias: readBias(fields.bias, prefix),
  };
  return Object.fromEntries(Object.entries(sizes).filter(([, v]) => v !== undefined));
}

/** `true` or `false` (a checkbox's value, a link's). */
function readBias(text: string | undefined, prefix: string): boolean | undefined {
  if (text === undefined) return undefined;
  if (text !== "true" && text !== "false") {
    throw new NumberTextError(`${prefix}bias must be true or false: got "${text}"`);
  }
  return text === "true";
}

/** Comma-separated token ids, each an integer >= 1 (their order is `sizedModel`'s check). */
function readCutoffs(text: string, prefix: string): number[] {
  const parts = text.split(",").map((p) => p.trim());
  if (parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1)) {
    throw new NumberTextError(
      `${prefix}cutoffs must be token ids (integers >= 1) separated by commas, e.g. 2000,10000: ` +
        `got "${text}"`,
    );
  }
  return parts.map(Number);
}

/** Raised for a size the model cannot take; the message names the flag. */
export class SizeError extends Error {
  override name = "SizeError";
}

/**
 * The architecture and recipe of `entry` with `overrides` applied.
 *
 * @param entry The registered model.
 * @param overrides The sizes to change.
 * @returns The architecture and recipe to build and train with.
 * @throws SizeError when the model's structure fixes a size that was given.
 */
export function sizedModel(
  entry: ModelEntry,
  overrides: SizeOverrides,
): { arch: Architecture; recipe: Recipe } {
  const fixed = (flag: string, why: string) => {
    throw new SizeError(`--${flag} does not apply to ${entry.name}: ${why}`);
  };
  if (overrides.layers !== undefined && overrides.layers !== entry.arch.layers) {
    if (!entry.resizable.layers) {
      fixed("layers", "it is the book's single-layer RNN (lm5, lm6, lm7 and gru stack layers)");
    }
  }
  if (overrides.dropout !== undefined && overrides.dropout !== entry.arch.dropout) {
    if (!entry.resizable.dropout) fixed("dropout", "it has no dropout (lm7 has)");
  }
  if (overrides.seqLen !== undefined && overrides.seqLen !== entry.recipe.seqLen) {
    if (!entry.resizable.seqLen) {
      fixed("sl", `it reads 3 tokens per sample (lm4..lm7 and gru read --sl tokens)`);
    }
  }
  const gpt = sizedGpt(entry, overrides);
  const softmax = sizedSoftmax(entry, overrides);
  const arch: Architecture = {
    ...entry.arch,
    ...(overrides.vocabSize !== undefined ? { vocabSize: overrides.vocabSize } : {}),
    ...(overrides.hidden !== undefined ? { hidden: overrides.hidden } : {}),
    ...(overrides.layers !== undefined ? { layers: overrides.layers } : {}),
    ...(overrides.dropout !== undefined ? { dropout: overrides.dropout } : {}),
    // An adaptive softmax has no matrix of the embedding's shape to tie.
    ...(softmax ? { softmax, tied: false } : {}),
    ...(gpt ? { hidden: gpt.embd, gpt: gpt.shape } : {}),
  };
  const recipe: Recipe = {
    ...entry.recipe,
    ...(overrides.batchSize !== undefined ? { batchSize: overrides.batchSize } : {}),
    ...(overrides.seqLen !== undefined ? { seqLen: overrides.seqLen } : {}),
    // A GPT trains on windows of its whole block.
    ...(gpt ? { seqLen: gpt.shape.block } : {}),
  };
  if (recipe.tar && recipe.seqLen < 2) {
    throw new SizeError(
      `--sl must be at least 2 for ${entry.name} (TAR compares consecutive time steps): got ${recipe.seqLen}`,
    );
  }
  return { arch, recipe };
}

/** The adaptive softmax `overrides` ask for, checked against the model and its sizes. */
function sizedSoftmax(
  entry: ModelEntry,
  overrides: SizeOverrides,
): Architecture["softmax"] | undefined {
  const { softmax, cutoffs } = overrides;
  if (softmax !== "adaptive") {
    if (cutoffs !== undefined) {
      throw new SizeError(`--cutoffs needs --softmax adaptive (the full softmax has no clusters)`);
    }
    return undefined;
  }
  if (!entry.resizable.softmax) {
    throw new SizeError(
      `--softmax adaptive does not apply to ${entry.name}: lm5, lm6, lm7 and gru take an ` +
        `adaptive softmax`,
    );
  }
  const vocab = overrides.vocabSize ?? entry.arch.vocabSize;
  const hidden = overrides.hidden ?? entry.arch.hidden;
  const divValue = DEFAULT_DIV_VALUE;
  const chosen = cutoffs ?? defaultCutoffs(vocab, hidden, divValue);
  const problem = adaptiveSoftmaxProblem(hidden, vocab, chosen, divValue);
  if (problem) {
    throw new SizeError(
      `--softmax adaptive${cutoffs ? ` --cutoffs ${cutoffs.join(",")}` : ""} at hidden ` +
        `${hidden}: ${problem}`,
    );
  }
  return { kind: "adaptive", cutoffs: chosen, divValue };
}

/** Flags that size a GPT only, by their `SizeOverrides` field. */
const GPT_FLAGS = ["embd", "heads", "block", "bias"] as const;

/** A GPT's sizes with `overrides` applied; undefined for the recurrent models. */
function sizedGpt(
  entry: ModelEntry,
  overrides: SizeOverrides,
): { embd: number; shape: NonNullable<Architecture["gpt"]> } | undefined {
  if (!entry.resizable.gpt) {
    const given = GPT_FLAGS.find((f) => overrides[f] !== undefined);
    if (given) {
      throw new SizeError(`--${given} does not apply to ${entry.name}: it sizes gpt`);
    }
    return undefined;
  }
  for (const [size, flag] of [["hidden", "embd"], ["seqLen", "block"]] as const) {
    if (overrides[size] !== undefined) {
      throw new SizeError(
        `--${size === "hidden" ? "hidden" : "sl"} does not apply to gpt: its width is --${flag}` +
          (flag === "block" ? " (its context, and the length of its training windows)" : ""),
      );
    }
  }
  const book = entry.arch.gpt!;
  const embd = overrides.embd ?? entry.arch.hidden;
  const heads = overrides.heads ?? book.heads;
  if (embd % heads !== 0) {
    throw new SizeError(
      `--heads ${heads} must divide --embd ${embd} (each head takes embd / heads features)`,
    );
  }
  return {
    embd,
    shape: { heads, block: overrides.block ?? book.block, bias: overrides.bias ?? book.bias },
  };
}
