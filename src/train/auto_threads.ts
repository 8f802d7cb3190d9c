/**
 * `--threads auto`: how many intra-op threads a CPU training run gets. onnxruntime's threads
 * pay only when each node has enough arithmetic to split: measured on an AMD EPYC (2 cores,
 * `deno task bench`, one sitting), lm6's step (335 MFLOP in about 1,400 small nodes) takes 8.8-9.0
 * ms on one thread and 10.0-10.6 ms on two, while the LSTM at hidden 256 with a vocabulary of
 * 10,000 (89 GFLOP a step) takes 949 ms on one and 658-679 ms on two. So a step of at least
 * `AUTO_THREADS_FLOPS` gets every core, a smaller one a single thread; with more than one, the
 * threads do not spin while they wait, so that the train and eval sessions' pools, which take
 * turns, do not burn each other's cores (no slower at hidden 256: 658 against 679 ms).
 *
 * @module
 */

/** FLOPs of one training step from which every core is used. */
export const AUTO_THREADS_FLOPS = 1e9;

/** What `--threads auto` chose. */
export interface AutoThreads {
  /** Intra-op threads. */
  readonly threads: number;
  /** Whether the threads spin while waiting (onnxruntime's default when one thread). */
  readonly spinning: boolean | undefined;
}

/**
 * The threads of a CPU training run.
 *
 * @param stepFlops FLOPs of one training step (`countFlops` of the train graph).
 * @param cores The machine's logical cores.
 * @returns The thread count, and spinning off when it is above one.
 */
export function autoThreads(stepFlops: number, cores: number): AutoThreads {
  const threads = stepFlops >= AUTO_THREADS_FLOPS ? Math.max(1, cores) : 1;
  return { threads, spinning: threads > 1 ? false : undefined };
}
