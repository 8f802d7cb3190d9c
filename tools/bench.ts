/**
 * `deno task bench`: the speed of every configuration of the suite (`bench_configs.ts`):
 * training step, epoch, evaluation batch, session creation, peak memory, node counts, FLOPs
 * per step and the share of the machine's best matrix rate they reach (onnxruntime's MatMul,
 * or OpenBLAS's sgemm when it is installed and faster), and the exported step
 * graph's latency and batched throughput. Medians with p10-p90 over `--repeat` samples after
 * a warm-up. Prints a table (or JSON) and appends the run to `docs/BENCHMARKS.md` with the
 * CPU, cores, date and commit. These machines are noisy: compare medians, not single runs.
 *
 * @module
 */

import type { GraphOptimizationLevel } from "../src/runtime/session.ts";
import { intFlag, parseFlags, runTool, UsageError } from "./lib/cli/cli.ts";
import { pickConfigs } from "./lib/bench/bench_configs.ts";
import { type BenchResult, measure, type Spread } from "./lib/bench/bench_measure.ts";
import { deviceFlags } from "./lib/device/device.ts";
import { atPath } from "./lib/cli/fs_errors.ts";
import { writeFileAtomic } from "./lib/cli/atomic.ts";
import { machineLine } from "./lib/bench/machine.ts";
import { nodeBackend } from "../src/runtime/backend.ts";
import { measureMatMulPeak } from "./lib/bench/matmul_peak.ts";
import { measureBlasPeak } from "./lib/bench/blas_peak.ts";
import { markdownTable } from "./lib/cli/markdown.ts";

const USAGE =
  `Usage: deno task bench [configs...] [--repeat N] [--epochs N] [--threads N] [--inter-op N]
                       [--opt-level L] [--mem-pattern M] [--arena A] [--loss-chunk C] [--spinning S] [--device D] [--device-id N] [--json]
                       [--record FILE | --no-record]

Configurations: lm1..lm7 and gru at the book's size on Human Numbers; lstm-h256 and lstm-h1024
(lm6's LSTM at hidden 256 / 1024, vocabulary 10,000, bs 64, sl 64, generated words);
lstm-h256-v60k (vocabulary 60,000); each of the three with -adaptive (an adaptive softmax at
the default cutoffs: 2000 at 10,000 words, 2000,10000 at 60,000). Default: lm1 lm6 lm7
lstm-h256 lstm-h1024.

  --repeat N    timed samples per figure, after a warm-up (default 5)
  --epochs N    epochs timed (default: a book model's full recipe, as train runs it;
                2 for lstm-h256 and lstm-h1024)
  --threads N   onnxruntime intra-op threads (default 1, as train)
  --inter-op N  threads running independent nodes at once (default 1: sequential)
  --opt-level L onnxruntime graph optimizations: disabled, basic, extended, all (default)
  --mem-pattern M onnxruntime's memory pattern: auto (default: off for graphs of large values,
                as training does, src/train/memory_pattern.ts), on or off
  --arena A     onnxruntime's CPU memory arena: auto (default: onnxruntime's, on), on or
                off
  --loss-chunk C the decoder and loss in chunks of C time steps: auto (default: by the logits'
                size, as training does, src/nn/chunked_loss.ts), off, or a number
  --spinning S  whether onnxruntime's intra-op threads spin waiting for work: on or off
                (default: onnxruntime's, on)
  --json        one JSON object per configuration on stdout instead of the table
  --record FILE append the run to FILE (default docs/BENCHMARKS.md); --no-record: don't`;

const OPT_LEVELS = ["disabled", "basic", "extended", "all"] as const;

const fmt = (s: Spread, digits = 2) =>
  `${s.median.toFixed(digits)} (${s.p10.toFixed(digits)}-${s.p90.toFixed(digits)})`;

/** The run as a Markdown table. */
function table(results: readonly BenchResult[], peak: number | undefined): string {
  const head = [
    "config",
    "step ms (p10-p90)",
    "steps/s",
    "tokens/s",
    "epoch s",
    "eval ms",
    "session ms",
    "peak RSS MiB",
    "nodes train/infer",
    "MFLOP/step",
    "GFLOP/s",
    "of peak",
    "token ms (batch 1)",
    "tokens/s (batch 64)",
  ];
  const rows = results.map((r) => [
    r.config,
    fmt(r.stepMs),
    r.stepsPerSecond.toFixed(1),
    Math.round(r.tokensPerSecond).toLocaleString("en"),
    fmt(r.epochS, 3),
    fmt(r.evalMs),
    fmt(r.sessionMs, 0),
    r.peakRssMiB.toFixed(0),
    `${r.nodes.train}/${r.nodes.infer}`,
    (r.flopsPerStep / 1e6).toFixed(1),
    r.gflops.toFixed(1),
    peak ? `${((r.gflops / peak) * 100).toFixed(0)}%` : "-",
    fmt(r.tokenMs, 3),
    Math.round(r.batchedTokensPerSecond).toLocaleString("en"),
  ]);
  return markdownTable(head, rows);
}

async function commit(): Promise<string> {
  try {
    const out = await new Deno.Command("git", {
      args: ["rev-parse", "--short", "HEAD"],
      stdout: "piped",
      stderr: "null",
    }).output();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : "unknown";
  } catch {
    return "unknown";
  }
}

async function main(): Promise<number> {
  const parsed = parseFlags(Deno.args, {
    repeat: { type: "string" },
    epochs: { type: "string" },
    threads: { type: "string" },
    "inter-op": { type: "string" },
    "opt-level": { type: "string" },
    "mem-pattern": { type: "string" },
    "loss-chunk": { type: "string" },
    arena: { type: "string" },
    spinning: { type: "string" },
    device: { type: "string" },
    "device-id": { type: "string" },
    json: { type: "boolean" },
    record: { type: "string" },
    "no-record": { type: "boolean" },
  }, USAGE);
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const configs = pickConfigs(positionals); // every name checked before anything is timed
  const repeat = intFlag("repeat", values.repeat, 1, 1000, 5);
  const epochs = values.epochs === undefined
    ? undefined
    : intFlag("epochs", values.epochs, 1, 100, 2);
  const threads = intFlag("threads", values.threads, 1, 64, 1);
  const interOp = intFlag("inter-op", values["inter-op"], 1, 64, 1);
  const level = values["opt-level"] ?? "all";
  if (!(OPT_LEVELS as readonly string[]).includes(level)) {
    throw new UsageError(`--opt-level must be one of ${OPT_LEVELS.join(", ")}: got "${level}"`);
  }
  const spinning = values.spinning ?? "default";
  if (!["default", "on", "off"].includes(spinning)) {
    throw new UsageError(`--spinning must be on or off: got "${spinning}"`);
  }
  const pattern = values["mem-pattern"] ?? "auto";
  if (!["auto", "on", "off"].includes(pattern)) {
    throw new UsageError(`--mem-pattern must be auto, on or off: got "${pattern}"`);
  }
  const arena = values.arena ?? "auto";
  if (!["auto", "on", "off"].includes(arena)) {
    throw new UsageError(`--arena must be auto, on or off: got "${arena}"`);
  }
  const chunkFlag = values["loss-chunk"] ?? "auto";
  const lossChunk = chunkFlag === "auto"
    ? undefined
    : chunkFlag === "off"
    ? 0
    : intFlag("loss-chunk", chunkFlag, 1, 4096, 1);
  const { device, deviceId, note } = await deviceFlags(values.device, values["device-id"]);
  if (note) console.error(note);
  const record = values["no-record"] ? undefined : values.record ?? "docs/BENCHMARKS.md";
  const session = {
    device,
    threads,
    interOpThreads: interOp,
    graphOptimizationLevel: level as GraphOptimizationLevel,
    ...(deviceId !== undefined ? { deviceId } : {}),
    ...(pattern === "auto" ? {} : { memPattern: pattern === "on" }),
    ...(arena === "auto" ? {} : { memArena: arena === "on" }),
    ...(spinning === "default" ? {} : { spinning: spinning === "on" }),
  };
  const say = (line: string) => values.json ? console.error(line) : console.log(line);

  // The peak is the CPU EP's: beside a GPU run it says nothing, and the column is left out.
  const ortPeak = device === "cpu"
    ? await measureMatMulPeak({ threads, repeats: Math.max(3, repeat) })
    : undefined;
  // "Of peak" is of the best matrix rate this machine reaches at the thread count: OpenBLAS's
  // sgemm when it is installed (PyTorch's BLAS), else onnxruntime's own MatMul.
  const blas = ortPeak ? measureBlasPeak({ threads, repeats: Math.max(3, repeat) }) : undefined;
  const peak = ortPeak && blas?.library && blas.gflops > ortPeak.gflops ? blas : ortPeak;
  const header = `machine: ${machineLine()}; ${(await nodeBackend()).name}, ${device} EP, ` +
    `${threads} intra-op thread(s), ${interOp} inter-op, optimization level ${level}, ` +
    `memory pattern ${pattern}, arena ${arena}, loss chunk ${chunkFlag}, spinning ${spinning}; ` +
    (ortPeak
      ? `MatMul 1024 peak at ${threads} thread(s): onnxruntime ${ortPeak.gflops.toFixed(1)}, ` +
        (blas?.library
          ? `OpenBLAS sgemm ${blas.gflops.toFixed(1)} GFLOP/s (of peak: the higher); `
          : `GFLOP/s (OpenBLAS: ${blas && "reason" in blas ? blas.reason : "not measured"}); `)
      : "") +
    `--repeat ${repeat}, --epochs ${epochs ?? "each recipe's (2 for lstm-h*)"}`;
  say(header);
  const results: BenchResult[] = [];
  for (const c of configs) {
    console.error(`${c.name}: ${c.data}...`);
    const r = await measure(c, {
      repeat,
      epochs: epochs ?? c.epochs,
      session,
      ...(lossChunk !== undefined ? { lossChunk } : {}),
    });
    results.push(r);
    if (values.json) {
      console.log(JSON.stringify({
        ...r,
        ...(ortPeak ? { matmulPeakGflops: ortPeak.gflops } : {}),
        ...(blas?.library ? { blasPeakGflops: blas.gflops } : {}),
      }));
    }
  }
  const text = table(results, peak?.gflops);
  if (!values.json) console.log(text);
  if (record) {
    const date = new Date().toISOString().slice(0, 10);
    // The facts in a code block and the table padded as deno fmt pads it: the file stays
    // formatted (deno fmt rewraps prose).
    const entry = `\n### deno task bench, ${date}, commit ${await commit()}\n\n` +
      "```text\n" + `deno task bench ${Deno.args.join(" ")}\n` +
      `${header.replace("; onnxruntime", "\nonnxruntime").replace("; MatMul", "\nMatMul")}\n` +
      "```\n\n" + `${text}\n`;
    await atPath("--record", record, async () => {
      const before = await Deno.readTextFile(record).catch((e) => {
        if (e instanceof Deno.errors.NotFound) return "# Benchmarks\n";
        throw e;
      });
      await writeFileAtomic(record, new TextEncoder().encode(before.trimEnd() + "\n" + entry));
    });
    console.error(`appended to ${record}`);
  }
  return 0;
}

if (import.meta.main) await runTool(main);
