/**
 * nanoGPT's learning-rate schedule (its `get_lr`): a linear warmup, a cosine decay to a minimum,
 * then the minimum; the momentum (Adam's beta1) fixed. A `Schedule` like `oneCycle`'s, so the
 * learner feeds either to the same update graph.
 *
 * @module
 */

import type { Schedule } from "./one_cycle.ts";

/** What `warmupCosine` needs: nanoGPT's schedule settings. */
export interface WarmupCosineOptions {
  /** The peak learning rate (nanoGPT's `learning_rate`), > 0. */
  readonly lrMax: number;
  /** The floor (`min_lr`; nanoGPT's configs take lrMax / 10), in [0, lrMax]. */
  readonly lrMin: number;
  /** Steps of linear warmup (`warmup_iters`), an integer >= 0. */
  readonly warmup: number;
  /** The step the decay ends at (`lr_decay_iters`), an integer > warmup. */
  readonly decaySteps: number;
  /** Adam's beta1 for every step (nanoGPT: 0.9), in [0, 1). */
  readonly mom: number;
}

/**
 * The schedule: step `it` (0-based) has lr `lrMax (it + 1) / (warmup + 1)` while `it < warmup`,
 * then `lrMin + (1 + cos(pi r)) (lrMax - lrMin) / 2` with `r = (it - warmup) / (decaySteps -
 * warmup)` up to `decaySteps`, then `lrMin`.
 *
 * @param options Peak and floor, warmup and decay steps, momentum.
 * @returns The schedule.
 * @throws RangeError naming the setting that is out of range.
 */
export function warmupCosine(options: WarmupCosineOptions): Schedule {
  const { lrMax, lrMin, warmup, decaySteps, mom } = options;
  const bad = (what: string, value: number) => {
    throw new RangeError(`warmupCosine: ${what}: got ${value}`);
  };
  if (!(Number.isFinite(lrMax) && lrMax > 0)) bad("lrMax must be a positive number", lrMax);
  if (!(lrMin >= 0 && lrMin <= lrMax)) bad(`lrMin must be in [0, ${lrMax}]`, lrMin);
  if (!(Number.isInteger(warmup) && warmup >= 0)) bad("warmup must be an integer >= 0", warmup);
  if (!(Number.isInteger(decaySteps) && decaySteps > warmup)) {
    bad(`decaySteps must be an integer above warmup (${warmup})`, decaySteps);
  }
  if (!(mom >= 0 && mom < 1)) bad("mom must be in [0, 1)", mom);
  return (it) => {
    if (it < warmup) return { lr: (lrMax * (it + 1)) / (warmup + 1), mom };
    if (it > decaySteps) return { lr: lrMin, mom };
    const ratio = (it - warmup) / (decaySteps - warmup);
    return { lr: lrMin + 0.5 * (1 + Math.cos(Math.PI * ratio)) * (lrMax - lrMin), mom };
  };
}
