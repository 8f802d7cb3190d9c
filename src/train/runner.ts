/**
 * Runs training artifacts step by step: owns the parameters, optimizer state and recurrent
 * state as tensors, feeds every `X_out` output back as input `X`, and draws each step's
 * dropout masks from the run's seeded generator.
 *
 * @module
 */

import { Graph } from "../graph/graph.ts";
import { saveGraph } from "../graph/model_io.ts";
import { identity } from "../ops/elementwise.ts";
import { allocate } from "../onnx/dtype.ts";
import { type Tensor, tensor } from "../onnx/tensor.ts";
import type { Batch } from "../data/batches.ts";
import { Random } from "../nn/random.ts";
import type { Artifacts, FeedSpec } from "./artifacts.ts";
import { type Feed, isOnDevice, Session, type SessionOptions } from "./session.ts";

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

const zeros = (dtype: "float32" | "float64", spec: FeedSpec): Tensor =>
  tensor(dtype, spec.shape, allocate(dtype, spec.shape.reduce((a, b) => a * b, 1)));

/** Training state plus the sessions that advance it. */
export class Runner {
  /** Number of optimizer steps taken. */
  step = 0;
  private state: Record<string, Feed> = {};
  private download: Session | undefined;

  private constructor(
    readonly artifacts: Artifacts,
    private readonly train: Session,
    private readonly evaluate: Session,
    readonly params: Record<string, Feed>,
    readonly optimizerState: Record<string, Feed>,
    private masks: Random,
    private readonly dtype: "float32" | "float64",
    private readonly onDevice: boolean,
    private readonly deviceOptions: SessionOptions,
  ) {
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
    const carried = [
      ...artifacts.spec.params,
      ...artifacts.spec.optimizerState,
      ...artifacts.spec.state,
    ].map((p) => `${p.name}_out`);
    const [train, evaluate] = await Promise.all([
      Session.create(saveGraph(artifacts.train), {
        ...sessionOptions,
        source: "train.onnx",
        ...(onDevice ? { keepOnDevice: carried } : {}),
      }),
      Session.create(saveGraph(artifacts.eval), { ...sessionOptions, source: "eval.onnx" }),
    ]);
    const params: Record<string, Tensor> = {};
    for (const p of artifacts.spec.params) {
      const values = init.get(p.name);
      if (!values) throw new Error(`No initial value for parameter "${p.name}"`);
      const data = dtype === "float64" ? Float64Array.from(values) : Float32Array.from(values);
      params[p.name] = tensor(dtype, p.shape, data);
    }
    const optimizerState: Record<string, Tensor> = {};
    for (const s of artifacts.spec.optimizerState) optimizerState[s.name] = zeros(dtype, s);
    // Masks get their own stream so that changing anything else never shifts them.
    const masks = new Random(options.seed).fork();
    return new Runner(
      artifacts,
      train,
      evaluate,
      params,
      optimizerState,
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
   * Replaces parameters and optimizer state (e.g. from a checkpoint) and the step count.
   *
   * @param tensors Tensors by name; every parameter and optimizer state must be present.
   * @param step Optimizer steps already taken.
   */
  restore(tensors: ReadonlyMap<string, Tensor>, step: number): void {
    for (const slots of [this.params, this.optimizerState]) {
      for (const name of Object.keys(slots)) {
        const t = tensors.get(name);
        if (!t) throw new Error(`Cannot restore: the checkpoint has no tensor "${name}"`);
        if (t.dtype !== slots[name].dtype || t.dims.join() !== slots[name].dims.join()) {
          throw new Error(
            `Cannot restore "${name}": expected ${slots[name].dtype}[${
              slots[name].dims.join(", ")
            }], ` +
              `got ${t.dtype}[${t.dims.join(", ")}]`,
          );
        }
        const old = slots[name];
        slots[name] = t;
        if (isOnDevice(old)) old.onDevice.dispose();
      }
    }
    this.step = step;
  }

  /**
   * Parameters and optimizer state by name (for checkpoints), on the host.
   *
   * @returns The tensors.
   * @throws Error when some are still on the device: call `sync()` first.
   */
  tensors(): Map<string, Tensor> {
    const all = [...Object.entries(this.params), ...Object.entries(this.optimizerState)];
    const out = new Map<string, Tensor>();
    for (const [name, t] of all) {
      if (isOnDevice(t)) {
        throw new Error(`Runner.tensors(): "${name}" is on the device: sync() first`);
      }
      out.set(name, t);
    }
    return out;
  }

  /** Brings parameters and optimizer state from the device to the host (a no-op on the CPU). */
  async sync(): Promise<void> {
    const slots = { ...this.params, ...this.optimizerState };
    const onDevice = Object.entries(slots).filter(([, t]) => isOnDevice(t));
    if (!onDevice.length) return;
    // onnxruntime-node 1.30 aborts the process on Tensor.getData() of a GPU buffer; a graph
    // of Identity nodes with host outputs copies them instead (one run for all of them).
    this.download ??= await downloadSession(this.artifacts, this.dtype, this.deviceOptions);
    const host = await this.download.run(slots);
    for (const [name, t] of onDevice) {
      const target = name in this.params ? this.params : this.optimizerState;
      target[name] = host[`${name}_host`];
      if (isOnDevice(t)) t.onDevice.dispose();
    }
  }

  /**
   * Zeros the recurrent state (before each epoch's training and before validation).
   *
   * @param batch Rows of the batches that follow (default: the training batch size).
   */
  resetState(batch?: number): void {
    for (const t of Object.values(this.state)) if (isOnDevice(t)) t.onDevice.dispose();
    this.state = {};
    for (const s of this.artifacts.spec.state) {
      const shape = batch === undefined ? s.shape : [s.shape[0], batch, ...s.shape.slice(2)];
      this.state[s.name] = zeros(this.dtype, { name: s.name, shape });
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
      ...this.params,
      ...this.optimizerState,
      ...this.state,
      tokens: tensor("int64", batch.xDims, batch.x),
      targets: tensor("int64", batch.yDims, batch.y),
      lr: scalar(lr),
      mom: scalar(mom),
    };
    if (this.train.inputs.some((i) => i.name === "step")) feeds.step = scalar(this.step + 1);
    for (const m of spec.masks) {
      const size = m.shape.reduce((a, b) => a * b, 1);
      const values = m.module.sampleMask(this.masks, size);
      feeds[m.name] = tensor(
        this.dtype,
        m.shape,
        this.dtype === "float64" ? Float64Array.from(values) : values,
      );
    }
    const out = await this.train.run(feeds, undefined, true);
    this.step++;
    for (const slots of [this.params, this.optimizerState, this.state]) {
      for (const name of Object.keys(slots)) {
        const old = slots[name];
        slots[name] = out[`${name}_out`];
        // The device copy fed to this step is superseded: free its GPU memory now.
        if (isOnDevice(old)) old.onDevice.dispose();
      }
    }
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
    for (const [name, s] of Object.entries(this.state)) {
      if (s.dims[1] !== rows) {
        throw new Error(
          `Cannot evaluate a batch of ${rows} rows: the recurrent state "${name}" holds ` +
            `${s.dims[1]}; call resetState(${rows}) first`,
        );
      }
    }
    if (Object.values(this.params).some(isOnDevice)) await this.sync();
    const out = await this.evaluate.run({
      ...this.params,
      ...this.state,
      tokens: tensor("int64", batch.xDims, batch.x),
      targets: tensor("int64", batch.yDims, batch.y),
    });
    for (const name of Object.keys(this.state)) {
      const old = this.state[name];
      this.state[name] = out[`${name}_out`];
      if (isOnDevice(old)) old.onDevice.dispose(); // state a train step left on the device
    }
    return {
      lossSum: Number(out.loss_sum.data[0]),
      correct: Number(out.correct.data[0]),
      count: batch.y.length,
    };
  }

  /** Frees the sessions. */
  async release(): Promise<void> {
    for (const slots of [this.params, this.optimizerState, this.state]) {
      for (const t of Object.values(slots)) if (isOnDevice(t)) t.onDevice.dispose();
    }
    await Promise.all([
      this.train.release(),
      this.evaluate.release(),
      ...(this.download ? [this.download.release()] : []),
    ]);
  }
}

/** A graph that copies every parameter and optimizer state to the host: `<name>_host`. */
async function downloadSession(
  artifacts: Artifacts,
  dtype: "float32" | "float64",
  options: SessionOptions,
): Promise<Session> {
  const g = new Graph("download");
  for (const p of [...artifacts.spec.params, ...artifacts.spec.optimizerState]) {
    g.output(identity(g.input(p.name, dtype, p.shape)), `${p.name}_host`);
  }
  return await Session.create(saveGraph(g), { ...options, source: "download.onnx" });
}
