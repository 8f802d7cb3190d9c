/**
 * The memory check `train` runs once its graphs are built: a run whose floor (see
 * `memory_estimate.ts`) exceeds the machine's memory is refused with the figures, and one that
 * exceeds what is free now is warned about. Nothing has been allocated or written by then.
 *
 * @module
 */

import type { Architecture, Recipe } from "../../../src/train/recipe.ts";
import { counted } from "../../../src/web/page_format.ts";
import type { MemoryEstimate } from "../../../src/train/memory_estimate.ts";

/** Raised for a run the machine cannot hold. */
export class MemoryEstimateError extends Error {
  override name = "MemoryEstimateError";
}

/** The machine's memory in bytes, as the OS reports it. */
export interface MachineMemory {
  readonly total: number;
  readonly available: number;
}

/**
 * A run's size in words, as the memory check names it (`lm6 at vocab 30, hidden 64, 2 layers,
 * bs 64, sl 16`).
 *
 * @param model The model's name.
 * @param arch Its architecture.
 * @param recipe Its recipe (batch size and row length).
 * @returns The phrase.
 */
export function runSize(
  model: string,
  arch: Pick<Architecture, "vocabSize" | "hidden" | "layers">,
  recipe: Pick<Recipe, "batchSize" | "seqLen">,
): string {
  return `${model} at vocab ${arch.vocabSize}, hidden ${arch.hidden}, ` +
    `${counted(arch.layers, "layer")}, bs ${recipe.batchSize}, sl ${recipe.seqLen}`;
}

/**
 * A check for `startRun`'s `checkMemory`.
 *
 * @param what The run's size in words (`lm6 at hidden 8192, 16 layers, bs 64, sl 16`).
 * @param warn Where a warning goes.
 * @param machine The machine's memory (default: `Deno.systemMemoryInfo()`).
 * @returns The check: throws MemoryEstimateError when the floor exceeds the total.
 */
export function memoryCheck(
  what: string,
  warn: (line: string) => void,
  machine: () => MachineMemory = () => Deno.systemMemoryInfo(),
): (estimate: MemoryEstimate) => void {
  return (e) => {
    const { total, available } = machine();
    const parts = `train graph ${gb(e.train)} at its peak, eval graph ${gb(e.eval)}, ` +
      `parameters and Adam's state on the host ${gb(e.host)}`;
    if (e.total > total) {
      throw new MemoryEstimateError(
        `${what} needs at least ${gb(e.total)} of memory to train (${parts}); this machine ` +
          `has ${gb(total)}: choose a smaller --hidden, --layers, --bs or --sl (the graph's ` +
          `activations grow with bs x sl x hidden x layers, the decoder's with bs x sl x vocab)`,
      );
    }
    if (e.total > available) {
      warn(
        `warning: ${what} needs at least ${gb(e.total)} of memory to train (${parts}), and ` +
          `${gb(available)} of this machine's ${gb(total)} is free: it may be killed for memory`,
      );
    }
  };
}

function gb(bytes: number): string {
  return bytes >= 1e9
    ? `${(bytes / 1e9).toFixed(bytes >= 1e10 ? 0 : 1)} GB`
    : `${Math.ceil(bytes / 1e6)} MB`;
}
