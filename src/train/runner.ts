/**
 * Runs training artifacts step by step: owns the parameters, optimizer state and recurrent
 * state as tensors, feeds every `X_out` output back as input `X`, and draws each step's
 * dropout masks from the run's seeded generator. The train graph may hold them packed in a
 * few flat tensors (`ArtifactSpec.carried`); the runner shows them by name. A step frees
 * the arrays it read (`releaseBuffer`), so what it shows are copies (`tensors()`) or views
 * valid until the next step (`tensorViews()`).
 *
 * @module
 */

import { saveGraph } from "../graph/model_io.ts";
import { sizeOf, type Tensor, tensor } from "../onnx/tensor.ts";
import type { Batch } from "../data/batches.ts";
import { Random } from "../nn/random.ts";
import type { Artifacts } from "./artifacts.ts";
import { locate, type Location, packCarried, zeros } from "./packing.ts";
import { type Feed, isOnDevice, Session, type SessionOptions } from "../runtime/session.ts";
import { FeedSlots, hostCopySession } from "../runtime/feed_slots.ts";
import { updatedName } from "../graph/updated_name.ts";
import { dropoutMask } from "../nn/dropout.ts";
import { releaseBuffer } from "./release_buffer.ts";

/** How to start a runner. */
export interface RunnerOptions {
  /** Seeds the dropout masks (the caller seeds initialization). */
  readonly seed: number;
  /** onnxruntime session options. */
  readonly session?: SessionOptions;
  /**
   * Keep parameters, optimizer state and recurrent state in GPU memory between steps (WebGPU):
   * each step's `X_out` is fed back as the next step's `X` without a copy, and only the loss
   * comes to the host. `sync()` brings them back (the learner does at every epoch's end).
   * Default: on for `webgpu`.
   */
  readonly deviceState?: boolean;
}

/** Loss and correct predictions of one evaluation batch. */
export interface EvalResult {
  /** Summed loss over the batch's predictions. */
  readonly lossSum: number;
  /** Predictions equal to their targets. */
  readonly correct: number;
  /** Predictions in the batch. */
  readonly count: number;
}

/** Training state plus the sessions that advance it. */
export class Runner {
  /** Number of optimizer steps taken. */
  step = 0;
  /** Recurrent state (`h`, `c`), carried from batch to batch. */
  private readonly state = new FeedSlots();
  private download: Session | undefined;
  private readonly located: ReadonlyMap<string, Location>;

  private constructor(
    readonly artifacts: Artifacts,
    private readonly train: Session,
    private readonly evaluate: Session,
    /** The train graph's fed-back inputs by name (see `ArtifactSpec.carried`). */
    private readonly carried: FeedSlots,
    private masks: Random,
    private readonly dtype: "float32" | "float64",
    private readonly onDevice: boolean,
    /** The options both sessions were created with. */
    readonly sessionOptions: SessionOptions,
  ) {
    this.located = locate(artifacts.spec.carried);
    this.resetState();
  }

  /**
   * Creates the sessions and the initial state.
   *
   * @param artifacts From `buildArtifacts`.
   * @param init Initial parameter values by name (e.g. `model.initParameters(seed)`).
   * @param options Seed for dropout masks and session options.
   * @returns The runner.
   */
  static async create(
    artifacts: Artifacts,
    init: ReadonlyMap<string, Float32Array | Float64Array>,
    options: RunnerOptions,
  ): Promise<Runner> {
    const dtype = artifacts.train.inputs[0]?.dtype === "float64" ? "float64" : "float32";
    const sessionOptions = { threads: 1, ...options.session };
    const onDevice = options.deviceState ?? sessionOptions.device === "webgpu";
    // Everything the loop feeds back stays where the train graph computed it.
    const kept = [...artifacts.spec.carried, ...artifacts.spec.state].map((p) =>
      updatedName(p.name)
    );
    const [train, evaluate] = await Promise.all([
      Session.create(saveGraph(artifacts.train), {
        ...sessionOptions,
        source: "train.onnx",
        ...(onDevice ? { keepOnDevice: kept } : {}),
      }),
      Session.create(saveGraph(artifacts.eval), { ...sessionOptions, source: "eval.onnx" }),
    ]);
    const params = new Set(artifacts.spec.params.map((p) => p.name));
    const carried = packCarried(dtype, artifacts.spec.carried, (part) => {
      if (!params.has(part.name)) return undefined; // optimizer state starts at zero
      const values = init.get(part.name);
      if (!values) throw new Error(`No initial value for parameter "${part.name}"`);
      if (values.length !== sizeOf(part.shape)) {
        throw new Error(
          `Initial value of parameter "${part.name}" has ${values.length} elements: ` +
            `expected ${sizeOf(part.shape)} for [${part.shape.join(", ")}]`,
        );
      }
      return values;
    });
    // Masks get their own stream so that changing anything else never shifts them.
    const masks = new Random(options.seed).fork();
    return new Runner(
      artifacts,
      train,
      evaluate,
      new FeedSlots(carried),
      masks,
      dtype,
      onDevice,
      sessionOptions,
    );
  }

  /**
   * Draws the following steps' dropout masks from `rng` (the learner gives each epoch its own
   * stream, so a run resumed at an epoch boundary draws exactly the masks it would have).
   *
   * @param rng The stream.
   */
  useMaskStream(rng: Random): void {
    this.masks = rng;
  }

  /**
   * Replaces parameters and optimizer state (e.g. from a checkpoint) and the step count. The
   * values are copied into the runner's own tensors; the caller's are left alone.
   *
   * @param tensors Tensors by name; every parameter and optimizer state must be present.
   * @param step Optimizer steps already taken.
   */
  restore(tensors: ReadonlyMap<string, Tensor>, step: number): void {
    const next = packCarried(this.dtype, this.artifacts.spec.carried, (part) => {
      const t = tensors.get(part.name);
      if (!t) throw new Error(`Cannot restore: the checkpoint has no tensor "${part.name}"`);
      if (t.dtype !== this.dtype || t.dims.join() !== part.shape.join()) {
        throw new Error(
          `Cannot restore "${part.name}": expected ${this.dtype}[${part.shape.join(", ")}], ` +
            `got ${t.dtype}[${t.dims.join(", ")}]`,
        );
      }
      return t.data as Float32Array | Float64Array;
    });
    for (const [name, t] of Object.entries(next)) this.carried.set(name, t);
    this.step = step;
  }

  /**
   * Parameters and optimizer state by name (for checkpoints), on the host, in checkpoint
   * order: copies, which stay as they are while training goes on (a step frees the buffers it
   * read; use `restore()` to change the runner's own).
   *
   * @returns The tensors.
   * @throws Error when some are still on the device: call `sync()` first.
   */
  tensors(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const [name, view] of this.tensorViews("Runner.tensors()")) {
      out.set(
        name,
        tensor(this.dtype, view.dims, view.data.slice() as Float32Array | Float64Array),
      );
    }
    return out;
  }

  /**
   * Parameters and optimizer state by name, as views of the runner's own arrays: no copy, for
   * a reader done before the next step (a checkpoint encoded at once), since a step frees
   * the arrays it read.
   *
   * @param where Names the caller in errors.
   * @returns The views, in checkpoint order.
   * @throws Error when some are still on the device: call `sync()` first.
   */
  tensorViews(where = "Runner.tensorViews()"): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const { name } of [...this.artifacts.spec.params, ...this.artifacts.spec.optimizerState]) {
      out.set(name, this.named(name, where));
    }
    return out;
  }

  /** One parameter or optimizer state tensor, as a view of the carried input holding it. */
  private named(name: string, where: string): Tensor {
    const at = this.located.get(name);
    if (!at) throw new Error(`${where}: the train graph holds no tensor "${name}"`);
    const t = this.carried.get(at.carried)!;
    if (isOnDevice(t)) throw new Error(`${where}: "${name}" is on the device: sync() first`);
    const { offset, shape } = at.part;
    const data = t.data as Float32Array | Float64Array;
    return tensor(this.dtype, shape, data.subarray(offset, offset + sizeOf(shape)));
  }

  /** Whether the parameters and optimizer state are all in GPU memory (WebGPU, until `sync()`). */
  get heldOnDevice(): boolean {
    return this.carried.allOnDevice;
  }

  /** Brings parameters and optimizer state from the device to the host (a no-op on the CPU). */
  async sync(): Promise<void> {
    if (!this.carried.anyOnDevice) return;
    this.download ??= await hostCopySession(
      this.artifacts.spec.carried,
      this.dtype,
      this.sessionOptions,
    );
    await this.carried.toHost(this.download);
  }

  /**
   * Zeros the recurrent state (before each epoch's training and before validation).
   *
   * @param batch Rows of the batches that follow (default: the training batch size).
   */
  resetState(batch?: number): void {
    this.state.clear();
    for (const s of this.artifacts.spec.state) {
      const shape = batch === undefined ? s.shape : [s.shape[0], batch, ...s.shape.slice(2)];
      this.state.set(s.name, zeros(this.dtype, { name: s.name, shape }));
    }
  }

  /**
   * One optimizer step on a batch.
   *
   * @param batch Tokens and targets.
   * @param lr Learning rate of this step.
   * @param mom Momentum of this step.
   * @returns The batch's loss (mean cross-entropy).
   */
  async trainStep(batch: Batch, lr: number, mom: number): Promise<number> {
    const spec = this.artifacts.spec;
    const scalar = (v: number) => tensor(this.dtype, [], [v]);
    const feeds: Record<string, Feed> = {
      ...this.carried.feeds,
      ...this.state.feeds,
      tokens: tensor("int64", batch.xDims, batch.x),
      targets: tensor("int64", batch.yDims, batch.y),
      lr: scalar(lr),
      mom: scalar(mom),
    };
    if (this.train.inputs.some((i) => i.name === "step")) feeds.step = scalar(this.step + 1);
    for (const m of spec.masks) {
      const size = sizeOf(m.shape);
      const values = dropoutMask(this.masks, size, m.p);
      feeds[m.name] = tensor(
        this.dtype,
        m.shape,
        this.dtype === "float64" ? Float64Array.from(values) : values,
      );
    }
    const out = await this.train.run(feeds, undefined, true);
    this.step++;
    // What this step was fed is superseded: the slots free its GPU memory now.
    const before = Object.values(this.carried.feeds);
    this.carried.advance(out);
    // The state this step read is superseded: free it now, not whenever the garbage collector
    // comes (by then three copies of it can be waiting: 1.3 GB at hidden 1024).
    for (const t of before) if (!isOnDevice(t)) releaseBuffer(t.data);
    this.state.advance(out);
    const loss = out.loss;
    if (isOnDevice(loss)) throw new Error("Runner: the loss must come back to the host");
    return Number(loss.data[0]);
  }

  /**
   * Evaluates one batch, carrying the recurrent state.
   *
   * @param batch Tokens and targets (any number of rows).
   * @returns Summed loss, correct count and number of predictions.
   */
  async evalStep(batch: Batch): Promise<EvalResult> {
    const rows = batch.xDims[0];
    for (const [name, s] of Object.entries(this.state.feeds)) {
      if (s.dims[1] !== rows) {
        throw new Error(
          `Cannot evaluate a batch of ${rows} rows: the recurrent state "${name}" holds ` +
            `${s.dims[1]}; call resetState(${rows}) first`,
        );
      }
    }
    await this.sync(); // a no-op unless a train step left the parameters on the device
    const params: Record<string, Tensor> = {};
    for (const p of this.artifacts.spec.params) params[p.name] = this.named(p.name, "evalStep");
    const out = await this.evaluate.run({
      ...params,
      ...this.state.feeds,
      tokens: tensor("int64", batch.xDims, batch.x),
      targets: tensor("int64", batch.yDims, batch.y),
    });
    this.state.advance(out); // frees state a train step left on the device
    return {
      lossSum: Number(out.loss_sum.data[0]),
      correct: Number(out.correct.data[0]),
      count: batch.y.length,
    };
  }

  /** Frees the sessions. */
  async release(): Promise<void> {
    this.carried.clear();
    this.state.clear();
    await Promise.all([
      this.train.release(),
      this.evaluate.release(),
      ...(this.download ? [this.download.release()] : []),
    ]);
  }
}
