/**
 * The page's flow: picks a model from `models/index.json`, shows the top-5 next tokens as the
 * person types, continues the prompt token by token, and reports latency. The model itself is
 * the model API's (`loadModel`, from the bundle `lib/onnx_lm.js`); this file only moves
 * between it and the elements (`view.js`). Every failure ends as a message in the page.
 *
 * @module
 */

import {
  defaultDevice,
  explainDevice,
  formatMs,
  isIsolated,
  LatestOnly,
  loadModel,
  loadOrtWeb,
  openingPrompt,
  ortBuildFor,
  probeWebGpu,
  readModelList,
  threadsNote,
  trainedEntry,
} from "../lib/onnx_lm.js";
import {
  clearPredictions,
  describe,
  el,
  numberInput,
  renderModel,
  renderTokens,
  renderTop5,
  renderVocab,
  setStatus,
  showFirstPrediction,
  showMessage,
  showRunTimes,
  ui,
} from "./view.js";

/** @typedef {import("../src/api/model_list.ts").ModelEntry} ModelEntry */
/** @typedef {import("../src/api/text_model.ts").TextModel} TextModel */

/** @type {Map<string, Promise<import("../src/runtime/backend.ts").OrtModule>>} By build file. */
const ortBuilds = new Map();
/** @type {"wasm" | "webgpu"} The execution provider models load with. */
let backend = "wasm";
/** @type {ModelEntry[]} */
let entries = [];
/** @type {ModelEntry | undefined} */
let entry;
/** @type {TextModel | undefined} */
let model;
let firstPredictionShown = false;
let generating = false;
let stopRequested = false;
/** @type {Promise<void>} Settles when the generation in progress (if any) has ended. */
let generationEnded = Promise.resolve();

// Predictions run one at a time; while one runs, a newer prompt replaces any waiting one, so
// fast typing never builds a queue. Generation and model switches wait for the prediction in
// flight before they touch the model (LatestOnly).
const predictions = new LatestOnly(predict, showUnexpected);

/** @param {unknown} error */
const messageOf = (error) => error instanceof Error ? error.message : String(error);

/**
 * onnxruntime-web for the backend: its wasm-only build for wasm (half the download), the build
 * with WebGPU for webgpu; each imported once. One step of these models is too small to split
 * over threads, so predictions use one.
 *
 * @param {"wasm" | "webgpu"} device
 */
function ortFor(device) {
  const file = ortBuildFor(device);
  let loaded = ortBuilds.get(file);
  if (!loaded) {
    loaded = loadOrtWeb(new URL(`../ort/${file}`, import.meta.url), 1);
    ortBuilds.set(file, loaded);
    loaded.then(() => performance.mark(`onnx-lm:ort-imported`), () => ortBuilds.delete(file));
  }
  return loaded;
}

/** @param {unknown} error A failure nothing else reported. */
function showUnexpected(error) {
  setStatus("error", "Something went wrong");
  showMessage(`Unexpected error: ${messageOf(error)}`);
}

/** Reads the prompt, shows its tokens, and predicts when the model can. */
async function predict() {
  const current = model;
  if (!current) return;
  const text = ui.prompt.value;
  const read = current.readPrompt(text);
  renderTokens(read.tokens);
  if (read.problem) {
    clearPredictions();
    showMessage(read.problem);
    return;
  }
  showMessage(undefined);
  try {
    const top = await current.nextTokens(read.ids, 5);
    if (model !== current || ui.prompt.value !== text) return; // a newer prompt or model
    renderTop5(top, text);
    if (!firstPredictionShown) {
      firstPredictionShown = true;
      performance.mark("onnx-lm:first-prediction"); // read by deno task bench:load
      showFirstPrediction();
    }
    showRunTimes(current.runTimes);
  } catch (error) {
    clearPredictions();
    showMessage(`The model failed on this prompt: ${messageOf(error)}`);
  }
}

/** Sets the controls a generation or a model switch must not touch meanwhile. */
function lockControls(/** @type {boolean} */ busy) {
  ui.model.disabled = busy;
  ui.backend.disabled = busy;
}

/** Appends the next tokens to the prompt (`model.stream`), showing each as it comes. */
async function continuePrompt() {
  const current = model;
  if (!current) return;
  if (generating) {
    stopRequested = true;
    return;
  }
  const n = numberInput(ui.steps, "Tokens", { min: 1, max: 500, integer: true });
  const temperature = numberInput(ui.temperature, "Temperature", { min: 0, max: 10 });
  const topP = numberInput(ui.topP, "Top-p", { above: 0, max: 1 });
  const seed = numberInput(ui.seed, "Seed", { min: 0, max: 4294967295, integer: true });
  const invalid = [n, temperature, topP, seed].find((v) => typeof v === "string");
  if (typeof invalid === "string") {
    showMessage(invalid);
    return;
  }
  const read = current.readPrompt(ui.prompt.value);
  if (read.problem) {
    predictions.request(); // shows what is wrong with the prompt
    return;
  }
  generating = true;
  stopRequested = false;
  /** @type {() => void} */
  let ended = () => {};
  generationEnded = new Promise((resolve) => ended = resolve);
  ui.continue.textContent = "Stop";
  ui.prompt.readOnly = true;
  lockControls(true);
  await predictions.idle();
  // In word mode whitespace is no token, so trailing spaces can go before the continuation;
  // a model that keeps lines keeps a trailing line break (the continuation starts the line).
  const typed = current.sidecar.tokenizer.mode === "word"
    ? trimWordEnd(ui.prompt.value, current.sidecar.tokenizer.lines === true)
    : ui.prompt.value;
  try {
    let i = 0;
    const options = {
      n: Number(n),
      temperature: Number(temperature),
      topP: Number(topP),
      seed: Number(seed),
    };
    for await (const token of current.stream(ui.prompt.value, options)) {
      ui.prompt.value = typed + token.text;
      if (!performance.getEntriesByName("onnx-lm:first-token").length) {
        performance.mark("onnx-lm:first-token");
      }
      setStatus("busy", `Generating: ${++i} of ${n} tokens`);
      if (stopRequested) break;
    }
  } catch (error) {
    showMessage(`The model failed while generating: ${messageOf(error)}`);
  } finally {
    generating = false;
    ui.continue.textContent = "Continue";
    ui.prompt.readOnly = false;
    lockControls(false);
    setStatus("ready", `${current.name} is ready`);
    ended();
    predictions.request();
  }
}

/** @param {string} token A vocabulary token the person clicked. */
function appendToken(token) {
  if (generating || !model) return;
  const { mode, lines } = model.sidecar.tokenizer;
  if (mode === "char") {
    ui.prompt.value += token; // a character is itself: no space between
  } else {
    // A word follows a space; a line break, and a word at the start of a line, do not.
    const kept = trimWordEnd(ui.prompt.value, lines === true);
    const glue = kept === "" || token === "\n" || /[\r\n]$/u.test(kept);
    ui.prompt.value = glue ? kept + token : `${kept} ${token}`;
  }
  predictions.request();
}

/**
 * A word prompt without its trailing whitespace, but for a trailing line break where the
 * model keeps lines (it is a token there).
 *
 * @param {string} text The prompt.
 * @param {boolean} lines Whether the model keeps line breaks as tokens.
 * @returns {string}
 */
function trimWordEnd(text, lines) {
  return lines ? text.replace(/[^\S\r\n]+$/u, "") : text.trimEnd();
}

/** The book's Human Numbers prompt, as the page's HTML holds it. */
const BOOK_PROMPT = ui.prompt.value;
/** The prompt the page last put in the box; a prompt the person changed is theirs to keep. */
let shownPrompt = BOOK_PROMPT;

/**
 * Opens a model with a prompt that fits it (its sidecar's sample for one's own text, the
 * book's for Human Numbers), unless the person wrote their own.
 *
 * @param {import("../src/export/sidecar.ts").Sidecar} sidecar
 */
function showOpeningPrompt(sidecar) {
  if (ui.prompt.value !== shownPrompt) return;
  shownPrompt = openingPrompt(sidecar) ?? BOOK_PROMPT;
  ui.prompt.value = shownPrompt;
}

/** @param {ModelEntry} chosen */
async function selectModel(chosen) {
  ui.continue.disabled = true;
  lockControls(true);
  predictions.dropPending();
  await predictions.idle();
  clearPredictions();
  showMessage(undefined);
  const previous = model;
  model = undefined;
  entry = chosen;
  await previous?.release();
  setStatus("busy", `Loading ${chosen.name}…`);
  ui.modelInfo.textContent = "";
  const { sidecar } = chosen;
  if (!sidecar) {
    setStatus("error", `Cannot use ${chosen.name}`);
    showMessage(chosen.problem ?? "");
    lockControls(false);
    return;
  }
  try {
    const start = performance.now();
    // The list already holds the sidecar: only the .onnx is fetched.
    const source = chosen.bytes ?? new URL(`models/${chosen.file}`, document.baseURI);
    model = await loadModel(source, { ort: await ortFor(backend), backend, sidecar });
    ui.tLoad.textContent = formatMs(performance.now() - start);
    if (!performance.getEntriesByName("onnx-lm:model-loaded").length) {
      performance.mark("onnx-lm:model-loaded");
    }
  } catch (error) {
    setStatus("error", `Cannot use ${chosen.name}`);
    showMessage(messageOf(error));
    lockControls(false);
    return;
  }
  renderModel(chosen, sidecar);
  showOpeningPrompt(sidecar);
  lockControls(false);
  ui.continue.disabled = false;
  setStatus("ready", `${chosen.name} is ready`);
  predictions.request();
  // The vocabulary is drawn once the first prediction is shown: the page is usable first.
  const loaded = model;
  void predictions.idle().then(() => {
    if (model === loaded) renderVocab(chosen.name, sidecar, appendToken);
  });
}

/**
 * Picks the execution provider: `?ep=wasm|webgpu` when given, else the one default rule
 * (`defaultDevice`); and says which, and why, beside the picker.
 */
async function chooseBackend() {
  const webgpu = await probeWebGpu();
  const webgpuOption =
    /** @type {HTMLOptionElement} */ (ui.backend.querySelector('option[value="webgpu"]'));
  webgpuOption.disabled = !webgpu.available;
  const asked = new URLSearchParams(location.search).get("ep");
  if (asked === "webgpu" && !webgpu.available) {
    showMessage("This browser has no WebGPU adapter (navigator.gpu): running on wasm instead.");
  }
  backend = asked === "wasm" || (asked === "webgpu" && webgpu.available)
    ? asked
    : /** @type {"wasm" | "webgpu"} */ (defaultDevice("onnxruntime-web", webgpu));
  ui.backend.value = backend;
  ui.backend.disabled = false;
  ui.backendInfo.textContent = `${explainDevice(backend, webgpu)} ` +
    (isIsolated() ? "" : threadsNote(false, navigator.hardwareConcurrency || 1));
  ui.backendInfo.dataset.backend = backend;
}

/** Fills the model picker from `entries`. */
function renderModelList() {
  ui.model.replaceChildren(...entries.map((e, i) => {
    const option = el("option", describe(e) + (e.sidecar ? "" : " (unusable)"));
    option.setAttribute("value", String(i));
    return option;
  }));
}

/**
 * Uses a model the Train panel just trained: it joins the picker (replacing an earlier one
 * trained here) and is selected at once.
 *
 * @param {{ sidecar: object, onnx: Uint8Array }} trained The export's sidecar and `.onnx`.
 */
async function useTrained(trained) {
  const fresh = trainedEntry(trained.sidecar, trained.onnx);
  entries = [...entries.filter((e) => !e.bytes), fresh];
  renderModelList();
  ui.model.value = String(entries.length - 1);
  if (generating) {
    // The generation runs on the model selectModel releases: let it end first.
    stopRequested = true;
    await generationEnded;
  }
  await selectModel(fresh);
}

async function start() {
  setStatus("busy", "Loading onnxruntime-web…");
  await chooseBackend();
  performance.mark("onnx-lm:backend-chosen");
  try {
    await ortFor(backend);
  } catch (error) {
    setStatus("error", "Cannot load onnxruntime-web");
    showMessage(messageOf(error));
    return;
  }
  setStatus("busy", "Reading the model list…");
  try {
    entries = await readModelList(new URL("models/index.json", document.baseURI));
  } catch (error) {
    // Not fatal: the Train panel needs no exported model, and what it trains lands here.
    setStatus("ready", "No models yet");
    showMessage(
      `Cannot read the model list (${messageOf(error)}): train a model in the Train panel ` +
        "above, or export one and reload.",
    );
    return;
  }
  if (entries.length === 0) {
    setStatus("ready", "No models yet");
    showMessage(
      "The models directory has no exported models: train one in the Train panel above, or " +
        'run "deno task export runs/lm6 --out runs/export" and reload.',
    );
    return;
  }
  performance.mark("onnx-lm:list-read");
  renderModelList();
  const params = new URLSearchParams(location.search);
  const asked = params.get("prompt");
  if (asked !== null) ui.prompt.value = asked; // a link can carry its prompt
  const wanted = params.get("model");
  const found = wanted === null ? -1 : entries.findIndex((e) => e.name === wanted);
  const index = found >= 0 ? found : Math.max(0, entries.findIndex((e) => e.sidecar));
  ui.model.value = String(index);
  await selectModel(entries[index]);
  if (wanted !== null && found < 0 && model) {
    setStatus("ready", `There is no model "${wanted}" here; showing ${entries[index].name}`);
  }
}

ui.prompt.addEventListener("input", () => {
  if (!generating) predictions.request();
});
ui.backend.addEventListener("change", () => {
  backend = ui.backend.value === "webgpu" ? "webgpu" : "wasm";
  ui.backendInfo.dataset.backend = backend;
  ui.backendInfo.textContent = `Running on ${backend === "webgpu" ? "WebGPU" : "WebAssembly"}.`;
  if (entry) void selectModel(entry);
});
ui.model.addEventListener("change", () => {
  const chosen = entries[Number(ui.model.value)];
  if (chosen) void selectModel(chosen);
});
ui.continue.addEventListener("click", () => continuePrompt());
document.addEventListener("onnx-lm:trained", (event) => {
  const detail = /** @type {CustomEvent<{ sidecar: object, onnx: Uint8Array }>} */ (event).detail;
  void useTrained(detail);
});
globalThis.addEventListener("unhandledrejection", (event) => showUnexpected(event.reason));

start();
