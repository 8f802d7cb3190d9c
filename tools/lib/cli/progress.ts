/**
 * A one-line progress bar within an epoch, redrawn in place on a terminal (stderr).
 *
 * @module
 */

const encoder = new TextEncoder();

/** Draws and clears the bar. */
export class ProgressBar {
  private last = 0;

  /** @param enabled Draw only when stderr is a terminal. */
  constructor(private readonly enabled = Deno.stderr.isTerminal()) {}

  /**
   * Redraws the bar (at most every 50 ms, and always at the end).
   *
   * @param label Leading text (`epoch 3/15`).
   * @param done Batches done.
   * @param total Batches in the epoch.
   * @param suffix Trailing text (the smoothed loss).
   * @param unit `items` shows `done/total`; `bytes` shows megabytes.
   */
  update(
    label: string,
    done: number,
    total: number,
    suffix: string,
    unit: "items" | "bytes" = "items",
  ): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (done < total && now - this.last < 50) return;
    this.last = now;
    const width = 30;
    const filled = total > 0 ? Math.round((done / total) * width) : width;
    const bar = "█".repeat(filled) + "░".repeat(width - filled);
    const count = unit === "bytes"
      ? `${(done / 1e6).toFixed(1)}/${(total / 1e6).toFixed(1)} MB`
      : `${done}/${total}`;
    Deno.stderr.writeSync(encoder.encode(`\r${label} ${bar} ${count} ${suffix}\x1b[K`));
  }

  /** Clears the line. */
  clear(): void {
    if (this.enabled) Deno.stderr.writeSync(encoder.encode("\r\x1b[K"));
  }
}
