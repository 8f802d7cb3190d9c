/**
 * The messages between the page and its training worker (`train_worker.ts`). Every failure in
 * the worker reaches the page as an `error` message with a sentence for the person, never as
 * a console-only error.
 *
 * @module
 */

import type { EpochRecord } from "../train/learner.ts";
import type { LrFindResult } from "../train/lr_find.ts";
import type { JobHeader } from "./train_job.ts";
import type { TrainSettings } from "./train_settings.ts";

/** Page → worker. */
export type ToWorker =
  /** Builds a new run (discarding the one before) and trains it. */
  | { readonly type: "start"; readonly settings: TrainSettings; readonly machine: string }
  /** Ends the fit after the current batch. */
  | { readonly type: "stop" }
  /** Continues a stopped run from its last finished epoch. */
  | { readonly type: "resume" }
  /** Runs fastai's lr_find on a fresh copy of the settings' model (Stop ends it early). */
  | { readonly type: "lr-find"; readonly settings: TrainSettings; readonly machine: string };

/** What the page can download and predict with, after the last finished epoch. */
export interface RunFiles {
  /** `checkpoint.safetensors`, for `deno task train --resume` and `deno task export`. */
  readonly checkpoint: Uint8Array;
  /** The export (`<model>.onnx`, `<model>.json`) and the report files, by file name. */
  readonly files: Readonly<Record<string, Uint8Array>>;
  /** The export's base name (`lm6`). */
  readonly name: string;
}

/** Worker → page. */
export type FromWorker =
  /**
   * The worker's modules have loaded (the ONNX schema is fetched first) and it listens:
   * messages posted before this one could be lost, so the page waits for it.
   */
  | { readonly type: "loaded" }
  /** The run is built: what it is, and where it runs. */
  | {
    readonly type: "ready";
    readonly header: JobHeader;
    /** The onnxruntime build and execution provider. */
    readonly runtime: string;
    /** wasm threads in use. */
    readonly threads: number;
    /** Milliseconds to build the graphs and open their sessions. */
    readonly setupMs: number;
  }
  /** Training progress, a few times a second. */
  | {
    readonly type: "batch";
    readonly epoch: number;
    readonly done: number;
    readonly total: number;
    readonly loss: number;
    /** Training steps per second in this epoch so far. */
    readonly stepsPerSecond: number;
  }
  /** lr_find's progress, a few times a second. */
  | {
    readonly type: "lr-step";
    readonly done: number;
    readonly total: number;
    readonly lr: number;
    /** The smoothed loss. */
    readonly loss: number;
  }
  /** lr_find ended: its points and fastai's suggestions. */
  | { readonly type: "lr-found"; readonly result: LrFindResult }
  /** An epoch finished: its row of the table. */
  | { readonly type: "epoch"; readonly record: EpochRecord }
  /** The fit ended (finished or stopped); files are absent before the first epoch ends. */
  | {
    readonly type: "done";
    readonly outcome: "finished" | "stopped";
    readonly files?: RunFiles;
  }
  /**
   * Something failed; the run cannot go on. A run that diverged still has the files of its
   * last finished epoch.
   */
  | { readonly type: "error"; readonly message: string; readonly files?: RunFiles };
