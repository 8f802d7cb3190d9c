/**
 * fastai's `fit_one_cycle` schedule: learning rate and momentum per training batch, computed
 * in TypeScript and fed to the update graph as scalars.
 *
 * @module
 */

import { checkRange } from "./update.ts";

/** The scheduled hyper-parameters of one step. */
export interface StepHypers {
  /** Learning rate. */
  readonly lr: number;
  /** Momentum (Adam's beta1). */
  readonly mom: number;
}

/** The hyper-parameters of step `iter` (0-based, counted over the whole fit). */
export type Schedule = (iter: number) => StepHypers;

/** What `oneCycle` needs: fastai's `fit_one_cycle` arguments. */
export interface OneCycleOptions {
  /** Peak learning rate, > 0. */
  lrMax: number;
  /** Training batches over all epochs (`n_epoch * n_iter`), a positive integer. */
  totalSteps: number;
  /** Fraction of the steps spent warming up, in (0, 1); 0.25. */
  pctStart?: number;
  /** The lr starts at `lrMax / divFactor`, > 0; 25. */
  divFactor?: number;
  /** The lr ends at `lrMax / finalDiv`, > 0; 1e5. */
  finalDiv?: number;
  /** Momentum at the start, the peak and the end, each in [0, 1); [0.95, 0.85, 0.95]. */
  moms?: readonly [number, number, number];
}

/**
 * Cosine annealing from `start` to `end` (fastai's `SchedCos`):
 * `start + (1 + cos(pi*(1-pos))) * (end-start)/2`.
 *
 * @param start Value at `pos = 0`.
 * @param end Value at `pos = 1`.
 * @param pos Position in [0, 1].
 * @returns The annealed value.
 */
export function cosAnneal(start: number, end: number, pos: number): number {
  return start + (1 + Math.cos(Math.PI * (1 - pos))) * (end - start) / 2;
}

/**
 * fastai's one-cycle schedule: with `pos = iter / totalSteps`, the lr anneals (cosine) from
 * `lrMax/divFactor` up to `lrMax` while `pos < pctStart`, then down to `lrMax/finalDiv`;
 * the momentum goes `moms[0]` → `moms[1]` → `moms[2]` over the same phases.
 *
 * @example
 * ```ts
 * import { oneCycle } from "./one_cycle.ts";
 * const sched = oneCycle({ lrMax: 1e-3, totalSteps: 100 });
 * console.log(sched(0)); // { lr: 0.00004, mom: 0.95 }
 * console.log(sched(25)); // { lr: 0.001, mom: 0.85 }
 * ```
 *
 * @param options The schedule's arguments.
 * @returns The schedule: `iter` in [0, totalSteps] to `{ lr, mom }`.
 * @throws RangeError naming the argument, the allowed range and the value.
 */
export function oneCycle(options: OneCycleOptions): Schedule {
  const where = "Cannot make a one-cycle schedule";
  const { lrMax, totalSteps, pctStart = 0.25, divFactor = 25, finalDiv = 1e5 } = options;
  const moms = options.moms ?? [0.95, 0.85, 0.95];
  const positive = { min: 0, minOpen: true, maxOpen: true };
  checkRange(where, "lrMax", lrMax, positive);
  if (!Number.isInteger(totalSteps) || totalSteps < 1) {
    throw new RangeError(`${where}: "totalSteps" must be an integer >= 1: got ${totalSteps}`);
  }
  checkRange(where, "pctStart", pctStart, { min: 0, max: 1, minOpen: true, maxOpen: true });
  checkRange(where, "divFactor", divFactor, positive);
  checkRange(where, "finalDiv", finalDiv, positive);
  if (!Array.isArray(moms) || moms.length !== 3) {
    throw new RangeError(`${where}: "moms" must be 3 numbers: got ${JSON.stringify(moms)}`);
  }
  moms.forEach((m, i) => checkRange(where, `moms[${i}]`, m, { min: 0, max: 1, maxOpen: true }));
  const [mom0, mom1, mom2] = moms;
  const lrStart = lrMax / divFactor;
  const lrEnd = lrMax / finalDiv;

  return (iter: number): StepHypers => {
    checkRange("Cannot evaluate the one-cycle schedule", "iter", iter, {
      min: 0,
      max: totalSteps,
    });
    const pos = iter / totalSteps;
    // fastai's combine_scheds: the peak itself (pos == pctStart) belongs to the second phase.
    if (pos < pctStart) {
      const p = pos / pctStart;
      return { lr: cosAnneal(lrStart, lrMax, p), mom: cosAnneal(mom0, mom1, p) };
    }
    const p = (pos - pctStart) / (1 - pctStart);
    return { lr: cosAnneal(lrMax, lrEnd, p), mom: cosAnneal(mom1, mom2, p) };
  };
}
