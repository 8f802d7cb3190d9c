/**
 * The page: picks a model from `/models/index.json`, shows the top-5 next tokens as the
 * person types, continues the prompt token by token, and reports latency. Every failure ends
 * as a message in the page. User text only ever reaches the DOM as `textContent`.
 *
 * @module
 */

import {
  formatBytes,
  formatMs,
  median,
  mulberry32,
  pickToken,
  softmax,
  tokenize,
  topK,
} from "./lm.js";
import { entryProblem, messageOf, PageModel } from "./model.js";

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
const ui = {
  status: $("status"),
  model: /** @type {HTMLSelectElement} */ ($("model")),
  modelInfo: $("model-info"),
  prompt: /** @type {HTMLTextAreaElement} */ ($("prompt")),
  tokens: $("tokens"),
  message: $("message"),
  top5: $("top5"),
  steps: /** @type {HTMLInputElement} */ ($("steps")),
  temperature: /** @type {HTMLInputElement} */ ($("temperature")),
  seed: /** @type {HTMLInputElement} */ ($("seed")),
  continue: /** @type {HTMLButtonElement} */ ($("continue")),
  tFirst: $("t-first"),
  tLoad: $("t-load"),
  tRun: $("t-run"),
  vocab: $("vocab"),
};

/** @type {typeof import("onnxruntime-web") | undefined} */
let ort;
/** @type {import("./model.js").ModelEntry[]} */
let entries = [];
/** @type {PageModel | undefined} */
let model;
/** @type {Map<string, number>} */
let vocab = new Map();
let firstPredictionShown = false;
let generating = false;
let stopRequested = false;

/**
 * @param {"busy" | "ready" | "error"} state
 * @param {string} text
 */
function setStatus(state, text) {
  ui.status.dataset.state = state;
  ui.status.textContent = text;
}

/** @param {string | undefined} text */
function showMessage(text) {
  ui.message.hidden = !text;
  ui.message.textContent = text ?? "";
}

/**
 * @param {string} tag
 * @param {string} text
 * @param {string} [className]
 */
function el(tag, text, className) {
  const node = document.createElement(tag);
  node.textContent = text;
  if (className) node.className = className;
  return node;
}

// Predictions run one at a time (a session runs one call at a time); while one runs, a newer
// prompt replaces any waiting one, so fast typing never builds a queue. Generation and model
// switches wait for the prediction in flight before they touch the session.
let running = false;
let pending = false;
/** @type {Promise<void>} */
let inflight = Promise.resolve();

async function predictLoop() {
  do {
    pending = false;
    await predict();
  } while (pending);
}

function schedulePrediction() {
  if (running) {
    pending = true;
    return;
  }
  running = true;
  inflight = predictLoop().finally(() => {
    running = false;
  });
}

/** Tokenizes the prompt, shows its tokens, and predicts when the model can. */
async function predict() {
  if (!model) return;
  const text = ui.prompt.value;
  const tokens = tokenize(text, vocab);
  renderTokens(tokens);
  const unknown = tokens.filter((t) => t.id < 0);
  if (tokens.length === 0) {
    clearPredictions();
    showMessage("Type a prompt in the book's tokens, for example: one . two . three .");
    return;
  }
  if (unknown.length) {
    clearPredictions();
    const words = [...new Set(unknown.map((t) => `"${t.token}"`))].join(", ");
    showMessage(
      `${unknown.length === 1 ? "Unknown word" : "Unknown words"} ${words}: ` +
        `${model.entry.name} knows only these ${model.entry.vocab.length} tokens: ` +
        model.entry.vocab.join(" "),
    );
    return;
  }
  if (tokens.length < model.minTokens) {
    clearPredictions();
    showMessage(
      `${model.entry.name} reads the last ${model.minTokens} tokens: type at least ` +
        `${model.minTokens} (you have ${tokens.length})`,
    );
    return;
  }
  showMessage(undefined);
  const ids = tokens.map((t) => t.id);
  try {
    const current = model;
    const logits = await current.logitsAfter(ids);
    if (model !== current || ui.prompt.value !== text) return; // a newer prompt or model
    renderTop5(tokens.map((t) => t.token).join(" "), logits);
  } catch (error) {
    clearPredictions();
    showMessage(`The model failed on this prompt: ${messageOf(error)}`);
  }
}

/** @param {import("./lm.js").PromptToken[]} tokens */
function renderTokens(tokens) {
  ui.tokens.replaceChildren(
    ...tokens.map((t) => el("span", t.token, t.id < 0 ? "token unknown" : "token")),
  );
}

function clearPredictions() {
  ui.top5.replaceChildren();
  delete ui.top5.dataset.prompt;
}

/**
 * @param {string} prompt The prompt's tokens joined by spaces.
 * @param {Float32Array} logits
 */
function renderTop5(prompt, logits) {
  if (!model) return;
  const words = model.entry.vocab;
  const rows = topK(softmax(logits), 5).map(({ id, prob }) => {
    const li = document.createElement("li");
    li.dataset.token = words[id];
    li.dataset.prob = String(prob);
    const bar = el("span", "", "bar");
    bar.style.width = `${(prob * 100).toFixed(2)}%`;
    li.append(
      el("span", words[id], "word"),
      el("span", "", "track"),
      el("span", `${(prob * 100).toFixed(1)}%`, "prob"),
    );
    /** @type {HTMLElement} */ (li.children[1]).append(bar);
    return li;
  });
  ui.top5.replaceChildren(...rows);
  ui.top5.dataset.prompt = prompt;
  if (!firstPredictionShown) {
    firstPredictionShown = true;
    // performance.now() counts from the start of the page's navigation.
    ui.tFirst.textContent = formatMs(performance.now());
    ui.tFirst.dataset.ms = String(performance.now());
  }
  const times = model.runTimes;
  // Browsers coarsen performance.now() (to 0.1 ms here), so the mean of many runs is the
  // finer figure; the median shows what a typical run costs.
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  ui.tRun.textContent = `${formatMs(median(times))} median, ${formatMs(mean)} mean ` +
    `over ${times.length} runs`;
  ui.tRun.dataset.ms = String(median(times));
  ui.tRun.dataset.meanMs = String(mean);
}

/**
 * Reads a number input, or explains what is wrong with it.
 *
 * @param {HTMLInputElement} input
 * @param {string} label
 * @param {{ min: number, max: number, integer?: boolean }} range
 * @returns {number | string} The value, or a message.
 */
function numberInput(input, label, range) {
  const value = Number(input.value);
  const kind = range.integer ? "a whole number" : "a number";
  if (
    input.value.trim() === "" || !Number.isFinite(value) ||
    (range.integer && !Number.isInteger(value))
  ) {
    return `${label} must be ${kind} from ${range.min} to ${range.max}: got "${input.value}"`;
  }
  if (value < range.min || value > range.max) {
    return `${label} must be ${kind} from ${range.min} to ${range.max}: got ${value}`;
  }
  return value;
}

/** Appends the next tokens to the prompt, one run per token, showing each as it comes. */
async function continuePrompt() {
  if (!model) return;
  if (generating) {
    stopRequested = true;
    return;
  }
  const steps = numberInput(ui.steps, "Tokens", { min: 1, max: 500, integer: true });
  const temperature = numberInput(ui.temperature, "Temperature", { min: 0, max: 10 });
  const seed = numberInput(ui.seed, "Seed", { min: 0, max: 4294967295, integer: true });
  for (const v of [steps, temperature, seed]) {
    if (typeof v === "string") {
      showMessage(v);
      return;
    }
  }
  const tokens = tokenize(ui.prompt.value, vocab);
  if (tokens.length < model.minTokens || tokens.some((t) => t.id < 0)) {
    schedulePrediction(); // shows what is wrong with the prompt
    return;
  }
  generating = true;
  stopRequested = false;
  await inflight;
  ui.continue.textContent = "Stop";
  ui.prompt.readOnly = true;
  const random = mulberry32(/** @type {number} */ (seed));
  const ids = tokens.map((t) => t.id);
  const words = tokens.map((t) => t.token);
  try {
    for (let i = 0; i < /** @type {number} */ (steps) && !stopRequested; i++) {
      const logits = await model.logitsAfter(ids);
      const next = pickToken(logits, /** @type {number} */ (temperature), random);
      ids.push(next);
      words.push(model.entry.vocab[next]);
      ui.prompt.value = words.join(" ");
      setStatus("busy", `Generating: ${i + 1} of ${steps} tokens`);
    }
  } catch (error) {
    showMessage(`The model failed while generating: ${messageOf(error)}`);
  } finally {
    generating = false;
    ui.continue.textContent = "Continue";
    ui.prompt.readOnly = false;
    setStatus("ready", `${model.entry.name} is ready`);
    schedulePrediction();
  }
}

/** @param {import("./model.js").ModelEntry} entry */
function describe(entry) {
  const acc = typeof entry.metrics?.accuracy === "number"
    ? `accuracy ${entry.metrics.accuracy.toFixed(3)}`
    : "accuracy unknown";
  const size = typeof entry.size === "number" ? formatBytes(entry.size) : "no file";
  return `${entry.name} · ${acc} · ${size}`;
}

/** @param {import("./model.js").ModelEntry} entry */
async function selectModel(entry) {
  if (!ort) return;
  ui.continue.disabled = true;
  ui.model.disabled = true;
  pending = false;
  await inflight;
  clearPredictions();
  showMessage(undefined);
  const previous = model;
  model = undefined;
  await previous?.release();
  setStatus("busy", `Loading ${entry.name}…`);
  ui.modelInfo.textContent = "";
  try {
    const start = performance.now();
    model = await PageModel.load(ort, entry);
    ui.tLoad.textContent = formatMs(performance.now() - start);
  } catch (error) {
    setStatus("error", `Cannot use ${entry.name}`);
    showMessage(messageOf(error));
    ui.model.disabled = false;
    return;
  }
  vocab = new Map(entry.vocab.map((w, i) => [w, i]));
  const m = entry.metrics ?? {};
  ui.modelInfo.textContent = [
    entry.description ?? entry.name,
    typeof m.accuracy === "number" ? `validation accuracy ${m.accuracy.toFixed(4)}` : "",
    typeof m.valid_loss === "number" ? `loss ${m.valid_loss.toFixed(3)}` : "",
    typeof m.epochs === "number" ? `${m.epochs} epochs` : "",
    typeof entry.size === "number" ? formatBytes(entry.size) : "",
    entry.kind === "fixed" ? `reads the last ${entry.context} tokens` : "one token per step",
  ].filter(Boolean).join(" · ");
  ui.vocab.replaceChildren(...entry.vocab.map((w) => {
    const b = el("button", w, "token");
    b.type = "button";
    b.addEventListener("click", () => {
      if (generating) return;
      ui.prompt.value = `${ui.prompt.value.trimEnd()} ${w}`.trimStart();
      schedulePrediction();
    });
    return b;
  }));
  ui.model.disabled = false;
  ui.continue.disabled = false;
  setStatus("ready", `${entry.name} is ready`);
  schedulePrediction();
}

async function start() {
  setStatus("busy", "Loading onnxruntime-web…");
  try {
    ort = await import("/ort/ort.wasm.min.mjs");
    ort.env.wasm.wasmPaths = "/ort/";
    ort.env.wasm.numThreads = 1; // no cross-origin isolation needed; these models are tiny
  } catch (error) {
    setStatus("error", "Cannot load onnxruntime-web");
    showMessage(`onnxruntime-web did not load from /ort/: ${messageOf(error)}`);
    return;
  }
  setStatus("busy", "Reading the model list…");
  try {
    const response = await fetch("/models/index.json");
    const body = await response.json().catch(() => undefined);
    if (!response.ok) {
      throw new Error(body?.error ?? `the server answered ${response.status}`);
    }
    if (!Array.isArray(body)) throw new Error("/models/index.json is not a list");
    entries = body;
  } catch (error) {
    setStatus("error", "No models");
    showMessage(`Cannot read the model list: ${messageOf(error)}`);
    return;
  }
  if (entries.length === 0) {
    setStatus("error", "No models");
    showMessage(
      "The models directory has no exported models: run " +
        '"deno task export runs/lm6 --out runs/export", then reload.',
    );
    return;
  }
  ui.model.replaceChildren(...entries.map((entry, i) => {
    const option = el("option", describe(entry));
    option.setAttribute("value", String(i));
    const problem = entryProblem(entry);
    if (problem) option.textContent += " (unusable)";
    return option;
  }));
  const wanted = new URLSearchParams(location.search).get("model");
  const usable = entries.findIndex((e) => !entryProblem(e));
  let index = wanted === null ? -1 : entries.findIndex((e) => e.name === wanted);
  if (wanted !== null && index < 0) {
    showMessage(`There is no model "${wanted}" here; showing ${entries[Math.max(usable, 0)].name}`);
  }
  if (index < 0) index = Math.max(usable, 0);
  ui.model.value = String(index);
  ui.model.disabled = false;
  await selectModel(entries[index]);
}

ui.prompt.addEventListener("input", () => {
  if (!generating) schedulePrediction();
});
ui.model.addEventListener("change", () => {
  const entry = entries[Number(ui.model.value)];
  if (entry) selectModel(entry);
});
ui.continue.addEventListener("click", () => continuePrompt());
globalThis.addEventListener("unhandledrejection", (event) => {
  setStatus("error", "Something went wrong");
  showMessage(`Unexpected error: ${messageOf(event.reason)}`);
});

start();
