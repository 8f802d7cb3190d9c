/**
 * The command line of `deno task lr-find`: train's flags (corpus, sizes, seed, device) minus
 * the ones about a run's schedule and folder, plus the sweep's own.
 *
 * @module
 */

import { LR_FIND_DEFAULTS } from "../../../src/train/lr_find.ts";
import { intFlag, numberFlag, UsageError } from "../cli/cli.ts";
import { FLAGS, type Flags, USAGE as TRAIN_USAGE } from "./train_flags.ts";

/** Train's usage from its corpus section on: the flags lr-find takes just as train does. */
const SHARED = TRAIN_USAGE.slice(TRAIN_USAGE.indexOf("Your own text:"));

/** The usage text. */
export const USAGE = `Usage: deno task lr-find <model> [options]
       deno task lr-find --list

fastai's lr_find: trains a fresh copy of the model (the seed's initial weights) for about 100
steps while the learning rate grows exponentially, stops once the smoothed loss diverges,
prints fastai's suggestions (valley, minimum, steep) with a small plot, writes the plot as
an SVG, and throws the weights away: no run directory is written.

Options:
  --svg PATH      where the plot goes (default lr_find_<model>.svg in this directory)
  --start-lr X    the first step's lr (default ${LR_FIND_DEFAULTS.startLr})
  --end-lr X      the lr the sweep heads for (default ${LR_FIND_DEFAULTS.endLr})
  --num-it N      steps (default ${LR_FIND_DEFAULTS.numIt}; the batches start again when they run out)
  --seed N        seed for initialization and dropout (default 42)
  --device D      cpu (default), cuda, webgpu, or auto
  --device-id N   which CUDA GPU (0)
  --host-state    copy parameters to the host every step (webgpu; for comparison)
  --threads N     onnxruntime intra-op threads (default 1)
  --json          the points and suggestions as one JSON object on stdout, no sketch
  --list          list the models
  -h, --help      this help

Train's --epochs, --lr, --out, --resume, --force, --from, --save-best, --monitor and
--patience do not apply: the sweep sets the lr at every step and keeps nothing.

${SHARED}`;

/** The flags, for `parseFlags`: train's, plus the sweep's. */
export const LR_FIND_FLAGS = {
  ...FLAGS,
  svg: { type: "string" },
  "start-lr": { type: "string" },
  "end-lr": { type: "string" },
  "num-it": { type: "string" },
} as const;

/** The parsed flags. */
export type LrFindFlags = Flags & {
  readonly svg?: string;
  readonly "start-lr"?: string;
  readonly "end-lr"?: string;
  readonly "num-it"?: string;
};

/** Train's flags that mean nothing to a sweep, and why. */
const REFUSED: Readonly<Record<string, string>> = {
  epochs: "the sweep runs --num-it steps",
  lr: "the sweep sets the lr at every step (--start-lr, --end-lr)",
  out: "lr-find writes no run directory (--svg names the plot)",
  resume: "lr-find starts from the seed's initial weights",
  force: "lr-find writes no run directory",
  from: "lr-find sweeps from the seed's initial weights, not another run's",
  "save-best": "lr-find keeps no checkpoint",
  monitor: "lr-find keeps no checkpoint",
  patience: "the sweep stops when its smoothed loss diverges",
};

/**
 * The sweep's settings, checked; train's flags that do not apply are refused.
 *
 * @param flags The parsed flags.
 * @returns The lr_find options.
 * @throws UsageError naming the flag.
 */
export function sweepFlags(
  flags: LrFindFlags,
): { readonly startLr: number; readonly endLr: number; readonly numIt: number } {
  for (const [flag, why] of Object.entries(REFUSED)) {
    if (flags[flag as keyof Flags] !== undefined) {
      throw new UsageError(`--${flag} does not apply to lr-find: ${why}`);
    }
  }
  const startLr = numberFlag("start-lr", flags["start-lr"], 0, 10, LR_FIND_DEFAULTS.startLr);
  const endLr = numberFlag("end-lr", flags["end-lr"], 0, 1000, LR_FIND_DEFAULTS.endLr);
  if (!(endLr > startLr)) {
    throw new UsageError(`--end-lr must be above --start-lr ${startLr}: got ${endLr}`);
  }
  const numIt = intFlag("num-it", flags["num-it"], 6, 100_000, LR_FIND_DEFAULTS.numIt);
  return { startLr, endLr, numIt };
}

/**
 * The plot's path, checked.
 *
 * @param flags The parsed flags.
 * @param model The model's name.
 * @returns `--svg`, or `lr_find_<model>.svg`.
 * @throws UsageError for an empty path or one not ending in `.svg`.
 */
export function svgFlag(flags: LrFindFlags, model: string): string {
  const path = flags.svg ?? `lr_find_${model}.svg`;
  if (!/\.svg$/i.test(path) || path.trim() === "") {
    throw new UsageError(`--svg must name an .svg file: got "${path}"`);
  }
  return path;
}
