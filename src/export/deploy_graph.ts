/**
 * Deployment graphs: a model's forward pass with its trained weights as initializers, no
 * training nodes and no dropout, and a symbolic batch.
 *
 * @module
 */

import { checkGraph } from "../graph/check.ts";
import { Graph } from "../graph/graph.ts";
import { pruneUnused } from "../graph/prune.ts";
import type { Value } from "../graph/graph.ts";
import type { LanguageModel } from "../nn/language_model.ts";
import { BuildContext } from "../nn/build_context.ts";
import type { Parameter } from "../nn/parameter.ts";
import { concat, slice, unsqueeze } from "../ops/shape.ts";
import { storeWeight, type WeightStorage } from "./weight_storage.ts";
import { updatedName } from "../graph/updated_name.ts";

/** Which graph to build. */
export interface DeployGraphOptions {
  /** Graph name in the file. */
  readonly name: string;
  /**
   * Tokens per call: 1 for the one-step graph of a recurrent model, N for `--seq N`, and
   * the model's fixed context (3) for LMModel1/2.
   */
  readonly steps: number;
  /** How the weights are stored (float32). */
  readonly weights?: WeightStorage;
}

/**
 * Builds the deployment graph of a model with trained weights.
 *
 * Recurrent models map `tokens [batch, steps]` and their state to `logits [batch, steps,
 * vocab]` (one prediction per token) and the new state; stateless models (LMModel1/2) map
 * `tokens [batch, steps]` to `logits [batch, vocab]`.
 *
 * @param model The model.
 * @param weights Trained values by parameter name (every parameter, once).
 * @param options Name and tokens per call.
 * @returns The checked graph.
 */
export function buildDeployGraph(
  model: LanguageModel,
  weights: ReadonlyMap<string, Float32Array>,
  options: DeployGraphOptions,
): Graph {
  const g = new Graph(options.name);
  const bound = new Map<Parameter, Value>();
  for (const [name, p] of model.namedParameters()) {
    const data = weights.get(name);
    if (!data) throw new Error(`Cannot export: no trained value for parameter "${name}"`);
    bound.set(p, storeWeight(g, name, p.shape, data, options.weights ?? "float32"));
  }
  const ctx = new BuildContext(g, { parameters: bound });
  const tokens = g.input("tokens", "int64", ["batch", options.steps]);
  const state = model.state.map((s) => g.input(s.name, "float32", [s.layers, "batch", s.hidden]));
  if (model.state.length === 0) {
    g.output(model.forward(ctx, tokens, []).logits, "logits");
  } else {
    const { logits, state: next } = recurrentLogits(ctx, model, tokens, state, options.steps);
    g.output(logits, "logits");
    model.state.forEach((s, i) => g.output(next[i], updatedName(s.name)));
  }
  pruneUnused(g);
  checkGraph(g);
  return g;
}

/**
 * One prediction per token. Models that predict after every token (LMModel4+) run once over
 * all steps; LMModel3, which predicts after its last token only, is unrolled step by step.
 */
function recurrentLogits(
  ctx: BuildContext,
  model: LanguageModel,
  tokens: Value,
  state: readonly Value[],
  steps: number,
): { logits: Value; state: readonly Value[] } {
  const whole = model.forward(ctx, tokens, state);
  if (whole.logits.shape.length === 3) return whole;
  if (steps === 1) return { logits: unsqueeze(whole.logits, [1]), state: whole.state };
  const perStep: Value[] = [];
  let carried = state;
  for (let t = 0; t < steps; t++) {
    const out = model.forward(ctx, slice(tokens, [t], [t + 1], [1]), carried);
    perStep.push(unsqueeze(out.logits, [1]));
    carried = out.state;
  }
  return { logits: concat(perStep, 1), state: carried };
}
