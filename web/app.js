/**
 * The page's flow: picks a model from `/models/index.json`, shows the top-5 next tokens as
 * the person types, continues the prompt token by token, and reports latency. Every failure
 * ends as a message in the page (`view.js` fills the elements; `model.js` runs the model).
 *
 * @module
 */

import { BOS, encodePrompt, joinTokens, mulberry32, pickToken, UNK } from "/lib/onnx_lm.js";
import { LatestOnly } from "./latest_only.js";
import { formatMs } from "./lm.js";
import { checkEntry, messageOf, PageModel } from "./model.js";
import {
  clearPredictions,
  describe,
  el,
  numberInput,
  renderModel,
  renderTokens,
  renderTop5,
  setStatus,
  showFirstPrediction,
  showMessage,
  showRunTimes,
  ui,
} from "./view.js";

/** @type {typeof import("onnxruntime-web") | undefined} */
let ort;
/** @type {"wasm" | "webgpu"} The execution provider models load with. */
let backend = "wasm";
/** @type {import("./model.js").ModelEntry[]} */
let entries = [];
/** @type {PageModel | undefined} */
let model;
/** @type {Map<string, number>} Token → id of the model's vocabulary. */
let vocab = new Map();
let firstPredictionShown = false;
let generating = false;
let stopRequested = false;
/** @type {Promise<void>} Settles when the generation in progress (if any) has ended. */
let generationEnded = Promise.resolve();

// Predictions run one at a time (a session runs one call at a time); while one runs, a newer
// prompt replaces any waiting one, so fast typing never builds a queue. Generation and model
// switches wait for the prediction in flight before they touch the session (latest_only.js).
const predictions = new LatestOnly(predict, showUnexpected);

/**
 * Tokenizes a prompt as the model's training text was (`encodePrompt`, the CLI's function)
 * and says what, if anything, keeps it from being predicted from.
 *
 * @param {PageModel} current
 * @param {string} text The prompt.
 * @returns {{ tokens: import("../src/data/prompt.ts").PromptToken[], ids: number[],
 *   problem?: string }} The tokens as typed, the ids the model reads, and the problem.
 */
function readPrompt(current, text) {
  const { sidecar, entry } = current;
  const { tokenizer, vocab: words } = sidecar;
  const tokens = encodePrompt(text, tokenizer, words, vocab);
  // Training text starts every file with xxbos, so a prompt does too (as in the CLI).
  const bos = tokenizer.specials.includes(BOS) ? [/** @type {number} */ (vocab.get(BOS))] : [];
  const ids = [...bos, ...tokens.map((t) => t.id)];
  const refused = [...new Set(tokens.filter((t) => t.id < 0).map((t) => `"${t.text}"`))];
  const name = entry.name;
  const hasUnk = tokenizer.specials.includes(UNK);
  let problem;
  if (tokens.length === 0) {
    problem = !hasUnk
      ? "Type a prompt in the book's tokens, for example: one . two . three ."
      : `Type a prompt: ${name} reads ${tokenizer.mode === "char" ? "characters" : "words"}`;
  } else if (refused.length) {
    problem = `${refused.length === 1 ? "Unknown word" : "Unknown words"} ${refused.join(", ")}: ` +
      `${name} knows only these ${words.length} tokens: ${words.join(" ")}`;
  } else if (tokens.every((t) => t.unknown)) {
    problem = `${name} knows none of the prompt's tokens (each would be read as ${UNK}): ` +
      `type some of its ${words.length.toLocaleString("en")} tokens (see Vocabulary)`;
  } else if (ids.length < current.minTokens) {
    const need = current.minTokens - bos.length;
    problem = `${name} reads the last ${current.minTokens} tokens: type at least ` +
      `${need} (you have ${tokens.length})`;
  }
  return { tokens, ids, problem };
}

/** @param {unknown} error A failure nothing else reported. */
function showUnexpected(error) {
  setStatus("error", "Something went wrong");
  showMessage(`Unexpected error: ${messageOf(error)}`);
}

/** Tokenizes the prompt, shows its tokens, and predicts when the model can. */
async function predict() {
  const current = model;
  if (!current) return;
  const text = ui.prompt.value;
  const { tokens, ids, problem } = readPrompt(current, text);
  renderTokens(tokens);
  if (problem) {
    clearPredictions();
    showMessage(problem);
    return;
  }
  showMessage(undefined);
  try {
    const logits = await current.logitsAfter(ids);
    if (model !== current || ui.prompt.value !== text) return; // a newer prompt or model
    renderTop5(current.sidecar.vocab, text, logits);
    if (!firstPredictionShown) {
      firstPredictionShown = true;
      showFirstPrediction();
    }
    showRunTimes(current.runTimes);
  } catch (error) {
    clearPredictions();
    showMessage(`The model failed on this prompt: ${messageOf(error)}`);
  }
}

/** Appends the next tokens to the prompt, one run per token, showing each as it comes. */
async function continuePrompt() {
  const current = model;
  if (!current) return;
  if (generating) {
    stopRequested = true;
    return;
  }
  const steps = numberInput(ui.steps, "Tokens", { min: 1, max: 500, integer: true });
  const temperature = numberInput(ui.temperature, "Temperature", { min: 0, max: 10 });
  const seed = numberInput(ui.seed, "Seed", { min: 0, max: 4294967295, integer: true });
  const invalid = [steps, temperature, seed].find((v) => typeof v === "string");
  if (typeof invalid === "string") {
    showMessage(invalid);
    return;
  }
  const { tokens, ids, problem } = readPrompt(current, ui.prompt.value);
  if (problem) {
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
  ui.model.disabled = true;
  ui.backend.disabled = true; // no backend switch while a model is busy
  await predictions.idle();
  const random = mulberry32(Number(seed));
  const { vocab: words, tokenizer } = current.sidecar;
  // As the CLI does: xxunk is never chosen, the text is the tokens joined (joinTokens) after
  // the prompt as typed. In word mode whitespace is no token, so trailing spaces can go.
  const banned = vocab.has(UNK) ? [/** @type {number} */ (vocab.get(UNK))] : [];
  const typed = tokenizer.mode === "word" ? ui.prompt.value.trimEnd() : ui.prompt.value;
  /** @type {string[]} */
  const generated = [];
  try {
    for (let i = 0; i < Number(steps) && !stopRequested; i++) {
      const logits = await current.logitsAfter(ids);
      const next = pickToken(logits, { temperature: Number(temperature), banned }, random);
      ids.push(next);
      generated.push(words[next]);
      ui.prompt.value = typed + joinTokens(generated, tokenizer.mode, tokens.length > 0);
      setStatus("busy", `Generating: ${i + 1} of ${steps} tokens`);
    }
  } catch (error) {
    showMessage(`The model failed while generating: ${messageOf(error)}`);
  } finally {
    generating = false;
    ui.continue.textContent = "Continue";
    ui.prompt.readOnly = false;
    ui.model.disabled = false;
    ui.backend.disabled = false; // no backend switch while a model is busy
    setStatus("ready", `${current.entry.name} is ready`);
    ended();
    predictions.request();
  }
}

/** @param {string} token A vocabulary token the person clicked. */
function appendToken(token) {
  if (generating || !model) return;
  ui.prompt.value = model.sidecar.tokenizer.mode === "char"
    ? ui.prompt.value + token // a character is itself: no space between
    : `${ui.prompt.value.trimEnd()} ${token}`.trimStart();
  predictions.request();
}

/** @param {import("./model.js").ModelEntry} entry */
async function selectModel(entry) {
  if (!ort) return;
  ui.continue.disabled = true;
  ui.model.disabled = true;
  ui.backend.disabled = true; // no backend switch while a model is busy
  predictions.dropPending();
  await predictions.idle();
  clearPredictions();
  showMessage(undefined);
  const previous = model;
  model = undefined;
  await previous?.release();
  setStatus("busy", `Loading ${entry.name}…`);
  ui.modelInfo.textContent = "";
  try {
    const start = performance.now();
    model = await PageModel.load(ort, entry, backend);
    ui.tLoad.textContent = formatMs(performance.now() - start);
  } catch (error) {
    setStatus("error", `Cannot use ${entry.name}`);
    showMessage(messageOf(error));
    ui.model.disabled = false;
    ui.backend.disabled = false; // no backend switch while a model is busy
    return;
  }
  vocab = new Map(model.sidecar.vocab.map((w, i) => [w, i]));
  renderModel(entry, model.sidecar, appendToken);
  ui.model.disabled = false;
  ui.backend.disabled = false; // no backend switch while a model is busy
  ui.continue.disabled = false;
  setStatus("ready", `${entry.name} is ready`);
  predictions.request();
}

/** @returns {Promise<import("./model.js").ModelEntry[]>} The model list. */
async function fetchModelList() {
  const response = await fetch("/models/index.json");
  const body = await response.json().catch(() => undefined);
  if (!response.ok) throw new Error(body?.error ?? `the server answered ${response.status}`);
  if (!Array.isArray(body)) throw new Error("/models/index.json is not a list");
  return body;
}

/**
 * Picks the execution provider: `?ep=wasm|webgpu` when given, else WebGPU when the browser
 * has an adapter, else WebAssembly; and says which, and why, beside the picker.
 */
async function chooseBackend() {
  /** @type {unknown} */
  let adapter = null;
  const gpu = /** @type {{ requestAdapter(): Promise<unknown> } | undefined} */ (
    /** @type {{ gpu?: unknown }} */ (navigator).gpu
  );
  try {
    adapter = gpu ? await gpu.requestAdapter() : null;
  } catch {
    adapter = null;
  }
  const hasGpu = adapter !== null && adapter !== undefined;
  const webgpuOption =
    /** @type {HTMLOptionElement} */ (ui.backend.querySelector('option[value="webgpu"]'));
  webgpuOption.disabled = !hasGpu;
  const asked = new URLSearchParams(location.search).get("ep");
  if (asked === "webgpu" && !hasGpu) {
    showMessage("This browser has no WebGPU adapter (navigator.gpu): running on wasm instead.");
  }
  backend = asked === "wasm" || !hasGpu ? "wasm" : "webgpu";
  ui.backend.value = backend;
  ui.backend.disabled = false;
  ui.backendInfo.textContent = backend === "webgpu"
    ? "Running on WebGPU (the browser has an adapter); wasm is one click away."
    : hasGpu
    ? "Running on WebAssembly, as asked; WebGPU is available."
    : "Running on WebAssembly: this browser offers no WebGPU adapter.";
  ui.backendInfo.dataset.backend = backend;
}

/** Fills the model picker from `entries`. */
function renderModelList() {
  ui.model.replaceChildren(...entries.map((entry, i) => {
    const unusable = "problem" in checkEntry(entry);
    const option = el("option", describe(entry) + (unusable ? " (unusable)" : ""));
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
  /** @type {import("./model.js").ModelEntry} */
  const entry = /** @type {import("./model.js").ModelEntry} */ ({
    .../** @type {object} */ (trained.sidecar),
    name: /** @type {{ model: string }} */ (trained.sidecar).model,
    size: trained.onnx.length,
    bytes: trained.onnx,
  });
  entries = [...entries.filter((e) => !e.bytes), entry];
  renderModelList();
  ui.model.value = String(entries.length - 1);
  if (generating) {
    // The generation runs on the session selectModel releases: let it end first.
    stopRequested = true;
    await generationEnded;
  }
  await selectModel(entry);
}

async function start() {
  setStatus("busy", "Loading onnxruntime-web…");
  try {
    // The build with both backends: WebAssembly and WebGPU.
    ort = await import("/ort/ort.min.mjs");
    ort.env.wasm.wasmPaths = "/ort/";
    ort.env.wasm.numThreads = 1; // one step of these models is too small to split
  } catch (error) {
    setStatus("error", "Cannot load onnxruntime-web");
    showMessage(`onnxruntime-web did not load from /ort/: ${messageOf(error)}`);
    return;
  }
  await chooseBackend();
  setStatus("busy", "Reading the model list…");
  try {
    entries = await fetchModelList();
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
  renderModelList();
  const wanted = new URLSearchParams(location.search).get("model");
  const found = wanted === null ? -1 : entries.findIndex((e) => e.name === wanted);
  const index = found >= 0
    ? found
    : Math.max(0, entries.findIndex((e) => "sidecar" in checkEntry(e)));
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
  const entry = entries[Number(ui.model.value)];
  if (entry) void selectModel(entry);
});

ui.model.addEventListener("change", () => {
  const entry = entries[Number(ui.model.value)];
  if (entry) selectModel(entry);
});
ui.continue.addEventListener("click", () => continuePrompt());
document.addEventListener("onnx-lm:trained", (event) => {
  const detail = /** @type {CustomEvent<{ sidecar: object, onnx: Uint8Array }>} */ (event).detail;
  void useTrained(detail);
});
globalThis.addEventListener("unhandledrejection", (event) => showUnexpected(event.reason));

start();
