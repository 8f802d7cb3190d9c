/**
 * What the page shows: its elements, and functions that fill them. Text only ever reaches the
 * DOM as `textContent` (or a `data-` attribute), never as HTML. No onnxruntime here.
 *
 * @module
 */

import {
  counted,
  filterVocab,
  formatBytes,
  formatMs,
  median,
  NumberTextError,
  readInteger,
  readNumber,
  UNK,
  visibleText,
  visibleToken,
} from "../lib/onnx_lm.js";

/** Above this many tokens the vocabulary is searched, not shown whole. */
export const VOCAB_CHIPS_MAX = 200;

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** The page's elements, by role. */
export const ui = {
  status: $("status"),
  model: /** @type {HTMLSelectElement} */ ($("model")),
  backend: /** @type {HTMLSelectElement} */ ($("backend")),
  backendInfo: $("backend-info"),
  modelInfo: $("model-info"),
  prompt: /** @type {HTMLTextAreaElement} */ ($("prompt")),
  promptHint: $("prompt-hint"),
  tokens: $("tokens"),
  message: $("message"),
  top5: $("top5"),
  steps: /** @type {HTMLInputElement} */ ($("steps")),
  temperature: /** @type {HTMLInputElement} */ ($("temperature")),
  topP: /** @type {HTMLInputElement} */ ($("top-p")),
  seed: /** @type {HTMLInputElement} */ ($("seed")),
  continue: /** @type {HTMLButtonElement} */ ($("continue")),
  tFirst: $("t-first"),
  tLoad: $("t-load"),
  tRun: $("t-run"),
  vocab: $("vocab"),
  vocabSearch: /** @type {HTMLInputElement} */ ($("vocab-search")),
  vocabCount: $("vocab-count"),
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

/**
 * The prompt as chips: known tokens, tokens read as `xxunk` (the typed text struck, then
 * "→ xxunk"), and unknown tokens a model without `xxunk` refuses (marked, class `unknown`).
 *
 * @param {import("../src/data/prompt.ts").PromptToken[]} tokens The prompt.
 */
export function renderTokens(tokens) {
  ui.tokens.replaceChildren(...tokens.map((t) => {
    if (!t.unknown) return el("span", visibleToken(t.token), "token");
    if (t.id < 0) return el("span", visibleToken(t.text), "token unknown");
    const chip = el("span", "", "token substituted");
    chip.title = `${JSON.stringify(visibleText(t.text))} is not in the vocabulary: the model ` +
      `reads ${UNK}`;
    chip.dataset.text = t.text;
    chip.append(el("s", visibleToken(t.text)), document.createTextNode(` → ${t.token}`));
    return chip;
  }));
}

export function clearPredictions() {
  ui.top5.replaceChildren();
  delete ui.top5.dataset.prompt;
}

/**
 * The most likely next tokens as bars. `data-prompt` on the list says which prompt they
 * belong to; `data-token` and `data-prob` on each row hold the exact figures.
 *
 * @param {readonly import("../src/api/text_model.ts").NextToken[]} top The tokens.
 * @param {string} prompt The prompt as typed.
 */
export function renderTop5(top, prompt) {
  const rows = top.map(({ token, prob }) => {
    const li = document.createElement("li");
    li.dataset.token = token;
    li.dataset.prob = String(prob);
    const track = el("span", "", "track");
    const bar = el("span", "", "bar");
    bar.style.width = `${(prob * 100).toFixed(2)}%`;
    track.append(bar);
    li.append(
      el("span", visibleToken(token), "word"),
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
 * Reads a number input, or explains what is wrong with it (the reader every flag and setting
 * uses).
 *
 * @param {HTMLInputElement} input
 * @param {string} label
 * @param {{ min: number, max: number, integer?: boolean } | { above: number, max: number }} range
 * @returns {number | string} The value, or a message.
 */
export function numberInput(input, label, range) {
  try {
    return "integer" in range && range.integer
      ? readInteger(label, input.value, range.min, range.max)
      : readNumber(label, input.value, range);
  } catch (error) {
    if (error instanceof NumberTextError) return error.message;
    throw error;
  }
}

/**
 * The model picker's line for a model: name, accuracy and file size.
 *
 * @param {import("../src/api/model_list.ts").ModelEntry} entry
 * @returns {string}
 */
export function describe(entry) {
  const accuracy = entry.sidecar?.metrics.accuracy;
  const acc = typeof accuracy === "number" ? `accuracy ${accuracy.toFixed(3)}` : "accuracy unknown";
  const size = typeof entry.size === "number" ? formatBytes(entry.size) : "no file";
  const where = entry.bytes ? " · trained in this page" : "";
  return `${entry.name} · ${acc} · ${size}${where}`;
}

/**
 * Shows what a loaded model is and how to type for it.
 *
 * @param {import("../src/api/model_list.ts").ModelEntry} entry
 * @param {import("../src/export/sidecar.ts").Sidecar} sidecar The entry's sidecar.
 */
export function renderModel(entry, sidecar) {
  const m = sidecar.metrics;
  const { mode } = sidecar.tokenizer;
  ui.modelInfo.textContent = [
    visibleText(sidecar.description || entry.name),
    typeof m.accuracy === "number" ? `validation accuracy ${m.accuracy.toFixed(4)}` : "",
    typeof m.valid_loss === "number" ? `loss ${m.valid_loss.toFixed(3)}` : "",
    typeof m.epochs === "number" ? counted(m.epochs, "epoch") : "",
    typeof entry.size === "number" ? formatBytes(entry.size) : "",
    sidecar.kind === "fixed" ? `reads the last ${sidecar.context} tokens` : "one token per step",
    `${mode === "char" ? "characters" : "words"}, ${sidecar.vocab.length.toLocaleString("en")} ` +
    "tokens",
  ].filter(Boolean).join(" · ");
  ui.promptHint.textContent = !sidecar.tokenizer.specials.includes(UNK)
    ? "Words and . separated by spaces, as in the book: one . two . three ."
    : mode === "char"
    ? `Any text: ${entry.name} reads it character by character, as it read its training text; ` +
      `a character it never saw is read as ${UNK}.`
    : `Words and punctuation, split as ${entry.name}'s training text was` +
      `${sidecar.tokenizer.lower ? " (lower-cased)" : ""}` +
      `${sidecar.tokenizer.lines ? ", line breaks included" : ""}; a word it never saw is read ` +
      `as ${UNK}.`;
  ui.vocab.replaceChildren();
  ui.vocabSearch.hidden = true;
  ui.vocabCount.hidden = true;
  delete ui.vocab.dataset.model;
}

/**
 * Shows the tokens a model knows, as buttons that call `onPick`: all of them for a small
 * vocabulary, else a search box and the first matches. `data-model` on the list says whose
 * they are once drawn.
 *
 * @param {string} name The model's name.
 * @param {import("../src/export/sidecar.ts").Sidecar} sidecar Its sidecar.
 * @param {(token: string) => void} onPick
 */
export function renderVocab(name, sidecar, onPick) {
  const { mode } = sidecar.tokenizer;
  ui.vocab.dataset.model = name;
  /** @param {number} id */
  const chip = (id) => {
    const token = sidecar.vocab[id];
    const button = /** @type {HTMLButtonElement} */ (el("button", visibleToken(token), "token"));
    button.type = "button";
    button.dataset.token = token;
    // In a char model a special is one token but several characters: typing it is not it.
    if (mode === "char" && sidecar.tokenizer.specials.includes(token)) button.disabled = true;
    else button.addEventListener("click", () => onPick(token));
    return button;
  };
  const large = sidecar.vocab.length > VOCAB_CHIPS_MAX;
  ui.vocabSearch.hidden = !large;
  ui.vocabCount.hidden = !large;
  ui.vocabSearch.value = "";
  ui.vocabSearch.oninput = null;
  if (!large) {
    ui.vocab.replaceChildren(...sidecar.vocab.map((_, id) => chip(id)));
    return;
  }
  const show = () => {
    const query = ui.vocabSearch.value;
    const { ids, total } = filterVocab(sidecar.vocab, query, VOCAB_CHIPS_MAX);
    const all = sidecar.vocab.length.toLocaleString("en");
    ui.vocabCount.textContent = query === ""
      ? `The first ${ids.length} of ${all} tokens: type to search them all.`
      : total === 0
      ? `No token of ${all} contains ${JSON.stringify(query)}.`
      : `${total.toLocaleString("en")} of ${all} tokens contain ${JSON.stringify(query)}` +
        (total > ids.length ? `; the first ${ids.length} are shown.` : ".");
    ui.vocabCount.dataset.total = String(total);
    ui.vocab.replaceChildren(...ids.map(chip));
  };
  ui.vocabSearch.oninput = show;
  show();
}
