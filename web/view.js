/**
 * What the page shows: its elements, and functions that fill them. Text only ever reaches the
 * DOM as `textContent` (or a `data-` attribute), never as HTML. No onnxruntime here.
 *
 * @module
 */

import { formatBytes, formatMs, median, softmax, topK } from "./lm.js";

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** The page's elements, by role. */
export const ui = {
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

/**
 * @param {"busy" | "ready" | "error"} state
 * @param {string} text
 */
export function setStatus(state, text) {
  ui.status.dataset.state = state;
  ui.status.textContent = text;
}

/** @param {string | undefined} text A message for the person, or undefined to hide it. */
export function showMessage(text) {
  ui.message.hidden = !text;
  ui.message.textContent = text ?? "";
}

/**
 * @param {string} tag
 * @param {string} text
 * @param {string} [className]
 * @returns {HTMLElement}
 */
export function el(tag, text, className) {
  const node = document.createElement(tag);
  node.textContent = text;
  if (className) node.className = className;
  return node;
}

/** @param {import("./lm.js").PromptToken[]} tokens The prompt, unknown words marked. */
export function renderTokens(tokens) {
  ui.tokens.replaceChildren(
    ...tokens.map((t) => el("span", t.token, t.id < 0 ? "token unknown" : "token")),
  );
}

export function clearPredictions() {
  ui.top5.replaceChildren();
  delete ui.top5.dataset.prompt;
}

/**
 * The five most likely next tokens as bars. `data-prompt` on the list says which prompt they
 * belong to; `data-token` and `data-prob` on each row hold the exact figures.
 *
 * @param {readonly string[]} words The vocabulary.
 * @param {string} prompt The prompt's tokens joined by spaces.
 * @param {Float32Array} logits Next-token scores.
 */
export function renderTop5(words, prompt, logits) {
  const rows = topK(softmax(logits), 5).map(({ id, prob }) => {
    const li = document.createElement("li");
    li.dataset.token = words[id];
    li.dataset.prob = String(prob);
    const track = el("span", "", "track");
    const bar = el("span", "", "bar");
    bar.style.width = `${(prob * 100).toFixed(2)}%`;
    track.append(bar);
    li.append(
      el("span", words[id], "word"),
      track,
      el("span", `${(prob * 100).toFixed(1)}%`, "prob"),
    );
    return li;
  });
  ui.top5.replaceChildren(...rows);
  ui.top5.dataset.prompt = prompt;
}

/** Shows the time from the start of navigation to now (call at the first prediction). */
export function showFirstPrediction() {
  const ms = performance.now(); // counts from the start of the page's navigation
  ui.tFirst.textContent = formatMs(ms);
  ui.tFirst.dataset.ms = String(ms);
}

/** @param {readonly number[]} times Duration of every `session.run`, in ms. */
export function showRunTimes(times) {
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
export function numberInput(input, label, range) {
  const value = Number(input.value);
  const kind = range.integer ? "a whole number" : "a number";
  const allowed = `${label} must be ${kind} from ${range.min} to ${range.max}`;
  if (
    input.value.trim() === "" || !Number.isFinite(value) ||
    (range.integer && !Number.isInteger(value))
  ) {
    return `${allowed}: got "${input.value}"`;
  }
  if (value < range.min || value > range.max) return `${allowed}: got ${value}`;
  return value;
}

/**
 * The model picker's line for a model: name, accuracy and file size.
 *
 * @param {import("./model.js").ModelEntry} entry
 * @returns {string}
 */
export function describe(entry) {
  const acc = typeof entry.metrics?.accuracy === "number"
    ? `accuracy ${entry.metrics.accuracy.toFixed(3)}`
    : "accuracy unknown";
  const size = typeof entry.size === "number" ? formatBytes(entry.size) : "no file";
  return `${entry.name} · ${acc} · ${size}`;
}

/**
 * Shows what a loaded model is and the words it knows (buttons that call `onPick`).
 *
 * @param {import("./model.js").ModelEntry} entry
 * @param {(word: string) => void} onPick
 */
export function renderModel(entry, onPick) {
  const m = entry.metrics ?? {};
  ui.modelInfo.textContent = [
    entry.description ?? entry.name,
    typeof m.accuracy === "number" ? `validation accuracy ${m.accuracy.toFixed(4)}` : "",
    typeof m.valid_loss === "number" ? `loss ${m.valid_loss.toFixed(3)}` : "",
    typeof m.epochs === "number" ? `${m.epochs} epochs` : "",
    typeof entry.size === "number" ? formatBytes(entry.size) : "",
    entry.kind === "fixed" ? `reads the last ${entry.context} tokens` : "one token per step",
  ].filter(Boolean).join(" · ");
  ui.vocab.replaceChildren(...entry.vocab.map((word) => {
    const button = /** @type {HTMLButtonElement} */ (el("button", word, "token"));
    button.type = "button";
    button.addEventListener("click", () => onPick(word));
    return button;
  }));
}
