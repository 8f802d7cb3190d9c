/**
 * fastai's learning-rate suggestions from an lr_find sweep (`valley`, `minimum`, `steep`), as
 * pure functions of the recorded learning rates and smoothed losses. Browser-compatible.
 *
 * As fastai's `lr_find` does, `suggestLrs` first drops the first tenth of the sweep (the loss
 * has barely moved there) and its last 5 points (where the loss shoots up), then cuts the rest
 * at its first NaN.
 *
 * @module
 */

/** One suggestion: the learning rate to use, and the point of the curve that marks it. */
export interface Suggestion {
  /** The suggested learning rate. */
  readonly lr: number;
  /** Where the plot marks it (for `minimum`, the minimum itself, ten times `lr`). */
  readonly at: { readonly lr: number; readonly loss: number };
}

/** fastai's three suggestions (`SuggestedLRs(valley=…, minimum=…, steep=…)`). */
export interface Suggestions {
  /** The middle of the longest valley: fastai's default, the one to train with. */
  readonly valley: Suggestion;
  /** A tenth of the lr at the lowest loss. */
  readonly minimum: Suggestion;
  /** The lr where the loss falls fastest against log(lr). */
  readonly steep: Suggestion;
}

/** Index of the first smallest value. */
function argmin(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] < values[best]) best = i;
  return best;
}

/**
 * fastai's `valley`: the longest strictly decreasing subsequence of the losses, and a point a
 * half of the way into its span (a third plus a sixth, each rounded down).
 *
 * Like fastai's, the span's start is fixed when a subsequence first outgrows the longest so
 * far (`end - length` then, one before its first element when it is contiguous), and later
 * growth of that same subsequence leaves the start alone: the suggestions stay fastai's.
 *
 * @param lrs Learning rates, increasing.
 * @param losses Smoothed losses, one per lr (at least one).
 * @returns The suggestion.
 */
export function valley(lrs: readonly number[], losses: readonly number[]): Suggestion {
  const n = losses.length;
  // longest[i]: length of the longest strictly decreasing subsequence ending at i.
  const longest = new Array<number>(n).fill(1);
  let start = 0;
  let end = 0;
  for (let i = 1; i < n; i++) {
    for (let j = 0; j < i; j++) {
      if (losses[i] < losses[j] && longest[i] < longest[j] + 1) longest[i] = longest[j] + 1;
      if (longest[end] < longest[i]) {
        end = i;
        start = end - longest[end];
      }
    }
  }
  const sections = (end - start) / 3;
  // A valley of fewer than 3 steps from the first point gives -1, which Python reads as the
  // last point: the first is the valley's own start, so it is taken instead.
  const idx = Math.max(0, start + Math.trunc(sections) + Math.trunc(sections / 2));
  return { lr: lrs[idx], at: { lr: lrs[idx], loss: losses[idx] } };
}

/**
 * fastai's `minimum`: a tenth of the lr at the lowest loss (the first, on a tie).
 *
 * @param lrs Learning rates, increasing.
 * @param losses Smoothed losses, one per lr (at least one).
 * @returns The suggestion, marked at the minimum itself.
 */
export function minimum(lrs: readonly number[], losses: readonly number[]): Suggestion {
  const i = argmin(losses);
  return { lr: lrs[i] / 10, at: { lr: lrs[i], loss: losses[i] } };
}

/**
 * fastai's `steep`: the lr at the left end of the segment where the loss falls fastest
 * against log(lr).
 *
 * @param lrs Learning rates, increasing.
 * @param losses Smoothed losses, one per lr (at least two).
 * @returns The suggestion.
 */
export function steep(lrs: readonly number[], losses: readonly number[]): Suggestion {
  const slopes: number[] = [];
  for (let i = 0; i + 1 < losses.length; i++) {
    slopes.push((losses[i + 1] - losses[i]) / (Math.log(lrs[i + 1]) - Math.log(lrs[i])));
  }
  const i = argmin(slopes);
  return { lr: lrs[i], at: { lr: lrs[i], loss: losses[i] } };
}

/** The fewest points `suggestLrs` needs after trimming (`steep` needs one segment). */
export const MIN_SUGGEST_POINTS = 2;

/**
 * fastai's suggestions for a sweep, from the points `lr_find` keeps: the first
 * `floor(numIt / 10)` and the last 5 dropped, then everything from the first NaN on.
 *
 * @param lrs Every step's learning rate, in order.
 * @param losses Every step's smoothed loss.
 * @param numIt The steps the sweep was asked for (the trim at the start is a tenth of it).
 * @returns The suggestions, or undefined when fewer than `MIN_SUGGEST_POINTS` points remain
 *   (a sweep that diverged almost at once).
 */
export function suggestLrs(
  lrs: readonly number[],
  losses: readonly number[],
  numIt: number,
): Suggestions | undefined {
  const range = trimmedRange(losses, numIt);
  if (range.end - range.start < MIN_SUGGEST_POINTS) return undefined;
  const l = lrs.slice(range.start, range.end);
  const y = losses.slice(range.start, range.end);
  return { valley: valley(l, y), minimum: minimum(l, y), steep: steep(l, y) };
}

/**
 * The points the suggestions read: `[start, end)` of the sweep.
 *
 * @param losses Every step's smoothed loss.
 * @param numIt The steps the sweep was asked for.
 * @returns The range (empty when the sweep is too short).
 */
export function trimmedRange(
  losses: readonly number[],
  numIt: number,
): { readonly start: number; readonly end: number } {
  const start = Math.floor(numIt / 10);
  let end = Math.max(start, losses.length - 5);
  const nan = losses.slice(start, end).findIndex((v) => Number.isNaN(v));
  if (nan >= 0) end = start + nan;
  return { start, end };
}

/**
 * The suggestions in fastai's order, named, for a plot's marks or a printout.
 *
 * @param s The suggestions.
 * @returns `valley`, `minimum`, `steep`, each with its lr and marked point.
 */
export function namedSuggestions(
  s: Suggestions,
): { readonly name: keyof Suggestions; readonly lr: number; readonly at: Suggestion["at"] }[] {
  return (["valley", "minimum", "steep"] as const).map((name) => ({ name, ...s[name] }));
}
