/**
 * fastai's smoothed training loss: an exponential moving average (beta 0.98) debiased by
 * `1 - beta^count`, carried across epochs of one fit.
 *
 * @module
 */

/** The running state of the smoothed loss. */
export class SmoothLoss {
  /**
   * @param beta Smoothing factor (fastai: 0.98).
   * @param val The undebiased average so far.
   * @param count Losses seen.
   */
  constructor(readonly beta = 0.98, public val = 0, public count = 0) {}

  /** Adds one batch's loss. */
  add(loss: number): void {
    this.count++;
    this.val = this.beta * this.val + (1 - this.beta) * loss;
  }

  /** The debiased value (NaN before the first loss). */
  get value(): number {
    return this.count === 0 ? NaN : this.val / (1 - this.beta ** this.count);
  }
}
