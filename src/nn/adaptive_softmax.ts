/**
 * Adaptive softmax (Grave et al. 2017; PyTorch's `AdaptiveLogSoftmaxWithLoss`): a head over
 * the `cutoffs[0]` most frequent tokens plus one entry per cluster, and per cluster a tail
 * that first projects the input to `inFeatures / divValue^(i+1)` features. Normalized exactly:
 * `log p(t) = log p_head(t)` for a shortlist token, `log p_head(cluster) + log p_tail(t)` in a
 * cluster.
 *
 * Static shapes: every tail runs on every row and the loss keeps each row's own cluster (a
 * mask), where PyTorch gathers each cluster's rows. The FLOPs saved come from the tails'
 * projections: at 256 features, 10,000 tokens and cutoffs [2000], a row costs 1.04M
 * multiply-adds against 2.56M for the full softmax.
 *
 * @module
 */

import type { Value } from "../graph/graph.ts";
import { tensor } from "../onnx/tensor.ts";
import { constant, constantScalar } from "../ops/constant.ts";
import { add, cast, equal, greater, mul, neg, sub, where } from "../ops/elementwise.ts";
import { reduceSum } from "../ops/reduce.ts";
import { lastAxisLogSoftmax } from "./loss.ts";
import { concat, slice, unsqueeze } from "../ops/shape.ts";
import type { BuildContext } from "./build_context.ts";
import type { AdaptiveHead, AdaptiveOutput } from "./language_model.ts";
import { Linear } from "./linear.ts";
import { Module } from "./module.ts";

/**
 * An adaptive softmax as a model's architecture records it (`Architecture.softmax`; absent
 * for the full softmax).
 */
export interface AdaptiveSoftmaxSpec {
  /** Always `"adaptive"`. */
  readonly kind: "adaptive";
  /** Token ids where the clusters start, increasing (the first is the shortlist's size). */
  readonly cutoffs: readonly number[];
  /** Each tail projects to `hidden / divValue^(i+1)` features (4). */
  readonly divValue: number;
}

/** How an adaptive softmax is shaped. */
export interface AdaptiveSoftmaxOptions {
  /** Each tail projects to `inFeatures / divValue^(i+1)` features (PyTorch's default 4). */
  readonly divValue?: number;
  /** A bias on the head (PyTorch's `head_bias`, default false). */
  readonly headBias?: boolean;
}

/** PyTorch's `div_value`: each tail projects to a quarter of the features before it. */
export const DEFAULT_DIV_VALUE = 4;

/**
 * An adaptive softmax in words, for run headers and descriptions.
 *
 * @param spec The architecture's adaptive softmax.
 * @returns `adaptive softmax (cutoffs 2000, 10000)`.
 */
export function describeSoftmax(spec: AdaptiveSoftmaxSpec): string {
  return `adaptive softmax (cutoffs ${spec.cutoffs.join(", ")})`;
}

/**
 * What is wrong with an adaptive softmax's sizes, or undefined when they fit: the cutoffs
 * must be increasing integers inside the vocabulary, and every tail's projection must keep at
 * least one feature. The one check of the constructor, the CLI and a saved architecture.
 *
 * @param inFeatures Input features (the model's hidden size).
 * @param vocab Tokens.
 * @param cutoffs Token ids where the clusters start.
 * @param divValue Each tail projects to `inFeatures / divValue^(i+1)` features.
 * @returns The problem, expected vs actual, or undefined.
 */
export function adaptiveSoftmaxProblem(
  inFeatures: number,
  vocab: number,
  cutoffs: readonly number[],
  divValue: number,
): string | undefined {
  const bad = cutoffs.length === 0 ||
    cutoffs.some((c, i) =>
      !Number.isInteger(c) || c < 1 || c >= vocab || (i > 0 && c <= cutoffs[i - 1])
    );
  if (bad) {
    return `cutoffs must be increasing integers from 1 to ${vocab - 1} (the vocabulary has ` +
      `${vocab} tokens): got [${cutoffs.join(", ")}]`;
  }
  if (!(Number.isInteger(divValue) && divValue >= 1)) {
    return `divValue must be an integer >= 1: got ${divValue}`;
  }
  const features = Math.floor(inFeatures / divValue ** cutoffs.length);
  if (features < 1) {
    return `the last of ${cutoffs.length} clusters would project ${inFeatures} features to ` +
      `${inFeatures} / ${divValue}^${cutoffs.length} < 1; use fewer cutoffs or a larger hidden ` +
      `size`;
  }
  return undefined;
}

/**
 * The cutoffs `--softmax adaptive` takes when none are given: 2,000, 10,000 and 50,000 where
 * each leaves a cluster at least a quarter of its start (Grave et al.'s shortlist of a few
 * thousand tokens; nearly 85% of a Zipf text's tokens at 10,000 words), else one cluster
 * after the most frequent fifth of a small vocabulary; no more clusters than leave the last
 * tail a projected feature at `hidden`.
 *
 * @param vocab Tokens.
 * @param hidden The model's hidden size (the softmax's input features).
 * @param divValue Each tail's projection divides the features by this once more.
 * @returns Increasing cutoffs inside the vocabulary (empty for a vocabulary under 2 tokens).
 */
export function defaultCutoffs(
  vocab: number,
  hidden: number,
  divValue = DEFAULT_DIV_VALUE,
): number[] {
  const fit = [2000, 10000, 50000].filter((c) => c * 1.25 <= vocab);
  const cutoffs = fit.length ? fit : vocab >= 2 ? [Math.max(1, Math.floor(vocab / 5))] : [];
  let clusters = cutoffs.length;
  while (clusters > 1 && Math.floor(hidden / divValue ** clusters) < 1) clusters--;
  return cutoffs.slice(0, clusters);
}

/**
 * One cluster's tail: a projection, then the cluster's logits. Its fields are named `0` and `1`
 * so that its parameters are PyTorch's `tail.<i>.0.weight` and `tail.<i>.1.weight` (a
 * `Sequential` of the two `Linear`s there).
 */
export class AdaptiveTail extends Module {
  /** The projection to fewer features. */
  readonly 0: Linear;
  /** The cluster's logits. */
  readonly 1: Linear;
  /**
   * A cluster's tail.
   *
   * @param inFeatures Input features.
   * @param hidden Features after the projection.
   * @param size Tokens in the cluster.
   */
  constructor(inFeatures: number, hidden: number, size: number) {
    super();
    this[0] = new Linear(inFeatures, hidden, { bias: false });
    this[1] = new Linear(hidden, size, { bias: false });
  }
}

/** The head and tails of an adaptive softmax over `vocab` tokens. */
export class AdaptiveSoftmax extends Module {
  /** `inFeatures` to the shortlist plus one logit per cluster. */
  readonly head: Linear;
  /** One tail per cluster (`tail.0`, `tail.1`, ...). */
  readonly tail: AdaptiveTail[];
  /** The shortlist's size, then each cluster's first token, then the vocabulary size. */
  readonly bounds: readonly number[];

  /**
   * An adaptive softmax over `vocab` tokens.
   *
   * @param inFeatures Input features.
   * @param vocab Tokens, most frequent first (the vocabulary's order must be by frequency).
   * @param cutoffs Increasing token ids where clusters start, each in `1..vocab-1`.
   * @param options `divValue` and `headBias`.
   * @throws RangeError for cutoffs that are not increasing integers inside the vocabulary,
   *   or a projection that would have no features.
   */
  constructor(
    readonly inFeatures: number,
    readonly vocab: number,
    readonly cutoffs: readonly number[],
    options: AdaptiveSoftmaxOptions = {},
  ) {
    super();
    const div = options.divValue ?? DEFAULT_DIV_VALUE;
    const problem = adaptiveSoftmaxProblem(inFeatures, vocab, cutoffs, div);
    if (problem) throw new RangeError(`Adaptive softmax: ${problem}`);
    this.bounds = [...cutoffs, vocab];
    this.head = new Linear(inFeatures, cutoffs[0] + cutoffs.length, {
      bias: options.headBias ?? false,
    });
    this.tail = cutoffs.map((c, i) =>
      new AdaptiveTail(inFeatures, Math.floor(inFeatures / div ** (i + 1)), this.bounds[i + 1] - c)
    );
  }

  /**
   * The softmax's input and parameter values in a graph, without applying it: a chunked loss
   * applies it piece by piece (`chunked_adaptive_loss.ts`).
   *
   * @param ctx The graph being built and the parameters' values.
   * @param x `[B, T, inFeatures]`.
   * @returns The input, its parameters' values, and the softmax to apply to any rows.
   */
  operands(ctx: BuildContext, x: Value): AdaptiveHead {
    return {
      input: x,
      values: this.namedParameters().map(([, p]) => [p, ctx.value(p)] as const),
      apply: (inner, rows) => this.forward(inner, rows),
      width: this.vocab + this.cutoffs.length,
    };
  }

  /**
   * Applies the softmax to `x`: the head and every tail once, from which both the
   * normalized log-probabilities and the loss are read.
   *
   * @param ctx The graph being built and the parameters' values.
   * @param x `[..., inFeatures]`.
   * @returns `logProbs` `[..., vocab]` (each row's exponentials sum to 1; PyTorch's
   *   `log_prob`) and `nll(targets)`, the negative log-likelihood of each target.
   */
  forward(ctx: BuildContext, x: Value): AdaptiveOutput {
    const norm = (v: Value) => lastAxisLogSoftmax(v, ctx.compositeLogSoftmax);
    const head = norm(this.head.forward(ctx, x));
    const tails = this.tail.map((t) => norm(t[1].forward(ctx, t[0].forward(ctx, x))));
    const shortlist = this.bounds[0];
    const entry = (i: number) => slice(head, [shortlist + i], [shortlist + i + 1], [-1]);
    let logProbs: Value | undefined;
    return {
      // Built when asked: a chunk of the training loss reads only the loss.
      get logProbs() {
        return logProbs ??= concat([
          slice(head, [0], [shortlist], [-1]),
          ...tails.map((t, i) => add(t, entry(i))),
        ], -1);
      },
      nll: (targets) => this.pick(head, tails, targets),
    };
  }

  /**
   * `-log p(target)`: the head's entry for the target (a shortlist token) or for its cluster,
   * plus, in a cluster, the tail's entry for it; every tail's entry is masked by whether the
   * target lies in its cluster (static shapes: no gather of a cluster's rows).
   */
  private pick(head: Value, tails: readonly Value[], targets: Value): Value {
    const g = head.graph;
    const dt = head.dtype as "float32" | "float64";
    // Ids compared as floats (exact below 2^24), as the one-piece loss does.
    const t = unsqueeze(cast(targets, dt), [-1]); // [..., 1]
    const shortlist = this.bounds[0];
    const scalar = (v: number) => constantScalar(g, dt, v);
    const range = (n: number) =>
      constant(g, tensor(dt, [n], Array.from({ length: n }, (_, i) => i)));
    const pickAt = (logp: Value, index: Value, n: number) =>
      reduceSum(mul(logp, cast(equal(index, range(n)), dt)), [-1], { keepdims: true });
    let headIndex = t;
    let total: Value | undefined;
    this.cutoffs.forEach((c, i) => {
      // 1 where the target lies in cluster i, else 0.
      const inside = mul(
        cast(greater(t, scalar(c - 0.5)), dt),
        cast(greater(scalar(this.bounds[i + 1] - 0.5), t), dt),
      );
      headIndex = where(greater(inside, scalar(0.5)), scalar(shortlist + i), headIndex);
      const local = mul(sub(t, scalar(c)), inside); // the id inside the cluster, 0 elsewhere
      const term = mul(pickAt(tails[i], local, this.bounds[i + 1] - c), inside);
      total = total ? add(total, term) : term;
    });
    const fromHead = pickAt(head, headIndex, shortlist + this.cutoffs.length);
    return neg(reduceSum(add(fromHead, total!), [-1], { keepdims: false }));
  }
}
