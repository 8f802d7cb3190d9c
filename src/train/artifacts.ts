/**
 * Training artifacts: from a language model, the four graphs stock onnxruntime runs.
 *
 * - `train`: params, optimizer state, batch, state, (dropout masks), lr, mom, step → `loss`,
 *   `<param>_out`, `adam.m.<param>_out`, `adam.v.<param>_out`, `h_out` (`c_out`).
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

import type { Graph } from "../graph/graph.ts";
import { Graph as GraphClass } from "../graph/graph.ts";
import { checkGraph } from "../graph/check.ts";
import { pruneUnused } from "../graph/prune.ts";
import type { Dim, Value } from "../graph/value.ts";
import { backward } from "../grad/backward.ts";
import { add } from "../ops/elementwise.ts";
import { Dropout } from "../nn/dropout.ts";
import type { LanguageModel, ModelOutput } from "../nn/language_model.ts";
import {
  activationRegularization,
  correctCount,
  crossEntropy,
  crossEntropySum,
  temporalActivationRegularization,
} from "../nn/loss.ts";
import { setTraining } from "../nn/mode.ts";
import { bindParameters, type Parameter } from "../nn/parameter.ts";
import { adam, type AdamOptions, adamScalars } from "../optim/adam.ts";
import type { FloatDType } from "../optim/update.ts";
import { sgd, sgdScalars } from "../optim/sgd.ts";

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
   * `LossOptions.composite`). CPU graphs keep the LogSoftmax node and their bits.
   */
  readonly webgpu?: boolean;
}

/** A tensor the training loop feeds. */
export interface FeedSpec {
  /** Input name. */
  readonly name: string;
  /** Static shape. */
  readonly shape: readonly number[];
}

/** What the training loop needs to know to feed the graphs. */
export interface ArtifactSpec {
  /** Parameters in input order, with their weight-decay flag. */
  readonly params: readonly (FeedSpec & { readonly decay: boolean })[];
  /** Optimizer state inputs (zeros before the first step), in input order. */
  readonly optimizerState: readonly FeedSpec[];
  /** Recurrent state inputs (`h`, `c`) at the training batch size. */
  readonly state: readonly FeedSpec[];
  /** Dropout masks of the train/grad graphs, with their drop probability. */
  readonly masks: readonly (FeedSpec & { readonly p: number; readonly module: Dropout })[];
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
  readonly targets: Value | undefined;
  readonly output: ModelOutput;
}

/** Declares inputs (params, tokens, targets, state) and runs the model's forward pass. */
function forward(
  model: LanguageModel,
  name: string,
  mode: "train" | "eval" | "infer",
  batch: Dim,
  seqLen: number,
  dtype: FloatDType,
): Forward {
  const g = new GraphClass(name);
  setTraining(g, mode === "train");
  const params = model.namedParameters().map(([key, p]): [string, Parameter, Value] => [
    key,
    p,
    g.input(key, dtype, p.shape),
  ]);
  bindParameters(g, new Map(params.map(([, p, v]) => [p, v])));
  const tokens = g.input("tokens", "int64", [batch, seqLen]);
  const state = model.state.map((s) => g.input(s.name, dtype, [s.layers, batch, s.hidden]));
  const output = model.forward(tokens, state);
  let targets: Value | undefined;
  if (mode !== "infer") targets = g.input("targets", "int64", output.logits.shape.slice(0, -1));
  return { g, params, targets, output };
}

function outputState(model: LanguageModel, f: Forward): void {
  model.state.forEach((s, i) => f.g.output(f.output.state[i], `${s.name}_out`));
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
  for (const [path, m] of model.namedModules()) {
    if (m instanceof Dropout) m.maskName = `${path}.mask`;
  }

  // train
  const t = forward(model, "train", "train", b, seqLen, dtype);
  const loss = { composite: options.webgpu ?? false };
  const ce = crossEntropy(t.output.logits, t.targets!, loss);
  const grads = backward(regularizedLoss(t, ce, options), t.params.map(([, , v]) => v));
  t.g.output(ce, "loss");
  const optimParams = t.params.map(([, p, v], i) => ({ param: v, grad: grads[i], decay: p.decay }));
  const opt = options.optimizer ?? { kind: "adam" };
  const optimizerState: FeedSpec[] = [];
  if (opt.kind === "adam") {
    const updates = adam(optimParams, adamScalars(t.g, dtype), opt);
    for (const u of updates) t.g.output(u.param, `${u.name}_out`);
    for (const u of updates) {
      for (const s of [u.m, u.v]) {
        t.g.output(s.output, `${s.input.name}_out`);
        optimizerState.push({ name: s.input.name, shape: s.input.shape as number[] });
      }
    }
  } else {
    const updates = sgd(optimParams, sgdScalars(t.g, dtype), { wd: opt.wd ?? 0 });
    for (const u of updates) t.g.output(u.param, `${u.name}_out`);
    for (const u of updates) {
      t.g.output(u.buf.output, `${u.buf.input.name}_out`);
      optimizerState.push({ name: u.buf.input.name, shape: u.buf.input.shape as number[] });
    }
  }
  outputState(model, t);

  // grad
  const gr = forward(model, "grad", "train", b, seqLen, dtype);
  const grCe = crossEntropy(gr.output.logits, gr.targets!, loss);
  const grTotal = regularizedLoss(gr, grCe, options);
  const grGrads = backward(grTotal, gr.params.map(([, , v]) => v));
  gr.g.output(grCe, "loss");
  gr.g.output(grTotal, "loss_total");
  gr.params.forEach(([key], i) => gr.g.output(grGrads[i], `grad.${key}`));
  outputState(model, gr);

  // eval
  const e = forward(model, "eval", "eval", "batch", seqLen, dtype);
  e.g.output(crossEntropySum(e.output.logits, e.targets!, loss), "loss_sum");
  e.g.output(correctCount(e.output.logits, e.targets!), "correct");
  outputState(model, e);

  // infer
  const inf = forward(model, "infer", "infer", "batch", seqLen, dtype);
  inf.g.output(inf.output.logits, "logits");
  outputState(model, inf);

  const masks = model.namedModules().flatMap(([, m]) => {
    if (!(m instanceof Dropout)) return [];
    const input = t.g.inputs.find((v) => v.name === m.maskName);
    return input ? [{ name: m.maskName, shape: input.shape as number[], p: m.p, module: m }] : [];
  });
  return {
    train: finish(t.g),
    grad: finish(gr.g),
    eval: finish(e.g),
    infer: finish(inf.g),
    spec: {
      params: t.params.map(([name, p]) => ({ name, shape: p.shape, decay: p.decay })),
      optimizerState,
      state: model.state.map((s) => ({ name: s.name, shape: [s.layers, b, s.hidden] })),
      masks,
      tokens: [b, seqLen],
      targets: t.targets!.shape as number[],
    },
  };
}
