/**
 * The steps the four training artifacts share: declaring a graph's inputs and running the
 * model's forward pass through a `BuildContext`, the loss with AR/TAR, the optimizer's update
 * nodes, the state outputs, and pruning and checking a finished graph.
 *
 * @module
 */

import { Graph, type Value } from "../graph/graph.ts";
import { checkGraph } from "../graph/check.ts";
import { pruneUnused } from "../graph/prune.ts";
import { updatedName } from "../graph/updated_name.ts";
import type { Dim } from "../graph/value.ts";
import { add } from "../ops/elementwise.ts";
import { BuildContext } from "../nn/build_context.ts";
import type { LanguageModel, ModelOutput } from "../nn/language_model.ts";
import { activationRegularization, temporalActivationRegularization } from "../nn/loss.ts";
import { lossChunkSteps } from "../nn/chunked_loss.ts";
import type { Parameter } from "../nn/parameter.ts";
import { adam, type AdamOptions, adamScalars } from "../optim/adam.ts";
import { sgd, sgdScalars } from "../optim/sgd.ts";
import type { FloatDType, OptimParam, StateUpdate } from "../optim/update.ts";
import { declareParameters, type ParamInput } from "./packing.ts";

/** The optimizer a train graph applies. */
export type OptimizerSpec =
  | ({ readonly kind: "adam" } & AdamOptions)
  | { readonly kind: "sgd"; readonly wd?: number };

/** How to build the artifacts. */
export interface ArtifactOptions {
  /** Rows per batch of the train and grad graphs (eval and infer have a symbolic batch). */
  readonly batchSize: number;
  /** Tokens per row. */
  readonly seqLen: number;
  /** Tokens per row of the eval graph, when validation rows are shorter (a short text). */
  readonly evalSeqLen?: number;
  /** Element type of parameters, state and activations (float32; float64 for gradient checks). */
  readonly dtype?: FloatDType;
  /** The train graph's optimizer (fastai's Adam by default). */
  readonly optimizer?: OptimizerSpec;
  /** Activation regularization weight (LMModel7: 2). */
  readonly ar?: number;
  /** Temporal activation regularization weight (LMModel7: 1). */
  readonly tar?: number;
  /**
   * Build for onnxruntime's WebGPU EP: the loss's log-softmax as ops it has kernels for (see
   * `LossOptions.composite`), and no node binding more than `MAX_NODE_TENSORS` tensors. Other
   * graphs keep the LogSoftmax node and join or split a sequence's steps in one node each.
   */
  readonly webgpu?: boolean;
  /**
   * Pack the train graph's parameters and optimizer state into one flat input per
   * weight-decay group (see `packing.ts`): fewer feeds and update nodes, the same bits.
   * Default: on for models under `PACK_LIMIT` floats, except for WebGPU, where one flat
   * buffer of a large model can pass the device's largest binding.
   */
  readonly pack?: boolean;
  /**
   * Time steps per chunk of the train, grad and eval graphs' decoder and loss
   * (`chunked_loss.ts`); 0 for one piece. Default: `lossChunkSteps` of the graph's sizes
   * (chunks only where the whole logits pass 16 MiB), and never for WebGPU, whose EP has
   * no Loop. Models without a linear decoder or an adaptive softmax are never chunked.
   */
  readonly lossChunk?: number;
  /**
   * Scale the train graph's gradients together to at most this global norm before the
   * update (PyTorch's `clip_grad_norm_`; nanoGPT's 1.0). Absent: no clipping.
   */
  readonly clipGradNorm?: number;
}

/**
 * Steps per chunk of a graph's loss (0: unchunked), from `ArtifactOptions.lossChunk` (the
 * most steps up to it that divide this graph's rows: a short text's eval rows can be shorter)
 * or the graph's sizes.
 *
 * @param f The graph's forward pass (its decoder head, if any).
 * @param options The artifacts' options.
 * @param seqLen Time steps per row of this graph.
 * @returns Steps per chunk, 0 for the one-piece loss.
 * @throws RangeError for a `lossChunk` that is not an integer >= 0.
 */
export function chunkSteps(f: Forward, options: ArtifactOptions, seqLen: number): number {
  const asked = options.lossChunk;
  if (asked !== undefined && (!Number.isInteger(asked) || asked < 0)) {
    throw new RangeError(`lossChunk must be an integer >= 0 (0: one piece): got ${asked}`);
  }
  const { decoder, adaptive } = f.output;
  if (!(decoder || adaptive) || options.webgpu) return 0;
  if (asked !== undefined) {
    let steps = Math.min(asked, seqLen);
    while (steps > 0 && seqLen % steps !== 0) steps--;
    return steps;
  }
  // An adaptive softmax's widest values per row: the head's and every tail's together.
  const width = decoder ? decoder.weight.shape[0] as number : adaptive!.width;
  return lossChunkSteps(options.batchSize, seqLen, width, options.dtype ?? "float32");
}

export interface Forward {
  readonly g: Graph;
  readonly params: readonly [string, Parameter, Value][];
  /** The inputs holding the parameters (one per parameter unless packed). */
  readonly paramInputs: readonly ParamInput[];
  readonly targets: Value | undefined;
  readonly output: ModelOutput;
}

/** Declares inputs (params, tokens, targets, state) and runs the model's forward pass. */
export function forward(
  model: LanguageModel,
  name: string,
  mode: "train" | "eval" | "infer",
  batch: Dim,
  options: ArtifactOptions,
  packed = false,
): Forward {
  const { seqLen, dtype = "float32" } = options;
  const g = new Graph(name, options.webgpu ? {} : { maxNodeTensors: Infinity });
  const named = model.namedParameters();
  const declared = declareParameters(
    g,
    named.map(([key, p]) => ({ name: key, shape: p.shape, decay: p.decay })),
    dtype,
    packed,
  );
  const params = named.map(([key, p], i): [string, Parameter, Value] => [
    key,
    p,
    declared.values[i],
  ]);
  const tokens = g.input("tokens", "int64", [batch, seqLen]);
  const state = model.state.map((s) => g.input(s.name, dtype, [s.layers, batch, s.hidden]));
  const ctx = new BuildContext(g, {
    training: mode === "train",
    parameters: new Map(params.map(([, p, v]) => [p, v])),
    // Modules name the inputs they declare (dropout masks) by their path in the model.
    names: new Map(model.namedModules().map(([path, m]) => [m, path])),
    compositeLogSoftmax: options.webgpu ?? false,
  });
  const output = model.forward(ctx, tokens, state);
  let targets: Value | undefined;
  if (mode !== "infer") targets = g.input("targets", "int64", output.logits.shape.slice(0, -1));
  return { g, params, paramInputs: declared.inputs, targets, output };
}

export function outputState(model: LanguageModel, f: Forward): void {
  model.state.forEach((s, i) => f.g.output(f.output.state[i], updatedName(s.name)));
}

/** CE plus the recipe's AR/TAR terms: the loss the gradient is taken of. */
export function regularizedLoss(f: Forward, ce: Value, options: ArtifactOptions): Value {
  let total = ce;
  if (options.ar) {
    if (!f.output.out) throw new Error(`AR needs a model that returns its dropped-out activations`);
    total = add(total, activationRegularization(f.output.out, options.ar));
  }
  if (options.tar) {
    if (!f.output.raw) throw new Error(`TAR needs a model that returns its raw activations`);
    total = add(total, temporalActivationRegularization(f.output.raw, options.tar));
  }
  return total;
}

export function finish(g: Graph): Graph {
  pruneUnused(g);
  checkGraph(g);
  return g;
}

/** One optimizer update: the new value of a parameter input and its state tensors. */
export interface OptimizerUpdate {
  readonly name: string;
  readonly param: Value;
  readonly states: readonly StateUpdate[];
}

/** The optimizer's update nodes for every parameter input, whichever the optimizer. */
export function optimizerStep(
  opt: OptimizerSpec,
  params: readonly OptimParam[],
  g: Graph,
  dtype: FloatDType,
): OptimizerUpdate[] {
  if (opt.kind === "adam") {
    return adam(params, adamScalars(g, dtype), opt).map((u) => ({ ...u, states: [u.m, u.v] }));
  }
  return sgd(params, sgdScalars(g, dtype), { wd: opt.wd ?? 0 }).map((u) => ({
    ...u,
    states: [u.buf],
  }));
}
