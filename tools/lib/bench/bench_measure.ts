/**
 * The measurements of `deno task bench` for one configuration: training step, one epoch with
 * validation, one evaluation batch, session creation, peak RSS, node counts, FLOPs per step
 * (counted from the graph) and the rate achieved, plus the exported step graph's per-token
 * latency and batched generation throughput. Every timing is taken after a warm-up and
 * reported as the median and the 10th-90th percentiles over the repeats.
 *
 * @module
 */

import { exportModel } from "../../../src/export/export_model.ts";
import { countFlops } from "../../../src/graph/flops.ts";
import { saveGraph } from "../../../src/graph/model_io.ts";
import { type Tensor, tensor } from "../../../src/onnx/tensor.ts";
import { HUMAN_NUMBERS_TOKENIZER } from "../../../src/data/tokenizer.ts";
import { rowsOfTokens } from "../../../src/data/stream_batches.ts";
import { PAST_DIM } from "../../../src/export/kv_cache_state.ts";
import { buildArtifacts } from "../../../src/train/artifacts.ts";
import type { Learner } from "../../../src/train/learner.ts";
import { startRun } from "../../../src/run/start_run.ts";
import { Session, type SessionOptions } from "../../../src/runtime/session.ts";
import type { BenchConfig } from "./bench_configs.ts";
import { median } from "./machine.ts";

/** Median and spread of repeated timings, in the unit of the field's name. */
export interface Spread {
  readonly median: number;
  readonly p10: number;
  readonly p90: number;
  /** Samples taken. */
  readonly n: number;
}

/** Everything measured for one configuration. */
export interface BenchResult {
  readonly config: string;
  readonly data: string;
  /** One optimizer step (`session.run` of the train graph plus feeding it), in ms. */
  readonly stepMs: Spread;
  readonly stepsPerSecond: number;
  readonly tokensPerSecond: number;
  /** One epoch with validation, in s (as the learner reports it). */
  readonly epochS: Spread;
  /** Training batches per epoch. */
  readonly epochSteps: number;
  /** One validation batch, in ms. */
  readonly evalMs: Spread;
  /** Opening the train graph's session, in ms. */
  readonly sessionMs: Spread;
  /** Building the four graphs, in ms. */
  readonly buildMs: number;
  /**
   * The peak resident memory of training this configuration (session, steps, validation,
   * the fit), in MiB: Linux's VmHWM, reset before it where Linux allows (`resetPeakRss`).
   */
  readonly peakRssMiB: number;
  readonly nodes: { readonly train: number; readonly infer: number };
  /** FLOPs of one training step, counted from the train graph. */
  readonly flopsPerStep: number;
  /** `flopsPerStep` over the median step time. */
  readonly gflops: number;
  /** Exported step graph, batch 1: one token, in ms. */
  readonly tokenMs: Spread;
  /** Exported step graph at batch 64: tokens generated per second. */
  readonly batchedTokensPerSecond: number;
}

/**
 * Percentiles of samples (nearest rank).
 *
 * @param samples The values.
 * @returns Median, p10, p90 and count.
 */
export function spread(samples: readonly number[]): Spread {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))];
  return { median: median(s), p10: at(0.1), p90: at(0.9), n: s.length };
}

/**
 * Starts a new peak for `peakRssMiB` (Linux: writing 5 to `/proc/self/clear_refs` resets
 * VmHWM to the current RSS), so that each configuration's peak is its own, not the most of
 * every one measured before it in the process.
 *
 * @returns Whether the peak was reset.
 */
export function resetPeakRss(): boolean {
  try {
    Deno.writeTextFileSync("/proc/self/clear_refs", "5");
    return true;
  } catch {
    return false;
  }
}

/** Linux's peak resident set (VmHWM) in MiB, else the current RSS. */
export function peakRssMiB(): number {
  try {
    const status = Deno.readTextFileSync("/proc/self/status");
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
    if (kb) return Number(kb) / 1024;
  } catch {
    // Not Linux: the current RSS is the best there is.
  }
  return Deno.memoryUsage().rss / 2 ** 20;
}

async function timed(run: () => Promise<unknown>, repeats: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await run();
    out.push(performance.now() - start);
  }
  return out;
}

/**
 * Measures one configuration.
 *
 * @param c The configuration.
 * @param options `repeat` (timed samples per figure), `epochs` (epochs timed), `session`
 *   (device and threads), `lossChunk` (steps per chunk of the loss; default by size).
 * @returns The figures.
 */
export async function measure(
  c: BenchConfig,
  options: { repeat: number; epochs: number; session: SessionOptions; lossChunk?: number },
): Promise<BenchResult> {
  const { repeat, session, lossChunk } = options;
  const chunk = lossChunk !== undefined ? { lossChunk } : {};
  const data = c.batches();
  const model = c.entry.create(c.arch);
  const start = performance.now();
  const artifacts = buildArtifacts(model, {
    batchSize: c.recipe.batchSize,
    seqLen: c.recipe.seqLen,
    optimizer: { kind: "adam", wd: c.recipe.wd },
    ...(c.recipe.ar ? { ar: c.recipe.ar } : {}),
    ...(c.recipe.tar ? { tar: c.recipe.tar } : {}),
    ...(session.device === "webgpu" ? { webgpu: true } : {}),
    ...chunk,
  });
  const trainBytes = saveGraph(artifacts.train);
  const buildMs = performance.now() - start;
  const sessionMs = await timed(async () => {
    const s = await Session.create(trainBytes, { threads: 1, ...session, source: "train.onnx" });
    await s.release();
  }, Math.max(1, Math.min(repeat, 3)));

  resetPeakRss();
  const learner = await startRun({ ...c, data, seed: 42 }, { session, ...chunk });
  try {
    const runner = learner.runner;
    const steps = data.train.length;
    const batch = (i: number) => data.train.batch(i % steps);
    // Warm-up: the first runs allocate onnxruntime's arenas and pick kernels.
    for (let i = 0; i < 2; i++) await runner.trainStep(batch(i), 1e-3, 0.9);
    let k = 2;
    const stepMs = await timed(() => runner.trainStep(batch(k++), 1e-3, 0.9), repeat);
    await runner.sync();
    runner.resetState(data.valid.batch(0).xDims[0]);
    await runner.evalStep(data.valid.batch(0));
    const evalMs = await timed(async () => {
      runner.resetState(data.valid.batch(0).xDims[0]);
      await runner.evalStep(data.valid.batch(0));
    }, repeat);
    const rows = await learner.fit(options.epochs, c.recipe.lrMax);
    const flopsPerStep = countFlops(artifacts.train).total;
    const step = spread(stepMs);
    const tokensPerStep = batch(0).y.length;
    // Training's peak: the export and the inference session measured next are not training.
    const trainingPeak = peakRssMiB();
    const inference = await measureInference(c, learner.model, learner, session, repeat);
    return {
      config: c.name,
      data: c.data,
      stepMs: step,
      stepsPerSecond: 1000 / step.median,
      tokensPerSecond: (1000 / step.median) * tokensPerStep,
      epochS: spread(rows.map((r) => r.time)),
      epochSteps: steps,
      evalMs: spread(evalMs),
      sessionMs: spread(sessionMs),
      buildMs,
      peakRssMiB: trainingPeak,
      nodes: { train: artifacts.train.nodes.length, infer: artifacts.infer.nodes.length },
      flopsPerStep,
      gflops: flopsPerStep / (step.median * 1e6),
      ...inference,
    };
  } finally {
    await learner.release();
  }
}

/** The exported step graph: one token at batch 1, and a step at batch 64. */
async function measureInference(
  c: BenchConfig,
  model: ReturnType<BenchConfig["entry"]["create"]>,
  learner: Learner,
  session: SessionOptions,
  repeat: number,
): Promise<{ tokenMs: Spread; batchedTokensPerSecond: number }> {
  const weights = new Map<string, Float32Array>();
  // Views: the export copies what it keeps, before any other step.
  for (const [name, t] of learner.runner.tensorViews()) {
    if (t.dtype === "float32") weights.set(name, t.data as Float32Array);
  }
  const vocab = Array.from({ length: c.arch.vocabSize }, (_, i) => `t${i}`);
  const context = rowsOfTokens(c.recipe.data) ? 1 : 3;
  const { sidecar, files } = exportModel(model, weights, {
    name: c.entry.name,
    description: c.name,
    vocab,
    tokenizer: HUMAN_NUMBERS_TOKENIZER,
    metrics: { accuracy: 0, valid_loss: 0, epochs: 0 },
    recipe: c.recipe,
    seed: 42,
    context,
  });
  const s = await Session.create(files.get(sidecar.file)!, {
    threads: 1,
    ...session,
    source: sidecar.file,
  });
  try {
    // A cached model's step: one token after a full cache (its costliest step); the others
    // read `context` tokens (1 for the recurrent models).
    const cached = sidecar.kind === "cached";
    const past = cached ? sidecar.context - 1 : 0;
    const width = cached ? 1 : sidecar.context;
    const feeds = (rows: number): Record<string, Tensor> => {
      const f: Record<string, Tensor> = {
        tokens: tensor("int64", [rows, width], new BigInt64Array(rows * width)),
        ...(cached ? { position: tensor("int64", [1], [BigInt(past)]) } : {}),
      };
      for (const st of sidecar.state) {
        const dims = st.shape.map((d) => typeof d === "number" ? d : d === PAST_DIM ? past : rows);
        f[st.name] = tensor("float32", dims, new Float32Array(dims.reduce((a, b) => a * b, 1)));
      }
      return f;
    };
    const one = feeds(1);
    const batched = feeds(64);
    await s.run(one);
    await s.run(batched);
    // Many runs per sample: one token takes microseconds, below the timer's noise.
    const perSample = 50;
    const tokenMs = (await timed(async () => {
      for (let i = 0; i < perSample; i++) await s.run(one);
    }, repeat)).map((ms) => ms / perSample);
    const batchMs = spread(await timed(() => s.run(batched), repeat));
    return { tokenMs: spread(tokenMs), batchedTokensPerSecond: 64_000 / batchMs.median };
  } finally {
    await s.release();
  }
}
