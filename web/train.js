/**
 * The Train panel: settings (from the URL hash, or the model's book recipe), a worker that
 * trains with the CLI's code (`/lib/train_worker.js`, the bundle of `src/web/`), the fastai
 * table and the curves growing each epoch, a progress bar with steps/s, Stop and Resume, and
 * downloads of the export and the checkpoint. When a run finishes or stops, the prediction
 * panels get its model (the `onnx-lm:trained` event, which `app.js` handles).
 *
 * @module
 */

import {
  browserMachine,
  checkSettings,
  curvesSvg,
  defaultDevice,
  defaultSettings,
  defaultThreads,
  isIsolated,
  probeWebGpu,
  readTrainHash,
  SettingsError,
  textDefaults,
  threadsNote,
  TRAIN_MODELS,
  trainHash,
  visibleToken,
} from "../lib/onnx_lm.js";
import {
  appendRow,
  clearView,
  setLocked,
  setTrainStatus,
  showColumns,
  showCurves,
  showDefaults,
  showDownloads,
  showSettings,
  showTrainMessage,
  sizeFields,
  t,
} from "./train_view.js";
import { showLrFound, showLrStep } from "./train_lr_find.js";

/** @typedef {import("../src/web/train_settings.ts").TrainSettings} TrainSettings */
/** @typedef {import("../src/web/train_settings.ts").CorpusChoice} CorpusChoice */
/** @typedef {import("../src/web/train_protocol.ts").FromWorker} FromWorker */
/** @typedef {import("../src/web/train_protocol.ts").RunFiles} RunFiles */
/** @typedef {import("../src/train/learner.ts").EpochRecord} EpochRecord */

/** @type {Worker | undefined} */
let worker;
/** @type {Promise<Worker> | undefined} Resolves once the worker listens ("loaded"). */
let workerReady;
/**
 * wasm threads of the worker's onnxruntime-web: fixed by its first session, so another count
 * needs a new worker.
 */
let workerThreads = 0;
/** @type {TrainSettings | undefined} The settings of the run in the worker. */
let current;
/** @type {EpochRecord[]} */
let rows = [];
let baseline = 0;
/** Training steps/s of the epoch running (the last progress message's figure). */
let epochRate = 0;
let training = false;
/** Whether the worker runs lr_find (its failures and Stop read differently). */
let findingLr = false;
/** @type {{ name: string, text: string } | undefined} The chosen file's text. */
let upload;

/** @param {unknown} error */
const messageOf = (error) => error instanceof Error ? error.message : String(error);

/** @returns {CorpusChoice} */
function corpusChoice() {
  if (t.corpus.value !== "text") return { kind: "human-numbers" };
  const tokens = t.tokens.value === "word" ? "word" : "char";
  const chosen = upload ?? { name: "pasted.txt", text: t.text.value };
  return {
    kind: "text",
    name: chosen.name,
    text: chosen.text,
    tokens,
    lower: t.lower.checked,
    ...textDefaults(tokens), // deno task train's defaults
  };
}

/**
 * The settings in the fields, checked by the same reader the URL hash goes through.
 *
 * @returns {TrainSettings}
 */
function readSettings() {
  return checkSettings({
    train: t.model.value,
    ...(t.steps.hidden ? { epochs: t.epochs.value } : { steps: t.steps.value }),
    lr: t.lr.value,
    seed: t.seed.value,
    backend: t.backend.value,
    threads: t.threads.value,
    ...sizeFields(),
  }, corpusChoice());
}

/** Keeps the link (and, after a change, the URL hash) in step with the fields. */
function updateLink(replaceHash = true) {
  try {
    const hash = trainHash(readSettings());
    t.link.href = hash;
    if (replaceHash) history.replaceState(null, "", hash);
  } catch {
    // A field being typed is not a setting yet; the link keeps the last good one.
  }
}

function lock(/** @type {boolean} */ busy) {
  training = busy;
  setLocked(busy);
}

function clearRun() {
  rows = [];
  clearView();
}

/** Ends the worker, if any: its sessions and memory go with it. */
function stopWorker() {
  worker?.terminate();
  worker = undefined;
  workerReady = undefined;
}

/**
 * The worker, once it listens; a new one when the thread count changes.
 *
 * @param {number} threads wasm threads the run needs.
 * @returns {Promise<Worker>}
 */
function startWorker(threads) {
  if (workerReady && workerThreads === threads) return workerReady;
  stopWorker();
  const w = new Worker(new URL("../lib/train_worker.js", import.meta.url), { type: "module" });
  worker = w;
  workerThreads = threads;
  workerReady = new Promise((resolve) => {
    w.onmessage = (/** @type {MessageEvent<FromWorker>} */ event) => {
      if (worker !== w) return; // a worker replaced or ended: its messages are stale
      if (event.data.type === "loaded") resolve(w);
      else onWorkerMessage(event.data);
    };
  });
  w.onerror = (event) => {
    event.preventDefault();
    if (worker !== w) return;
    stopWorker();
    lock(false);
    t.resume.disabled = true;
    setTrainStatus("error", "The training worker failed");
    showTrainMessage(`The training worker failed: ${event.message || "it did not load"}`);
  };
  return workerReady;
}

/**
 * The fields' settings for a new job (a run or an lr sweep), or undefined after showing why
 * they are wrong; the previous run's view is cleared and the fields locked.
 *
 * @returns {TrainSettings | undefined}
 */
function beginJob() {
  showTrainMessage(undefined);
  let settings;
  try {
    settings = readSettings();
  } catch (error) {
    showTrainMessage(messageOf(error));
    return undefined;
  }
  // Without cross-origin isolation wasm has one thread, whatever the field says.
  if (!isIsolated()) settings = { ...settings, threads: 1 };
  clearRun();
  current = settings;
  return settings;
}

function startTraining() {
  const settings = beginJob();
  if (!settings) return;
  showColumns(tokensOf(settings));
  lock(true);
  t.stop.disabled = true; // until the run is built: a Stop during setup would have no fit to end
  setTrainStatus("running", `Building ${settings.model}'s training graphs…`);
  const start = { type: "start", settings, machine: browserMachine(navigator, settings) };
  void startWorker(settings.threads).then((w) => w.postMessage(start));
}

/**
 * Runs fastai's lr_find in the worker with the fields' settings. Like Train, it clears the
 * previous run's table and curves (the plot takes their place) and ends its Resume.
 */
function findLr() {
  const settings = beginJob();
  if (!settings) return;
  lock(true);
  findingLr = true;
  setTrainStatus("running", `Finding an lr for ${settings.model}…`);
  const message = { type: "lr-find", settings, machine: browserMachine(navigator, settings) };
  void startWorker(settings.threads).then((w) => w.postMessage(message));
}

/**
 * @param {TrainSettings} s
 * @returns {"word" | "char"} The run's tokens (Human Numbers is words).
 */
const tokensOf = (s) => s.corpus.kind === "text" ? s.corpus.tokens : "word";

/** @param {EpochRecord} record */
function addRow(record) {
  rows.push(record);
  appendRow(record, epochRate, current ? tokensOf(current) : "word");
  // The report's own curves (src/report/curves.ts), as an image: no markup is injected.
  if (current) showCurves(curvesSvg(rows, current.model, baseline));
}

/** @param {FromWorker} m */
function onWorkerMessage(m) {
  if (m.type === "ready") {
    const h = m.header;
    baseline = h.baseline.accuracy;
    t.info.textContent = `${h.description}. ${h.corpus}. ${h.trainBatches} training and ` +
      `${h.validBatches} validation batches (${h.tokensPerStep} tokens a step); always ` +
      `predicting "${visibleToken(h.baseline.token)}" scores ${h.baseline.accuracy.toFixed(3)}. ` +
      `${m.runtime}${
        m.runtime.includes("wasm") ? `, ${m.threads} thread${m.threads > 1 ? "s" : ""}` : ""
      }; ` +
      `graphs built and sessions opened in ${(m.setupMs / 1000).toFixed(1)} s.` +
      (h.warning ? ` ${h.warning}` : "");
    setTrainStatus("running", `Training ${current?.model}…`);
    t.stop.disabled = false;
  } else if (m.type === "batch") {
    const epochs = current?.epochs ?? 0;
    t.progress.max = m.total;
    t.progress.value = m.done;
    t.speed.textContent = `epoch ${m.epoch + 1}/${epochs}: ${m.done}/${m.total} batches, ` +
      `train_loss ${m.loss.toFixed(4)}, ${m.stepsPerSecond.toFixed(1)} steps/s`;
    epochRate = m.stepsPerSecond;
  } else if (m.type === "lr-step") {
    showLrStep(m);
  } else if (m.type === "lr-found") {
    lock(false);
    findingLr = false;
    t.resume.disabled = true;
    if (showLrFound(m.result, current?.model ?? "")) updateLink();
  } else if (m.type === "epoch") {
    addRow(m.record);
  } else if (m.type === "done") {
    lock(false);
    const finished = m.outcome === "finished";
    t.resume.disabled = finished;
    const epochs = rows.length;
    setTrainStatus(
      finished ? "finished" : "stopped",
      finished
        ? `Finished ${epochs} epoch${
          epochs === 1 ? "" : "s"
        }: the prediction panels above now use this model`
        : epochs
        ? `Stopped; the prediction panels above use the model after epoch ${
          epochs - 1
        }. Resume continues from there`
        : "Stopped before the first epoch ended: nothing to use yet. Resume starts it again",
    );
    if (m.files) showDownloads(m.files);
  } else if (m.type === "error") {
    lock(false);
    t.resume.disabled = true;
    setTrainStatus("error", findingLr ? "Finding an lr failed" : "Training failed");
    findingLr = false;
    showTrainMessage(m.message);
    // A diverged run: its last finished epoch is still worth having.
    if (m.files) showDownloads(m.files);
  }
}

async function init() {
  t.model.replaceChildren(...TRAIN_MODELS.map((name) => {
    const o = document.createElement("option");
    o.value = name;
    o.textContent = name;
    return o;
  }));
  const isolated = isIsolated();
  const cores = navigator.hardwareConcurrency || 1;
  t.threadsInfo.textContent = threadsNote(isolated, cores);
  if (isolated) {
    t.threads.max = String(cores);
    t.threadsInfo.textContent += ` Default ${defaultThreads(cores)}.`;
  } else {
    t.threads.value = "1";
    t.threads.dataset.unavailable = "true";
  }
  const webgpu = await probeWebGpu();
  const webgpuOption = /** @type {HTMLOptionElement} */ (
    t.backend.querySelector('[value="webgpu"]')
  );
  webgpuOption.disabled = !webgpu.available;
  if (!webgpu.available) webgpuOption.textContent = "webgpu (no adapter in this browser)";
  // The one default rule of the page and loadModel: WebGPU on a hardware adapter only.
  const preferred = defaultDevice("onnxruntime-web", webgpu);
  t.threadsInfo.textContent += webgpu.available
    ? webgpu.software
      ? " WebGPU is a software adapter here (SwiftShader): wasm is the default."
      : " The browser has a WebGPU adapter: it is the default backend."
    : "";
  let start = false;
  try {
    const fromHash = location.hash.includes("train=") ? readTrainHash(location.hash) : undefined;
    const asked = new URLSearchParams(location.hash.slice(1));
    const settings = fromHash?.settings ?? defaultSettings("lm6");
    showSettings({
      ...settings,
      ...(asked.has("backend") ? {} : { backend: preferred }),
      ...(asked.has("threads") || !isolated ? {} : { threads: defaultThreads(cores) }),
    });
    if (fromHash?.settings.backend === "webgpu" && !webgpu.available) {
      showTrainMessage("The link asks for WebGPU, which this browser lacks: training on wasm.");
    }
    start = fromHash?.start ?? false;
  } catch (error) {
    showSettings(defaultSettings("lm6"));
    showTrainMessage(`The link's settings were not used: ${messageOf(error)}`);
  }
  lock(false);
  t.resume.disabled = true;
  setTrainStatus("idle", "Ready to train");
  updateLink(false);
  if (start) startTraining();
}

t.model.addEventListener("change", () => {
  showDefaults(t.model.value);
  updateLink();
});
for (
  const f of [t.epochs, t.steps, t.lr, t.seed, t.backend, t.threads, ...Object.values(t.sizes)]
) {
  f.addEventListener("change", () => updateLink());
}
t.corpus.addEventListener("change", () => {
  t.own.hidden = t.corpus.value !== "text";
});
t.file.addEventListener("change", async () => {
  const file = t.file.files?.[0];
  if (!file) {
    // No file chosen any more: the box is for pasting again.
    upload = undefined;
    t.text.readOnly = false;
    t.text.value = "";
    return;
  }
  try {
    upload = { name: file.name, text: await file.text() };
    // A preview, read-only: editing it would silently train on the preview instead.
    t.text.readOnly = true;
    t.text.value = upload.text.length > 20000
      ? `${upload.text.slice(0, 20000)}\n… (${file.name}: ${formatBytes(file.size)} in all)`
      : upload.text;
  } catch (error) {
    upload = undefined;
    t.text.readOnly = false;
    showTrainMessage(`Cannot read ${file.name}: ${messageOf(error)}`);
  }
});
t.start.addEventListener("click", startTraining);
t.lrFind.addEventListener("click", findLr);
t.stop.addEventListener("click", () => {
  worker?.postMessage({ type: "stop" });
  t.stop.disabled = true;
  setTrainStatus("running", "Stopping after this batch…");
});
t.resume.addEventListener("click", () => {
  if (!worker || training) return;
  lock(true);
  t.downloads.hidden = true;
  setTrainStatus(
    "running",
    rows.length
      ? `Resuming ${current?.model} after epoch ${rows.length - 1}…`
      : `Restarting ${current?.model} from its first epoch…`,
  );
  // The table keeps only finished epochs: the worker goes back to the last one.
  worker.postMessage({ type: "resume" });
});
globalThis.addEventListener("hashchange", () => {
  if (training || !location.hash.includes("train=")) return;
  try {
    const { settings, start } = readTrainHash(location.hash);
    showSettings(settings);
    if (start) startTraining();
  } catch (error) {
    showTrainMessage(
      `The link's settings were not used: ${
        error instanceof SettingsError ? error.message : messageOf(error)
      }`,
    );
  }
});

init().catch((error) => {
  setTrainStatus("error", "The Train panel failed to start");
  showTrainMessage(messageOf(error));
});
