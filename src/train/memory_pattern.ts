/**
 * When to turn off onnxruntime's memory pattern. With the pattern on (onnxruntime's default),
 * a session plans one block for every intermediate value after its first run and keeps it:
 * fewer allocations, which pays for graphs of many small values (lm6's step: 5.7 MiB of values
 * in about 1,400 nodes, 4% faster with it). For graphs of large values the block is far larger
 * than what the arena needs when values are freed as they die: measured on an AMD EPYC (2
 * cores, 1 thread), peak RSS of 4 steps and a validation fell from 2.92 to 2.17 GB at hidden
 * 256 (vocabulary 10,000, bs 64, sl 64) and from 4.73 to 3.37 GB at hidden 1024, with the same
 * losses bit for bit and no slower steps (1.05 s against 1.09 s; 8.1 s against 12.6 s).
 *
 * @module
 */

/** The train graph's live-value peak (`liveBytes`) from which the pattern is turned off. */
export const MEMORY_PATTERN_LIMIT = 64 * 2 ** 20;

/**
 * Whether a run's sessions keep onnxruntime's memory pattern.
 *
 * @param trainLiveBytes The train graph's live-value peak, in bytes.
 * @returns True for graphs of small values, false for large ones.
 */
export function keepsMemoryPattern(trainLiveBytes: number): boolean {
  return trainLiveBytes < MEMORY_PATTERN_LIMIT;
}
