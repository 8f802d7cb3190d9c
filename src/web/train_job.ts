/**
 * One training run in the page, with the CLI's code end to end: the corpus (`src/run`), the
 * model at its sizes (`models/`), the learner (`src/train`), the checkpoint and report files
 * (`src/run/run_files.ts`) and the export (`src/export`). Only the Session backend differs
 * (onnxruntime-web). No DOM and no worker API here: `train_worker.ts` wires it to messages,
 * and Deno tests can run it directly.
 *
 * Stop ends the fit after the current batch; the last epoch boundary is kept, so Resume
 * continues from there exactly as an uninterrupted run would (each epoch draws its own
 * dropout masks), and the checkpoint and export always describe finished epochs.
 *
 * @module
 */

import { findModel, RUN_META_DEFAULTS } from "../../models/registry.ts";
import { rowsOfTokens } from "../data/stream_batches.ts";
import { TextCorpusBuilder } from "../data/text_corpus.ts";
import { exportModel } from "../export/export_model.ts";
import type { Tensor } from "../onnx/tensor.ts";
import { humanNumbersCorpus, type RunCorpus, sourceSplit, textRunCorpus } from "../run/corpus.ts";
import { runDescription, runtimeName } from "../run/describe.ts";
import { runExport } from "../run/run_export.ts";
import { CHECKPOINT_FILE, checkpointFile, epochFiles } from "../run/run_files.ts";
import type { RunInfo } from "../run/run_info.ts";
import { planRun, startRun } from "../run/start_run.ts";
import { decodeCheckpoint } from "../train/checkpoint.ts";
import { parseRunMeta } from "../train/run_meta.ts";
import type { Backend } from "../runtime/backend.ts";
import {
  type EpochRecord,
  FitInterrupted,
  type Learner,
  type LearnerState,
} from "../train/learner.ts";
import type { CorpusChoice, TrainSettings } from "./train_settings.ts";

/** What the panel shows above the table. */
export interface JobHeader {
  /** The run in one line (`runDescription`). */
  readonly description: string;
  /** The corpus in one line. */
  readonly corpus: string;
  /**
   * A warning about the vocabulary, when many tokens are unknown, and notes on a short text's
   * batches (fewer or shorter rows, few batches per epoch).
   */
  readonly warning?: string | undefined;
  /** The most frequent token and the accuracy of always predicting it. */
  readonly baseline: { readonly token: string; readonly accuracy: number };
  readonly trainBatches: number;
  readonly validBatches: number;
  /** Tokens per training step (bs × sl, or bs × 3). */
  readonly tokensPerStep: number;
}

/** Progress hooks. */
export interface JobEvents {
  /**
   * After every training batch; may return a promise (the worker yields to its message queue
   * there, so that Stop arrives).
   */
  onBatch?(epoch: number, done: number, total: number, smoothLoss: number): void | Promise<void>;
  /** After every epoch. */
  onEpoch?(record: EpochRecord): void;
}

/** How a fit ended. */
export type JobOutcome = "finished" | "stopped";

/** The epoch boundary a Resume, a checkpoint and an export start from. */
interface Snapshot {
  readonly tensors: ReadonlyMap<string, Tensor>;
  readonly state: LearnerState;
}

/** Reads one's own text as `deno task train --text` would read one file. */
function ownText(c: Extract<CorpusChoice, { kind: "text" }>): RunCorpus {
  const builder = new TextCorpusBuilder(sourceSplit(c), c.text.length + 1);
  builder.beginFile();
  builder.push(c.text);
  builder.endFile();
  const corpus = builder.finish(
    { minFreq: c.minFreq, maxVocab: c.maxVocab },
    { validPct: c.validPct },
  );
  return textRunCorpus({ ...c, text: c.name }, corpus);
}

/** A training run in the page. */
export class TrainJob {
  #stop = false;
  #snapshot: Snapshot;

  private constructor(
    readonly settings: TrainSettings,
    readonly info: RunInfo,
    readonly header: JobHeader,
    readonly learner: Learner,
    private readonly backend: Backend,
    private readonly machine: string,
  ) {
    // The start is a boundary too: a Stop in the first epoch resumes from the initial weights.
    this.#snapshot = { tensors: new Map(learner.runner.tensors()), state: learner.state() };
  }

  /**
   * Reads the corpus, builds the model and its training graphs, and opens their sessions.
   *
   * @param settings What to train.
   * @param backend onnxruntime-web (or onnxruntime-node, in tests).
   * @param machine The machine, as rows and reports name it (the browser and its threads).
   * @returns The job, at epoch 0.
   * @throws SettingsError, CorpusError, CorpusSizeError or SizeError naming what is wrong;
   *   SessionError when onnxruntime cannot open the graphs.
   */
  static async create(
    settings: TrainSettings,
    backend: Backend,
    machine: string,
  ): Promise<TrainJob> {
    const entry = findModel(settings.model);
    const corpus = settings.corpus.kind === "text"
      ? ownText(settings.corpus)
      : humanNumbersCorpus();
    const plan = planRun({
      entry,
      corpus,
      sizes: settings.sizes, // the page's size fields, checked as --hidden … --sl are
      epochs: settings.epochs,
      ...(settings.steps !== undefined ? { steps: settings.steps } : {}),
      lrMax: settings.lr,
      seed: settings.seed,
      device: settings.backend,
    });
    const { info, recipe } = plan;
    const learner = await startRun(plan, {
      session: { backend, device: settings.backend, threads: settings.threads },
      machine,
    });
    const header: JobHeader = {
      // The schedule as run (the artifacts and report keep the CLI's line, byte for byte).
      description: runDescription(info.meta, entry, { schedule: true }),
      corpus: corpus.summary,
      // The vocabulary's warning, then what fitting a short text changed (as the CLI prints).
      warning: [corpus.warning, ...plan.notes].filter(Boolean).join(" ") || undefined,
      baseline: corpus.baseline,
      trainBatches: learner.train.length,
      validBatches: learner.valid.length,
      tokensPerStep: recipe.batchSize * (rowsOfTokens(recipe.data) ? recipe.seqLen : 3),
    };
    return new TrainJob(settings, info, header, learner, backend, machine);
  }

  /** Epochs finished. */
  get epoch(): number {
    return this.learner.epoch;
  }

  /** Whether every epoch of the schedule has run. */
  get finished(): boolean {
    return this.learner.epoch >= this.settings.epochs;
  }

  /** Rows of the table so far (finished epochs). */
  get history(): readonly EpochRecord[] {
    return this.#snapshot.state.history;
  }

  /** Asks the fit to stop after the current batch. */
  stop(): void {
    this.#stop = true;
  }

  /**
   * Trains from the last finished epoch to the end of the schedule, or until `stop()`.
   *
   * @param events Progress hooks.
   * @returns Whether the schedule finished or was stopped.
   * @throws NonFiniteLossError on a NaN or infinite loss; SessionError from onnxruntime.
   */
  async run(events: JobEvents = {}): Promise<JobOutcome> {
    this.#stop = false;
    // A stopped epoch is thrown away: the runner goes back to the last boundary.
    this.learner.restore(this.#snapshot.tensors, this.#snapshot.state);
    let pending: Promise<void> | void;
    try {
      await this.learner.fit(this.settings.epochs, this.settings.lr, {
        onBatch: (epoch, done, total, loss) => {
          pending = events.onBatch?.(epoch, done, total, loss);
          return pending;
        },
        onEpoch: (record) => {
          this.#snapshot = {
            tensors: new Map(this.learner.runner.tensors()),
            state: this.learner.state(),
          };
          events.onEpoch?.(record);
        },
        shouldStop: () => this.#stop,
      });
    } catch (error) {
      if (error instanceof FitInterrupted) return "stopped";
      throw error;
    }
    return "finished";
  }

  /**
   * The checkpoint after the last finished epoch, as `deno task train` writes it.
   *
   * @returns `checkpoint.safetensors` bytes, or undefined before the first epoch ends.
   */
  checkpoint(): Uint8Array | undefined {
    const s = this.#snapshot;
    return s.state.epoch > 0 ? checkpointFile(this.info, s.tensors, s.state) : undefined;
  }

  /**
   * The report files after the last finished epoch (`metrics.jsonl`, `curves.svg`,
   * `report.html`).
   *
   * @returns Bytes by file name.
   */
  reportFiles(): Map<string, Uint8Array> {
    return epochFiles(this.info, this.history, {
      runtime: runtimeName(this.backend.name, this.settings.backend),
      machine: this.machine,
    });
  }

  /**
   * The export of the last finished epoch, as `deno task export` writes it.
   *
   * @param bytes That epoch's checkpoint, when the caller has it already (`checkpoint()`).
   * @returns `<model>.onnx` and `<model>.json` bytes by file name, or undefined before the
   *   first epoch ends.
   */
  exportFiles(bytes = this.checkpoint()): ReadonlyMap<string, Uint8Array> | undefined {
    if (!bytes) return undefined;
    // Through the checkpoint and its one reader, as deno task export goes: the files come out
    // byte for byte as the CLI would write them from the downloaded checkpoint.
    const source = CHECKPOINT_FILE;
    const checkpoint = decodeCheckpoint(bytes, source);
    const meta = parseRunMeta(checkpoint.meta, source, RUN_META_DEFAULTS);
    const purpose = `Cannot export ${meta.model}`;
    const run = runExport(meta, checkpoint.tensors, findModel(meta.model), source, purpose);
    return exportModel(run.model, run.weights, run.info).files;
  }

  /** Frees the sessions. */
  async release(): Promise<void> {
    await this.learner.release();
  }
}
