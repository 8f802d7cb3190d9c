/**
 * `deno task bench:page`: training speed in the browser against onnxruntime-node. Serves the
 * page, opens headless Chromium on `#train=<model>&epochs=N&backend=..&threads=..&start` for
 * each backend (wasm on 1 thread, wasm on every core, and WebGPU on SwiftShader with
 * `--webgpu`: correctness only, SwiftShader is a CPU), and reads the steps/s and seconds per
 * epoch the Train panel shows; then times the same epochs with onnxruntime-node's CPU EP on
 * one thread. Prints a Markdown table of medians with the machine named.
 *
 * @module
 */

import { cpus } from "node:os";
import type { Page } from "playwright-core";
import { findModel } from "../models/registry.ts";
import { humanNumbersCorpus } from "../src/run/corpus.ts";
import { checkLinkFields, checkSettings, SettingsError } from "../src/web/train_settings.ts";
import { planRun, type RunPlan, startRun } from "../src/run/start_run.ts";
import { launchChromium } from "./lib/serve/chromium.ts";
import { intFlag, parseFlags, runTool, UsageError } from "./lib/cli/cli.ts";
import { machineLine, median } from "./lib/bench/machine.ts";
import { startServer } from "./lib/serve/serve_app.ts";

const USAGE =
  `Usage: deno task bench:page [models...] [--epochs N] [--steps N] [--sizes S] [--webgpu]

Training steps/s and seconds per epoch of each model (default lm6 lm7) in headless Chromium's
Train panel (wasm on 1 thread and on every core; WebGPU on SwiftShader with --webgpu) and in
onnxruntime-node (CPU EP, 1 thread): the first epoch's, and the median over the other epochs
of an N-epoch schedule (default 5), with tokens/s (steps/s times the tokens of a batch); a
GPT runs --steps of its schedule (default 400: 8 epochs of 50 steps).
--sizes takes the panel's size settings as a link has them (e.g. "embd=96&layers=3&heads=4&
block=128" for a GPT; "hidden=256&sl=64" for an LSTM), for the page and node alike. Needs
Chromium (apt-get install chromium).`;

/**
 * One measured configuration: per epoch, training steps/s and seconds with validation; and
 * the exported model's time per token (node: `deno task bench`'s figure is separate).
 */
interface Timing {
  readonly runtime: string;
  readonly steps: readonly number[];
  readonly times: readonly number[];
  readonly tokenMs?: number;
}

/** The epochs after the first: wasm's optimizing compiler takes over during the first ones. */
const warm = (values: readonly number[]) => median(values.length > 1 ? values.slice(1) : values);

// The page's globals, for the functions that run in it (no DOM library here).
// deno-lint-ignore no-explicit-any
declare const document: any;

async function inPage(
  page: Page,
  url: string,
  hash: string,
): Promise<{ steps: number[]; times: number[]; tokenMs: number }> {
  await page.goto("about:blank");
  await page.goto(`${url}${hash}`);
  await page.waitForFunction(
    () => ["finished", "error"].includes(document.getElementById("train-status").dataset.state),
    undefined,
    { timeout: 3_600_000, polling: 200 },
  );
  const message = await page.textContent("#train-message");
  if (message) throw new Error(`${hash}: the page says: ${message}`);
  const rows = page.locator("#train-table tbody tr");
  const read = (attr: string) =>
    rows.evaluateAll((trs, a) => trs.map((tr) => Number(tr.getAttribute(a))), attr);
  return {
    steps: await read("data-steps-per-second"),
    times: await read("data-time"),
    tokenMs: await pageTokenMs(page),
  };
}

/**
 * The trained model's per-token time in the prediction panel: 200 greedy tokens, one
 * `session.run` each; the mean over every run (browsers coarsen timers to 0.1 ms, so the mean
 * of many is the finer figure).
 */
async function pageTokenMs(page: Page): Promise<number> {
  await page.waitForSelector('#status[data-state="ready"]', { timeout: 60_000 });
  await page.fill("#steps", "200");
  await page.fill("#temperature", "0");
  await page.click("#continue");
  await page.waitForFunction(
    () =>
      document.getElementById("continue").textContent === "Continue" &&
      document.getElementById("status").dataset.state === "ready",
    undefined,
    { timeout: 120_000, polling: 100 },
  );
  return Number(await page.getAttribute("#t-run", "data-mean-ms"));
}

async function inNode(plan: RunPlan): Promise<Timing> {
  const learner = await startRun(plan);
  const rates: number[] = [];
  let first = 0;
  try {
    // The page's figure: steps after the first of each epoch, over the time since it ended.
    const rows = await learner.fit(plan.epochs, plan.lrMax, {
      onBatch: (_epoch, done, total) => {
        if (done === 1) first = performance.now();
        if (done === total) rates.push((done - 1) / ((performance.now() - first) / 1000));
      },
    });
    return {
      runtime: "onnxruntime-node 1.30, CPU EP, 1 thread",
      steps: rates,
      times: rows.map((r) => r.time),
    };
  } finally {
    await learner.release();
  }
}

async function main(): Promise<number> {
  const parsed = parseFlags(Deno.args, {
    epochs: { type: "string" },
    steps: { type: "string" },
    sizes: { type: "string" },
    webgpu: { type: "boolean" },
  }, USAGE);
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const names = positionals.length ? positionals : ["lm6", "lm7"];
  for (const name of names) {
    try {
      findModel(name);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  const epochs = intFlag("epochs", values.epochs, 1, 100, 5);
  const steps = intFlag("steps", values.steps, 16, 100_000, 400);
  const sizeQuery = values.sizes ?? "";
  const schedule = (name: string) =>
    findModel(name).recipe.schedule ? `steps=${steps}` : `epochs=${epochs}`;
  const sizesOf = (name: string) => {
    try {
      return checkSettings(checkLinkFields({
        train: name,
        ...Object.fromEntries(new URLSearchParams(`${schedule(name)}&${sizeQuery}`)),
      }));
    } catch (error) {
      if (error instanceof SettingsError) throw new UsageError(`--sizes: ${error.message}`);
      throw error;
    }
  };
  const cores = cpus().length;
  const configs: { runtime: string; query: string; webgpu?: boolean }[] = [
    { runtime: "Chromium, onnxruntime-web wasm, 1 thread", query: "backend=wasm&threads=1" },
    {
      runtime: `Chromium, onnxruntime-web wasm, ${cores} threads`,
      query: `backend=wasm&threads=${cores}`,
    },
    ...(values.webgpu
      ? [{
        runtime: "Chromium, onnxruntime-web WebGPU on SwiftShader (a CPU: correctness only)",
        query: "backend=webgpu",
        webgpu: true,
      }]
      : []),
  ];
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-bench-page-" });
  const server = await startServer({ port: 0, host: "127.0.0.1", modelsDir: dir });
  const lines = [
    `machine: ${machineLine()}; ${epochs}-epoch schedules (a GPT: ${steps} steps), seed 42; ` +
    `"warm": the median over ` +
    "the epochs after the first",
    "",
    "| model | runtime | steps/s, epoch 0 | steps/s, warm | tokens/s, warm | " +
    "s/epoch with validation, warm | vs node (warm) | page ms/token |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  try {
    for (const name of names) {
      const settings = sizesOf(name);
      const plan = planRun({
        entry: findModel(name),
        corpus: humanNumbersCorpus(),
        sizes: settings.sizes,
        epochs: settings.epochs,
        ...(settings.steps !== undefined ? { steps: settings.steps } : {}),
        lrMax: settings.lr,
        seed: 42,
        device: "cpu",
      });
      const tokensPerStep = plan.recipe.batchSize * plan.recipe.seqLen;
      const node = await inNode(plan);
      const timings: Timing[] = [node];
      for (const c of configs) {
        const browser = await launchChromium({ webgpu: c.webgpu ?? false });
        try {
          const page = await browser.newPage();
          const hash = `#train=${name}&${schedule(name)}&seed=42&${c.query}${
            sizeQuery ? `&${sizeQuery}` : ""
          }&start`;
          timings.push({ runtime: c.runtime, ...await inPage(page, server.url, hash) });
        } finally {
          await browser.close();
        }
      }
      for (const t of timings) {
        const ratio = warm(t.steps) / warm(node.steps);
        lines.push(
          `| ${name}${sizeQuery ? ` (${sizeQuery})` : ""} | ${t.runtime} | ${
            t.steps[0].toFixed(1)
          } | ${warm(t.steps).toFixed(1)} | ${Math.round(warm(t.steps) * tokensPerStep)} | ${
            warm(t.times).toFixed(2)
          } | ${ratio.toFixed(2)}x | ${t.tokenMs === undefined ? "-" : t.tokenMs.toFixed(3)} |`,
        );
      }
      console.error(`${name}: done`);
    }
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
  console.log(lines.join("\n"));
  return 0;
}

if (import.meta.main) await runTool(main);
