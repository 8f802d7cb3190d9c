/**
 * The Learner: fastai's `fit_one_cycle` over a run's batches (Human Numbers or one's own text)
 * on any `Session` backend (onnxruntime-node's CPU, CUDA or WebGPU; onnxruntime-web in the
 * page's worker), reporting fastai's table (epoch, train_loss, valid_loss, accuracy, time).
 *
 * `train_loss` is fastai's smoothed loss (EMA, beta 0.98, debiased, carried across epochs),
 * as in the book's tables; `train_loss_mean` is the plain mean of the epoch's batch losses.
 *
 * @module
 */

import { estimateTrainingMemory, type MemoryEstimate } from "./memory_estimate.ts";
import { keepsMemoryPattern } from "./memory_pattern.ts";
import { autoThreads } from "./auto_threads.ts";
import { countFlops } from "../graph/flops.ts";
import type { BatchSource, TrainData } from "../data/stream_batches.ts";
import { humanNumbersData } from "../data/pipelines.ts";
import type { LanguageModel } from "../nn/language_model.ts";
import { Random } from "../nn/random.ts";
import { oneCycle, type Schedule } from "../optim/one_cycle.ts";
import { warmupCosine } from "../optim/warmup_cosine.ts";
import { epochSteps, scheduleFloor } from "./steps_schedule.ts";
import type { Tensor } from "../onnx/tensor.ts";
import { type Artifacts, buildArtifacts } from "./artifacts.ts";
import { releaseBuffer } from "./release_buffer.ts";
import { Runner } from "./runner.ts";
import type { SessionOptions } from "../runtime/session.ts";
import { SmoothLoss } from "./smooth_loss.ts";
import { type Recipe, recipeOptimizer } from "./recipe.ts";

/** One row of the results table. */
export interface EpochRecord {
  /** Epoch index (0-based). */
  readonly epoch: number;
  /** fastai's smoothed training loss at the end of the epoch. */
  readonly train_loss: number;
  /** Mean of the epoch's batch losses. */
  readonly train_loss_mean: number;
  /** Exact mean validation loss. */
  readonly valid_loss: number;
  /** Exact validation accuracy. */
  readonly accuracy: number;
  /** Seconds for the epoch, validation included. */
  readonly time: number;
  /**
   * The one-cycle peak learning rate the epoch ran under (a run resumed with another `--lr`
   * after a divergence shows where it changed); absent in runs saved before it was recorded.
   */
  readonly lr_max?: number;
  /** The CPU that ran the epoch (results repeat bit for bit only on one machine). */
  readonly cpu?: string;
}

/** Hooks into `fit`. */
export interface FitCallbacks {
  /** After every training batch (the fit waits for a returned promise). */
  onBatch?(epoch: number, batch: number, batches: number, smoothLoss: number): void | Promise<void>;
  /** After every epoch (e.g. to save a checkpoint and metrics). */
  onEpoch?(record: EpochRecord): Promise<void> | void;
  /** Checked between batches: true stops the fit after the current batch. */
  shouldStop?(): boolean;
  /**
   * Checked after each epoch's `onEpoch`: true ends the fit there, its schedule unfinished
   * (early stopping).
   */
  stopAfter?(record: EpochRecord): boolean;
}

/** Raised when a training loss is NaN or infinite. */
export class NonFiniteLossError extends Error {
  /** The error name. */
  override name = "NonFiniteLossError";
  /**
   * The error for a non-finite loss.
   *
   * @param epoch 0-based epoch.
   * @param step 0-based batch within the epoch, or -1 for the validation after it.
   * @param loss The loss.
   */
  constructor(readonly epoch: number, readonly step: number, readonly loss: number) {
    super(
      step < 0
        ? `Validation loss is ${loss} after epoch ${epoch}: the weights diverged; stopping`
        : `Training loss is ${loss} at epoch ${epoch}, batch ${step}: stopping`,
    );
  }
}

/** Raised when `shouldStop` interrupts a fit. */
export class FitInterrupted extends Error {
  /** The error name. */
  override name = "FitInterrupted";
  /**
   * The error for a stopped fit.
   *
   * @param epoch The epoch that was interrupted (0-based).
   */
  constructor(readonly epoch: number) {
    super(`Training interrupted during epoch ${epoch}`);
  }
}

/** Whether a device is the CPU's (node's CPU EP or the browser's wasm). */
const onCpu = (device: string | undefined): boolean =>
  device === undefined || device === "cpu" || device === "wasm";

/** How to start a learner. */
export interface LearnerOptions {
  /** Seed for initialization and dropout masks. */
  readonly seed: number;
  /** onnxruntime session options (device, threads). */
  readonly session?: SessionOptions;
  /** Training and validation batches (default: Human Numbers in the recipe's layout). */
  readonly data?: TrainData;
  /** The CPU model, recorded in every epoch's row (`cpu`). */
  readonly cpu?: string;
  /** Keep the training state in GPU memory between steps (`RunnerOptions.deviceState`). */
  readonly deviceState?: boolean;
  /**
   * Called with the run's memory floor once the graphs are built, before any weight or
   * session exists: it may throw to refuse a size the machine cannot hold.
   */
  readonly checkMemory?: (estimate: MemoryEstimate) => void;
  /**
   * Initial parameter values by name, instead of drawing them from the seed (fine-tuning from
   * another run's weights); the seed still draws the dropout masks.
   */
  readonly init?: ReadonlyMap<string, Float32Array>;
  /**
   * Choose the CPU's intra-op threads from the train graph's FLOPs (`--threads auto`,
   * `auto_threads.ts`), given the machine's cores; `session.threads` is then ignored.
   */
  readonly autoThreads?: { readonly cores: number };
  /**
   * Time steps per chunk of the loss (`ArtifactOptions.lossChunk`; 0: one piece). Default:
   * chunked by size on the CPU and wasm; one piece on GPUs, where the Loop it needs has not
   * been measured yet.
   */
  readonly lossChunk?: number;
}

/** What a checkpoint stores besides tensors. */
export interface LearnerState {
  /** Epoch index (0-based). */
  readonly epoch: number;
  /** Optimizer steps taken. */
  readonly step: number;
  /** fastai's smoothed-loss accumulator. */
  readonly smooth: { readonly val: number; readonly count: number };
  /** Rows of the results table so far. */
  readonly history: readonly EpochRecord[];
  /**
   * The epoch the current one-cycle schedule began at: 0, unless a finished run was extended
   * (`restartCycle`). Absent in runs saved before extension existed.
   */
  readonly cycleStart?: number;
}

/** Trains one model with one recipe. */
export class Learner {
  /** Epochs completed. */
  epoch = 0;
  /** Rows of the results table so far. */
  readonly history: EpochRecord[] = [];
  /** The epoch the current one-cycle schedule began at (`restartCycle`). */
  cycleStart = 0;
  private smooth = new SmoothLoss();

  private constructor(
    readonly model: LanguageModel,
    readonly recipe: Recipe,
    readonly artifacts: Artifacts,
    readonly runner: Runner,
    readonly train: BatchSource,
    readonly valid: BatchSource,
    readonly seed: number,
    private readonly cpu?: string,
    private readonly trainEpoch?: (epoch: number) => BatchSource,
  ) {}

  /**
   * Builds the artifacts and sessions and initializes the parameters from the seed.
   *
   * @param model The model.
   * @param recipe Its training recipe.
   * @param options Seed and session options.
   * @returns The learner.
   */
  static async create(
    model: LanguageModel,
    recipe: Recipe,
    options: LearnerOptions,
  ): Promise<Learner> {
    const loaders = options.data ?? humanNumbersData(recipe);
    // A short validation text can have rows shorter than training's (`fitLayout`).
    const validRow = loaders.valid.length ? loaders.valid.batch(0).xDims[1] : recipe.seqLen;
    const artifacts = buildArtifacts(model, {
      batchSize: recipe.batchSize,
      seqLen: recipe.seqLen,
      ...(validRow !== recipe.seqLen ? { evalSeqLen: validRow } : {}),
      ...recipeOptimizer(recipe),
      ...(recipe.ar ? { ar: recipe.ar } : {}),
      ...(recipe.tar ? { tar: recipe.tar } : {}),
      ...(options.session?.device === "webgpu" ? { webgpu: true } : {}),
      ...(options.lossChunk !== undefined
        ? { lossChunk: options.lossChunk }
        : onCpu(options.session?.device)
        ? {}
        : { lossChunk: 0 }),
    });
    const device = options.session?.device ?? "cpu";
    const estimate = estimateTrainingMemory(artifacts, device !== "cpu");
    options.checkMemory?.(estimate);
    // On the CPU (node or wasm), large graphs train in less memory without onnxruntime's
    // memory pattern, no slower (memory_pattern.ts); GPUs keep onnxruntime's defaults.
    let session = options.session?.memPattern === undefined && onCpu(device) &&
        !keepsMemoryPattern(estimate.train)
      ? { ...options.session, memPattern: false }
      : options.session;
    if (options.autoThreads && device === "cpu") {
      const chosen = autoThreads(countFlops(artifacts.train).total, options.autoThreads.cores);
      session = {
        ...session,
        threads: chosen.threads,
        ...(chosen.spinning !== undefined ? { spinning: chosen.spinning } : {}),
      };
    }
    const drawn = options.init ? undefined : model.initParameters(options.seed);
    const runner = await Runner.create(
      artifacts,
      options.init ?? drawn!,
      {
        seed: options.seed,
        ...(session ? { session } : {}),
        ...(options.deviceState !== undefined ? { deviceState: options.deviceState } : {}),
      },
    );
    // The runner copied the drawn weights into its own tensors: these are garbage now.
    for (const values of drawn?.values() ?? []) releaseBuffer(values);
    return new Learner(
      model,
      recipe,
      artifacts,
      runner,
      loaders.train,
      loaders.valid,
      options.seed,
      options.cpu,
      loaders.trainEpoch,
    );
  }

  /** The state to save with the tensors. */
  state(): LearnerState {
    return {
      epoch: this.epoch,
      step: this.runner.step,
      smooth: { val: this.smooth.val, count: this.smooth.count },
      history: [...this.history],
      ...(this.cycleStart ? { cycleStart: this.cycleStart } : {}),
    };
  }

  /**
   * Continues from a checkpoint taken at an epoch boundary.
   *
   * @param tensors Parameters and optimizer state.
   * @param state The saved learner state.
   */
  restore(tensors: ReadonlyMap<string, Tensor>, state: LearnerState): void {
    this.runner.restore(tensors, state.step);
    this.epoch = state.epoch;
    this.smooth = new SmoothLoss(0.98, state.smooth.val, state.smooth.count);
    this.history.length = 0;
    this.history.push(...state.history);
    this.cycleStart = state.cycleStart ?? 0;
  }

  /**
   * Starts a new one-cycle schedule at the current epoch, as a second `fit_one_cycle` call
   * does in fastai: the weights, the optimizer's state and its step count carry on; the
   * learning rate warms up again. `fit(epochs)` then runs the new cycle over the epochs from
   * here to `epochs`.
   */
  restartCycle(): void {
    this.cycleStart = this.epoch;
  }

  /**
   * Runs `fit_one_cycle(epochs, lrMax)` from the current epoch to `epochs`, or, for a recipe
   * with a steps schedule, its steps under nanoGPT's warmup and cosine decay (peak `lrMax`).
   *
   * @param epochs Total epochs of the schedule (the recipe's by default).
   * @param lrMax Peak learning rate (the recipe's by default).
   * @param callbacks Progress, per-epoch and stop hooks.
   * @returns The table rows of the epochs run.
   * @throws NonFiniteLossError on a NaN or infinite loss; FitInterrupted when stopped.
   */
  async fit(
    epochs = this.recipe.epochs,
    lrMax = this.recipe.lrMax,
    callbacks: FitCallbacks = {},
  ): Promise<EpochRecord[]> {
    const { schedule, stepOf } = this.scheduleOf(epochs, lrMax);
    const rows: EpochRecord[] = [];
    for (let epoch = this.epoch; epoch < epochs; epoch++) {
      const batches = this.trainEpoch?.(epoch) ?? this.train;
      const n = batches.length;
      const s = this.recipe.schedule;
      if (s && n !== epochSteps(s, epoch)) {
        // Any other count would skip or repeat steps of the schedule.
        throw new Error(
          `epoch ${epoch} of a ${s.steps}-step schedule has ${n} batches, not its ` +
            `${epochSteps(s, epoch)} steps: a steps recipe trains on its random windows ` +
            `(the run's data, window_data.ts)`,
        );
      }
      const start = performance.now();
      this.runner.resetState();
      // Each epoch draws dropout masks from its own stream, so resuming at an epoch boundary
      // reproduces an uninterrupted run exactly.
      this.runner.useMaskStream(new Random(this.seed + 2 ** 40 * (epoch + 1)));
      let sum = 0;
      for (let i = 0; i < n; i++) {
        if (callbacks.shouldStop?.()) throw new FitInterrupted(epoch);
        const { lr, mom } = schedule(stepOf(epoch, i));
        const loss = await this.runner.trainStep(batches.batch(i), lr, mom);
        if (!Number.isFinite(loss)) throw new NonFiniteLossError(epoch, i, loss);
        this.smooth.add(loss);
        sum += loss;
        await callbacks.onBatch?.(epoch, i + 1, n, this.smooth.value);
      }
      await this.runner.sync(); // parameters kept on a GPU come back for validation and checkpoint
      const { validLoss, accuracy } = await this.validate();
      // Weights that give a non-finite validation loss are no checkpoint to keep.
      if (!Number.isFinite(validLoss)) throw new NonFiniteLossError(epoch, -1, validLoss);
      const record: EpochRecord = {
        epoch,
        train_loss: this.smooth.value,
        train_loss_mean: sum / n,
        valid_loss: validLoss,
        accuracy,
        time: (performance.now() - start) / 1000,
        lr_max: lrMax,
        ...(this.cpu ? { cpu: this.cpu } : {}),
      };
      this.epoch = epoch + 1;
      this.history.push(record);
      rows.push(record);
      await callbacks.onEpoch?.(record);
      if (callbacks.stopAfter?.(record)) break;
    }
    return rows;
  }

  /**
   * The learning rate and momentum by step, and the step of an epoch's batch: the recipe's
   * steps schedule (its epochs are `evalEvery` steps each), else one-cycle over the epochs
   * from `cycleStart`, each `train.length` batches.
   */
  private scheduleOf(
    epochs: number,
    lrMax: number,
  ): { schedule: Schedule; stepOf: (epoch: number, batch: number) => number } {
    const s = this.recipe.schedule;
    if (s) {
      return {
        schedule: warmupCosine({
          lrMax,
          lrMin: scheduleFloor(this.recipe, lrMax),
          warmup: s.warmup,
          decaySteps: s.steps,
          mom: this.recipe.moms[0],
        }),
        stepOf: (epoch, batch) => epoch * s.evalEvery + batch,
      };
    }
    const n = this.train.length;
    const first = this.cycleStart;
    return {
      schedule: oneCycle({ lrMax, totalSteps: (epochs - first) * n, moms: this.recipe.moms }),
      stepOf: (epoch, batch) => (epoch - first) * n + batch,
    };
  }

  /**
   * Exact validation loss and accuracy over the validation set (state carried across
   * batches, reset first).
   *
   * @returns Mean loss and accuracy over every prediction.
   */
  async validate(): Promise<{ validLoss: number; accuracy: number }> {
    let lossSum = 0;
    let correct = 0;
    let count = 0;
    this.runner.resetState(this.valid.length ? this.valid.batch(0).xDims[0] : undefined);
    for (let i = 0; i < this.valid.length; i++) {
      const r = await this.runner.evalStep(this.valid.batch(i));
      lossSum += r.lossSum;
      correct += r.correct;
      count += r.count;
    }
    return { validLoss: lossSum / count, accuracy: correct / count };
  }

  /** Frees the sessions. */
  async release(): Promise<void> {
    await this.runner.release();
  }
}
