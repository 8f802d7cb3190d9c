/**
 * A registered model at another size: the `--hidden`, `--layers`, `--dropout`, `--bs` and
 * `--sl` of `deno task train`, checked against what the model's structure allows.
 *
 * @module
 */

import type { Architecture, ModelEntry, Recipe } from "./registry.ts";

/** Sizes to change; anything left out keeps the book's value. */
export interface SizeOverrides {
  readonly vocabSize?: number;
  readonly hidden?: number;
  readonly layers?: number;
  readonly dropout?: number;
  readonly batchSize?: number;
  readonly seqLen?: number;
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
  const arch: Architecture = {
    ...entry.arch,
    ...(overrides.vocabSize !== undefined ? { vocabSize: overrides.vocabSize } : {}),
    ...(overrides.hidden !== undefined ? { hidden: overrides.hidden } : {}),
    ...(overrides.layers !== undefined ? { layers: overrides.layers } : {}),
    ...(overrides.dropout !== undefined ? { dropout: overrides.dropout } : {}),
  };
  const recipe: Recipe = {
    ...entry.recipe,
    ...(overrides.batchSize !== undefined ? { batchSize: overrides.batchSize } : {}),
    ...(overrides.seqLen !== undefined ? { seqLen: overrides.seqLen } : {}),
  };
  if (recipe.tar && recipe.seqLen < 2) {
    throw new SizeError(
      `--sl must be at least 2 for ${entry.name} (TAR compares consecutive time steps): got ${recipe.seqLen}`,
    );
  }
  return { arch, recipe };
}
