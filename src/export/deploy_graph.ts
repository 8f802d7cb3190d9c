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
import { type CachedStep, hasKvCache, type LanguageModel } from "../nn/language_model.ts";
import { kvCacheState } from "./kv_cache_state.ts";
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
 * `tokens [batch, steps]` to `logits [batch, vocab]`; models with attention caches (the GPT)
 * map any number of tokens, their first `position` and the caches to logits and the caches
 * (`options.steps` is then ignored).
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
  if (hasKvCache(model)) {
    cachedStep(ctx, model);
    pruneUnused(g);
    checkGraph(g);
    return g;
  }
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
 * A cached model's step graph: `tokens [batch, steps]` after `position` and the caches
 * (`kv_cache_state.ts`) to `logits [batch, steps, vocab]` and the caches with the new positions
 * appended. Any number of tokens per call, up to the model's block in all.
 */
function cachedStep(ctx: BuildContext, model: LanguageModel & CachedStep): void {
  const g = ctx.graph;
  const tokens = g.input("tokens", "int64", ["batch", "steps"]);
  const position = g.input("position", "int64", [1]);
  const state = kvCacheState(model.kvCache).map((s) => g.input(s.name, "float32", s.shape));
  const past = Array.from(
    { length: model.kvCache.layers },
    (_, i) => ({ keys: state[2 * i], values: state[2 * i + 1] }),
  );
  const out = model.step(ctx, tokens, position, past);
  g.output(out.logits, "logits");
  out.present.forEach((p, i) => {
    g.output(p.keys, updatedName(state[2 * i].name));
    g.output(p.values, updatedName(state[2 * i + 1].name));
  });
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
