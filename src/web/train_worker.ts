/**
 * The page's training worker: loads onnxruntime-web, runs a `TrainJob` and posts its progress,
 * so the page never freezes. `deno task serve` bundles this file and serves it at
 * `/lib/train_worker.js`; the page starts it as a module worker.
 *
 * onnxruntime-web comes from `../ort/` beside this bundle (the site's own copy), in the build the
 * run's backend needs (`ortBuildFor`): with cross-origin isolation it runs wasm on several
 * threads, otherwise on one.
 *
 * @module
 */

import { loadOrtWeb, ortBuildFor } from "../api/ort_web.ts";
import { type Backend, type Device, type OrtModule, webBackend } from "../runtime/backend.ts";
import { runtimeName } from "../run/describe.ts";
import { NonFiniteLossError } from "../train/learner.ts";
import { lrFind } from "../train/lr_find.ts";
import { TrainJob } from "./train_job.ts";
import type { FromWorker, RunFiles, ToWorker } from "./train_protocol.ts";
import type { TrainSettings } from "./train_settings.ts";

/** The part of a dedicated worker's global scope used here (Deno's types are a window's). */
interface WorkerScope {
  postMessage(message: unknown, transfer: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  addEventListener(type: "unhandledrejection", listener: (e: PromiseRejectionEvent) => void): void;
  readonly crossOriginIsolated: boolean;
  readonly location: { readonly href: string };
}

const scope = globalThis as unknown as WorkerScope;

/** Where the site keeps onnxruntime-web, relative to this bundle (`lib/train_worker.js`). */
const ORT_DIR = "../ort/";

/** onnxruntime-web's builds loaded here, by file: each is loaded once. */
const backends = new Map<string, { ort: OrtModule; backend: Backend }>();
let job: TrainJob | undefined;
let busy = false;
/** Set by Stop: ends an lr_find sweep after its current step. */
let lrStop = false;

function post(message: FromWorker, transfer: Transferable[] = []): void {
  scope.postMessage(message, transfer);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Loads the onnxruntime-web build a device needs, once; its wasm thread count is fixed by its
 * first session.
 */
async function loadBackend(
  threads: number,
  device: Device,
): Promise<{ ort: OrtModule; backend: Backend }> {
  const file = ortBuildFor(device);
  let loaded = backends.get(file);
  if (!loaded) {
    const ort = await loadOrtWeb(new URL(`${ORT_DIR}${file}`, import.meta.url), threads);
    // No nested proxy worker: this is the worker.
    ort.env.wasm.proxy = false;
    loaded = { ort, backend: webBackend(ort) };
    backends.set(file, loaded);
  }
  return loaded;
}

// Stop arrives as a message, which only a macrotask turn can deliver: a MessageChannel
// round trip yields to the event loop in well under a millisecond (setTimeout clamps to 4 ms).
const channel = new MessageChannel();
const waiting: (() => void)[] = [];
channel.port1.onmessage = () => waiting.shift()?.();
const yieldToEvents = () =>
  new Promise<void>((resolve) => {
    waiting.push(resolve);
    channel.port2.postMessage(null);
  });

async function train(): Promise<void> {
  const current = job;
  if (!current || busy) return;
  busy = true;
  let epochStart = performance.now();
  let lastPost = 0;
  let lastYield = 0;
  try {
    const outcome = await current.run({
      onBatch: (epoch, done, total, loss) => {
        const now = performance.now();
        if (done === 1) epochStart = now;
        if (now - lastPost > 100 || done === total) {
          lastPost = now;
          const seconds = (now - epochStart) / 1000; // from the end of the first step
          post({
            type: "batch",
            epoch,
            done,
            total,
            loss,
            stepsPerSecond: seconds > 0 ? (done - 1) / seconds : 0,
          });
        }
        if (now - lastYield < 20) return;
        lastYield = now;
        return yieldToEvents();
      },
      onEpoch: (record) => post({ type: "epoch", record }),
    });
    const files = runFiles(current);
    post(
      { type: "done", outcome, ...(files ? { files } : {}) },
      files ? [files.checkpoint.buffer as ArrayBuffer] : [],
    );
  } catch (error) {
    if (error instanceof NonFiniteLossError) {
      // Resuming would diverge again (runs repeat bit for bit): the way on is a lower lr. The
      // last finished epoch's files stay on offer.
      const lr = current.settings.lr;
      const lower = Number((lr / 10).toPrecision(2));
      const files = runFiles(current);
      post(
        {
          type: "error",
          message: `${error.message}: the weights diverged at lr ${lr}; train again with a ` +
            `lower lr, e.g. ${lower}`,
          ...(files ? { files } : {}),
        },
        files ? [files.checkpoint.buffer as ArrayBuffer] : [],
      );
    } else post({ type: "error", message: `Training stopped: ${messageOf(error)}` });
  } finally {
    busy = false;
  }
}

function runFiles(current: TrainJob): RunFiles | undefined {
  const checkpoint = current.checkpoint();
  const exported = checkpoint && current.exportFiles(checkpoint);
  if (!checkpoint || !exported) return undefined;
  const files: Record<string, Uint8Array> = {};
  for (const [name, bytes] of [...exported, ...current.reportFiles()]) files[name] = bytes;
  return { checkpoint, files, name: current.settings.model };
}

async function start(settings: TrainSettings, machine: string): Promise<void> {
  if (busy) {
    post({ type: "error", message: "A run is training: stop it before starting another" });
    return;
  }
  busy = true;
  try {
    const previous = job;
    job = undefined; // even if releasing it fails, the next run starts afresh
    await previous?.release();
    const began = performance.now();
    const { ort, backend: b } = await loadBackend(settings.threads, settings.backend);
    job = await TrainJob.create(settings, b, machine);
    post({
      type: "ready",
      header: job.header,
      runtime: runtimeName(b.name, settings.backend),
      threads: settings.backend === "wasm" ? ort.env.wasm.numThreads ?? 1 : 1,
      setupMs: performance.now() - began,
    });
  } catch (error) {
    post({ type: "error", message: `Cannot start training: ${messageOf(error)}` });
    return;
  } finally {
    busy = false;
  }
  await train();
}

/**
 * fastai's lr_find on a fresh copy of the settings' model, beside the run in `job` (which stays
 * as it was): the sweep's weights are released afterwards.
 */
async function findLr(settings: TrainSettings, machine: string): Promise<void> {
  if (busy) {
    post({ type: "error", message: "A run is training: stop it before finding an lr" });
    return;
  }
  busy = true;
  lrStop = false;
  let sweep: TrainJob | undefined;
  try {
    const { backend: b } = await loadBackend(settings.threads, settings.backend);
    sweep = await TrainJob.create(settings, b, machine);
    let lastPost = 0;
    let lastYield = 0;
    const result = await lrFind(sweep.learner, {}, {
      onStep: (done, total, p) => {
        const now = performance.now();
        if (now - lastPost > 100 || done === total) {
          lastPost = now;
          post({ type: "lr-step", done, total, lr: p.lr, loss: p.loss });
        }
        if (now - lastYield < 20) return;
        lastYield = now;
        return yieldToEvents(); // so that Stop arrives
      },
      shouldStop: () => lrStop,
    });
    post({ type: "lr-found", result });
  } catch (error) {
    post({ type: "error", message: `Cannot find an lr: ${messageOf(error)}` });
  } finally {
    await sweep?.release().catch(() => {});
    busy = false;
  }
}

scope.onmessage = (event) => {
  const m = event.data;
  if (m.type === "start") void start(m.settings, m.machine);
  else if (m.type === "stop") {
    job?.stop();
    lrStop = true;
  } else if (m.type === "lr-find") void findLr(m.settings, m.machine);
  else if (m.type === "resume") void train();
};

post({ type: "loaded" });

// A failure outside any message handler (a module that cannot load) still reaches the page.
scope.addEventListener("unhandledrejection", (event) => {
  post({ type: "error", message: `Training worker failed: ${messageOf(event.reason)}` });
});
