/**
 * What training a model at a size will need in memory, known before a weight is drawn: a
 * size that cannot fit is refused in a second, not killed by the OS after a minute with no
 * message (issue 21: `lm6 --hidden 8192 --layers 16`).
 *
 * It is a floor, from the graphs themselves: the train and eval graphs' live-value peaks
 * (`liveBytes`), plus the state the host keeps (parameters and Adam's two moments, a second
 * copy of each as a step fetches them, and a third as a checkpoint encodes them), plus the
 * runtime itself. Measured peak RSS at issue 23's bench sizes is 1.07-1.8 times this floor
 * (onnxruntime's arena keeps slack, and frees in its own order; 2.5 at hidden 256 while large
 * graphs kept onnxruntime's memory pattern), so a run is refused only when
 * the floor alone exceeds the machine, and warned about when it comes near.
 *
 * @module
 */

import { liveBytes } from "../graph/live_bytes.ts";
import type { Artifacts } from "./artifacts.ts";

/** Deno, onnxruntime and the data, measured: 0.16-0.20 GB RSS for the book's models. */
export const RUNTIME_BYTES = 0.2e9;

/** Host copies of each float of parameters and optimizer state: held, fetched, checkpointed. */
const HOST_COPIES = 3;

/** Where training's memory goes, in bytes. */
export interface MemoryEstimate {
  /** All of it: the floor a run needs. */
  readonly total: number;
  /** The train graph's live-value peak (on the device that runs it). */
  readonly train: number;
  /** The eval graph's, whose session stays open beside the train graph's. */
  readonly eval: number;
  /** Parameters and Adam's moments on the host, in all their copies. */
  readonly host: number;
}

/**
 * The memory floor of training with these graphs.
 *
 * @param artifacts The run's graphs.
 * @param onDevice Whether the graphs run on a GPU, so that only the host state counts here.
 * @returns The estimate.
 */
export function estimateTrainingMemory(artifacts: Artifacts, onDevice = false): MemoryEstimate {
  const train = liveBytes(artifacts.train).peak;
  const evalBytes = liveBytes(artifacts.eval).peak;
  let floats = 0;
  for (const p of artifacts.spec.params) floats += count(p.shape);
  for (const s of artifacts.spec.optimizerState) floats += count(s.shape);
  const host = floats * 4 * HOST_COPIES;
  const graphs = onDevice ? 0 : train + evalBytes;
  return { total: RUNTIME_BYTES + host + graphs, train, eval: evalBytes, host };
}

const count = (shape: readonly number[]): number => shape.reduce((n, d) => n * d, 1);
