/**
 * Training artifacts: from a language model, the four graphs stock onnxruntime runs.
 *
 * - `train`: params, optimizer state, batch, state, (dropout masks), lr, mom, step → `loss`,
 *   `<param>_out`, `adam.m.<param>_out`, `adam.v.<param>_out`, `h_out` (`c_out`). Packed
 *   (the default off WebGPU), the params are the flat `packed:decayed` (`packed:undecayed`)
 *   and their state `adam.m.packed:decayed`, ...; `spec.carried` says where each named
 *   tensor lies in them.
 * - `grad`: params, batch, state, (masks) → `loss`, `loss_total` (with AR/TAR: the loss the
 *   gradients are of), `grad.<param>`, `h_out` (`c_out`).
 * - `eval`: params, batch, state → `loss_sum`, `correct`, `h_out` (`c_out`), with a symbolic
 *   batch (fastai keeps the last partial validation batch of LMModel1/2).
 * - `infer`: params, tokens, state → `logits`, `h_out` (`c_out`), with a symbolic batch.
 *
 * Every value fed back next step is an input `X` with an output `X_out`. `loss` is the
 * cross-entropy that fastai reports; the gradient also includes AR/TAR when the recipe has
 * them (fastai adds them to the loss it differentiates, not to the one it reports).
 *
 * @module
 */

import { Graph, type Value } from "../graph/graph.ts";
import { checkGraph } from "../graph/check.ts";
import { pruneUnused } from "../graph/prune.ts";
import type { Dim } from "../graph/value.ts";
import { backward } from "../grad/backward.ts";
import { add } from "../ops/elementwise.ts";
import { Dropout, maskName } from "../nn/dropout.ts";
import type { LanguageModel, ModelOutput } from "../nn/language_model.ts";
import {
  activationRegularization,
  correctCount,
  crossEntropy,
  crossEntropySum,
  temporalActivationRegularization,
} from "../nn/loss.ts";
import { BuildContext } from "../nn/build_context.ts";
import type { Parameter } from "../nn/parameter.ts";
import { adam, type AdamOptions, adamScalars } from "../optim/adam.ts";
import type { FloatDType, OptimParam, StateUpdate } from "../optim/update.ts";
import { sgd, sgdScalars } from "../optim/sgd.ts";
import {
  type CarriedSpec,
  declareParameters,
  type FeedSpec,
  type ParamInput,
  stateParts,
} from "./packing.ts";

export type { CarriedSpec, FeedSpec } from "./packing.ts";
import { updatedName } from "../graph/updated_name.ts";

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
   * Default: on, except for WebGPU, where one flat buffer of a large model can pass the
   * device's largest binding.
   */
  readonly pack?: boolean;
}

/** What the training loop needs to know to feed the graphs. */
export interface ArtifactSpec {
  /** Parameters in the model's order, with their weight-decay flag: the inputs of `grad`,
   * `eval` and `infer`, and the checkpoint's names. */
  readonly params: readonly (FeedSpec & { readonly decay: boolean })[];
  /** Optimizer state tensors (zeros before the first step), in checkpoint order. */
  readonly optimizerState: readonly FeedSpec[];
  /**
   * The train graph's inputs that hold parameters and optimizer state, each fed back from its
   * `<name>_out`: parameter inputs first, then state, in input order.
   */
  readonly carried: readonly CarriedSpec[];
  /** Recurrent state inputs (`h`, `c`) at the training batch size. */
  readonly state: readonly FeedSpec[];
  /** Dropout masks of the train/grad graphs, with their drop probability. */
  readonly masks: readonly (FeedSpec & { readonly p: number })[];
  /** `tokens` and `targets` shapes. */
  readonly tokens: readonly number[];
  /** Shape of the targets input. */
  readonly targets: readonly number[];
}

/** The four graphs and their feeding spec. */
export interface Artifacts {
  /** One optimizer step: forward, backward and update. */
  readonly train: Graph;
  /** Loss and gradients, no update (for checks). */
  readonly grad: Graph;
  /** Summed loss and correct count (symbolic batch). */
  readonly eval: Graph;
  /** Logits and new state (symbolic batch). */
  readonly infer: Graph;
  /** What the training loop feeds. */
  readonly spec: ArtifactSpec;
}

interface Forward {
  readonly g: Graph;
  readonly params: readonly [string, Parameter, Value][];
  /** The inputs holding the parameters (one per parameter unless packed). */
  readonly paramInputs: readonly ParamInput[];
  readonly targets: Value | undefined;
  readonly output: ModelOutput;
}

/** Declares inputs (params, tokens, targets, state) and runs the model's forward pass. */
function forward(
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
  });
  const output = model.forward(ctx, tokens, state);
  let targets: Value | undefined;
  if (mode !== "infer") targets = g.input("targets", "int64", output.logits.shape.slice(0, -1));
  return { g, params, paramInputs: declared.inputs, targets, output };
}

function outputState(model: LanguageModel, f: Forward): void {
  model.state.forEach((s, i) => f.g.output(f.output.state[i], updatedName(s.name)));
}

/** CE plus the recipe's AR/TAR terms: the loss the gradient is taken of. */
function regularizedLoss(f: Forward, ce: Value, options: ArtifactOptions): Value {
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

function finish(g: Graph): Graph {
  pruneUnused(g);
  checkGraph(g);
  return g;
}

/** One optimizer update: the new value of a parameter input and its state tensors. */
interface OptimizerUpdate {
  readonly name: string;
  readonly param: Value;
  readonly states: readonly StateUpdate[];
}

/** The optimizer's update nodes for every parameter input, whichever the optimizer. */
function optimizerStep(
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

/**
 * Builds the train, grad, eval and infer graphs of a model, each pruned and checked.
 *
 * @param model The language model.
 * @param options Batch size, sequence length, optimizer, AR/TAR weights.
 * @returns The graphs and what the training loop must feed them.
 */
export function buildArtifacts(model: LanguageModel, options: ArtifactOptions): Artifacts {
  const { batchSize: b, seqLen } = options;
  const dtype = options.dtype ?? "float32";
  if (!Number.isInteger(b) || b < 1) throw new Error(`batchSize must be an integer >= 1: got ${b}`);

  // train
  const t = forward(model, "train", "train", b, options, options.pack ?? !options.webgpu);
  const loss = { composite: options.webgpu ?? false };
  const ce = crossEntropy(t.output.logits, t.targets!, loss);
  const held = t.paramInputs;
  const grads = backward(regularizedLoss(t, ce, options), held.map((h) => h.input));
  t.g.output(ce, "loss");
  const updates = optimizerStep(
    options.optimizer ?? { kind: "adam" },
    held.map((h, i) => ({ param: h.input, grad: grads[i], decay: h.decay })),
    t.g,
    dtype,
  );
  for (const u of updates) t.g.output(u.param, updatedName(u.name));
  for (const u of updates) {
    for (const s of u.states) t.g.output(s.output, updatedName(s.input.name));
  }
  const states = updates.map((u, i) => u.states.map((s) => stateParts(s.input.name, held[i])));
  const carried: CarriedSpec[] = [
    ...held.map((h) => ({ name: h.input.name, shape: h.input.shape as number[], parts: h.parts })),
    ...updates.flatMap((u, i) =>
      u.states.map((s, k) => ({
        name: s.input.name,
        shape: s.input.shape as number[],
        parts: states[i][k],
      }))
    ),
  ];
  // The checkpoint lists each parameter's states together, as an unpacked graph declares them.
  const stateOf = new Map<string, FeedSpec[]>();
  states.forEach((kinds, i) =>
    held[i].parts.forEach((p, j) =>
      stateOf.set(p.name, kinds.map((parts) => ({ name: parts[j].name, shape: parts[j].shape })))
    )
  );
  const optimizerState = t.params.flatMap(([key]) => stateOf.get(key) ?? []);
  outputState(model, t);

  // grad
  const gr = forward(model, "grad", "train", b, options);
  const grCe = crossEntropy(gr.output.logits, gr.targets!, loss);
  const grTotal = regularizedLoss(gr, grCe, options);
  const grGrads = backward(grTotal, gr.params.map(([, , v]) => v));
  gr.g.output(grCe, "loss");
  gr.g.output(grTotal, "loss_total");
  gr.params.forEach(([key], i) => gr.g.output(grGrads[i], `grad.${key}`));
  outputState(model, gr);

  // eval
  const e = forward(model, "eval", "eval", "batch", options);
  e.g.output(crossEntropySum(e.output.logits, e.targets!, loss), "loss_sum");
  e.g.output(correctCount(e.output.logits, e.targets!), "correct");
  outputState(model, e);

  // infer
  const inf = forward(model, "infer", "infer", "batch", options);
  inf.g.output(inf.output.logits, "logits");
  outputState(model, inf);

  const masks = model.namedModules().flatMap(([path, m]) => {
    if (!(m instanceof Dropout)) return [];
    const input = t.g.inputs.find((v) => v.name === maskName(path));
    return input ? [{ name: input.name, shape: input.shape as number[], p: m.p }] : [];
  });
  return {
    train: finish(t.g),
    grad: finish(gr.g),
    eval: finish(e.g),
    infer: finish(inf.g),
    spec: {
      params: t.params.map(([name, p]) => ({ name, shape: p.shape, decay: p.decay })),
      optimizerState,
      carried,
      state: model.state.map((s) => ({ name: s.name, shape: [s.layers, b, s.hidden] })),
      masks,
      tokens: [b, seqLen],
      targets: t.targets!.shape as number[],
    },
  };
}
