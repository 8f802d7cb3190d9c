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
 * A large vocabulary's train, grad and eval graphs compute the decoder and the loss in
 * chunks of time steps inside a Loop (`chunked_loss.ts`), so that the whole logits never
 * exist at once; the outputs are the same. A model with an adaptive softmax gives its own
 * loss (`ModelOutput.nll`) and log-probabilities as `logits`; its chunks are
 * `chunked_adaptive_loss.ts`'s.
 *
 * @module
 */

import type { Graph, Value } from "../graph/graph.ts";
import { updatedName } from "../graph/updated_name.ts";
import { backward } from "../grad/backward.ts";
import { Dropout, maskName } from "../nn/dropout.ts";
import type { LanguageModel } from "../nn/language_model.ts";
import { correctCount, crossEntropy, crossEntropySum } from "../nn/loss.ts";
import { chunkedCrossEntropy, chunkedLossSum } from "../nn/chunked_loss.ts";
import { chunkedAdaptiveLoss, chunkedAdaptiveLossSum } from "../nn/chunked_adaptive_loss.ts";
import { reduceMean, reduceSum } from "../ops/reduce.ts";
import { clipGradNorm } from "../optim/clip_grad_norm.ts";
import {
  type ArtifactOptions,
  chunkSteps,
  finish,
  type Forward,
  forward,
  optimizerStep,
  outputState,
  regularizedLoss,
} from "./artifact_steps.ts";
import {
  type CarriedSpec,
  type FeedSpec,
  packsByDefault,
  type PartSpec,
  stateParts,
} from "./packing.ts";

export type { CarriedSpec, FeedSpec } from "./packing.ts";
export type { ArtifactOptions, OptimizerSpec } from "./artifact_steps.ts";

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

/** The train graph and what the loop feeds it. */
type TrainArtifact =
  & Pick<
    ArtifactSpec,
    "params" | "optimizerState" | "carried" | "masks" | "targets"
  >
  & { readonly graph: Graph };

/** One optimizer step: forward, backward and the update, with its feeding spec. */
function trainArtifact(model: LanguageModel, options: ArtifactOptions): TrainArtifact {
  const dtype = options.dtype ?? "float32";
  const t = forward(
    model,
    "train",
    "train",
    options.batchSize,
    options,
    options.pack ??
      (!options.webgpu && packsByDefault(model.namedParameters().map(([, p]) => p.shape))),
  );
  const held = t.paramInputs;
  const computed = lossAndGrads(t, options, held.map((h) => h.input));
  const ce = computed.ce;
  const grads = options.clipGradNorm === undefined
    ? computed.grads
    : clipGradNorm(computed.grads, options.clipGradNorm).grads;
  t.g.output(ce, "loss");
  const updates = optimizerStep(
    options.optimizer ?? { kind: "adam" },
    held.map((h, i) => ({ param: h.input, grad: grads[i], decay: h.decay })),
    t.g,
    dtype,
  );
  // Named as outputs where they are computed: no Identity copies a step's whole state.
  for (const u of updates) t.g.output(t.g.rename(u.param, updatedName(u.name)));
  for (const u of updates) {
    for (const s of u.states) t.g.output(t.g.rename(s.output, updatedName(s.input.name)));
  }
  // Each held input with its optimizer states, each state laid out as the input is.
  const slots = held.map((h, i) => ({
    held: h,
    states: updates[i].states.map((s) => ({ input: s.input, parts: stateParts(s.input.name, h) })),
  }));
  const spec = (input: Value, parts: readonly PartSpec[]): CarriedSpec => ({
    name: input.name,
    shape: input.shape as number[],
    parts,
  });
  const carried = [
    ...slots.map(({ held }) => spec(held.input, held.parts)),
    ...slots.flatMap(({ states }) => states.map((s) => spec(s.input, s.parts))),
  ];
  // The checkpoint lists each parameter's states together, as an unpacked graph declares them.
  const stateOf = new Map<string, FeedSpec[]>();
  for (const { held, states } of slots) {
    held.parts.forEach((p, j) =>
      stateOf.set(p.name, states.map((s) => ({ name: s.parts[j].name, shape: s.parts[j].shape })))
    );
  }
  outputState(model, t);
  const masks = model.namedModules().flatMap(([path, m]) => {
    if (!(m instanceof Dropout)) return [];
    const input = t.g.inputs.find((v) => v.name === maskName(path));
    return input ? [{ name: input.name, shape: input.shape as number[], p: m.p }] : [];
  });
  return {
    graph: finish(t.g),
    params: t.params.map(([name, p]) => ({ name, shape: p.shape, decay: p.decay })),
    optimizerState: t.params.flatMap(([key]) => stateOf.get(key) ?? []),
    carried,
    masks,
    targets: t.targets!.shape as number[],
  };
}

/**
 * The cross-entropy, the loss with AR/TAR, and its gradients for `wrt`: from the whole
 * logits, or in chunks (`chunkSteps`), whose gradients enter the backward pass as given (the
 * cross-entropy enters the loss with weight 1).
 */
function lossAndGrads(
  f: Forward,
  options: ArtifactOptions,
  wrt: readonly Value[],
): { ce: Value; total: Value; grads: Value[] } {
  const steps = chunkSteps(f, options, options.seqLen);
  if (steps > 0) {
    const { decoder, adaptive } = f.output;
    const chunked = decoder
      ? chunkedCrossEntropy(decoder, f.targets!, steps)
      : chunkedAdaptiveLoss(adaptive!, f.targets!, steps);
    const total = regularizedLoss(f, chunked.loss, options);
    const grads = backward(total, wrt, { detach: [chunked.loss], extra: chunked.grads });
    return { ce: chunked.loss, total, grads };
  }
  const ce = f.output.nll
    ? reduceMean(f.output.nll(f.targets!), [], { keepdims: false })
    : crossEntropy(f.output.logits, f.targets!, { composite: options.webgpu ?? false });
  const total = regularizedLoss(f, ce, options);
  return { ce, total, grads: backward(total, wrt) };
}

/** Loss and gradients, no update (for checks). */
function gradArtifact(model: LanguageModel, options: ArtifactOptions): Graph {
  const gr = forward(model, "grad", "train", options.batchSize, options);
  const { ce, total, grads } = lossAndGrads(gr, options, gr.params.map(([, , v]) => v));
  gr.g.output(ce, "loss");
  gr.g.output(total, "loss_total");
  gr.params.forEach(([key], i) => gr.g.output(grads[i], `grad.${key}`));
  outputState(model, gr);
  return finish(gr.g);
}

/** Summed loss and correct count over a batch of any size. */
function evalArtifact(model: LanguageModel, options: ArtifactOptions): Graph {
  const e = forward(model, "eval", "eval", "batch", {
    ...options,
    seqLen: options.evalSeqLen ?? options.seqLen,
  });
  const steps = chunkSteps(e, options, options.evalSeqLen ?? options.seqLen);
  if (steps > 0) {
    const { decoder, adaptive } = e.output;
    const chunked = decoder
      ? chunkedLossSum(decoder, e.targets!, steps)
      : chunkedAdaptiveLossSum(adaptive!, e.targets!, steps);
    e.g.output(chunked.lossSum, "loss_sum");
    e.g.output(chunked.correct, "correct");
  } else {
    const loss = { composite: options.webgpu ?? false };
    const sum = e.output.nll
      ? reduceSum(e.output.nll(e.targets!), [], { keepdims: false })
      : crossEntropySum(e.output.logits, e.targets!, loss);
    e.g.output(sum, "loss_sum");
    e.g.output(correctCount(e.output.logits, e.targets!), "correct");
  }
  outputState(model, e);
  return finish(e.g);
}

/** Logits and the new state, over a batch of any size. */
function inferArtifact(model: LanguageModel, options: ArtifactOptions): Graph {
  const inf = forward(model, "infer", "infer", "batch", options);
  inf.g.output(inf.output.logits, "logits");
  outputState(model, inf);
  return finish(inf.g);
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
  if (!Number.isInteger(b) || b < 1) throw new Error(`batchSize must be an integer >= 1: got ${b}`);
  const { graph: train, ...spec } = trainArtifact(model, options);
  return {
    train,
    grad: gradArtifact(model, options),
    eval: evalArtifact(model, options),
    infer: inferArtifact(model, options),
    spec: {
      params: spec.params,
      optimizerState: spec.optimizerState,
      carried: spec.carried,
      state: model.state.map((s) => ({ name: s.name, shape: [s.layers, b, s.hidden] })),
      masks: spec.masks,
      tokens: [b, seqLen],
      targets: spec.targets,
    },
  };
}
