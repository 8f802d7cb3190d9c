/**
 * The Train panel's elements and how they show things: the settings fields, status and
 * message, the table's rows, the curves, the downloads. DOM only; `train.js` holds the run's
 * state and the worker, and calls these.
 *
 * @module
 */

import {
  defaultSettings,
  formatBytes,
  modelSizes,
  SIZE_KEYS,
  SIZE_LIMITS,
  sizeValues,
  tableCells,
  tableColumns,
} from "../lib/onnx_lm.js";

/** @typedef {import("../src/web/train_settings.ts").TrainSettings} TrainSettings */
/** @typedef {import("../src/web/train_protocol.ts").RunFiles} RunFiles */
/** @typedef {import("../src/train/learner.ts").EpochRecord} EpochRecord */

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
const input = (/** @type {string} */ id) => /** @type {HTMLInputElement} */ ($(id));
const select = (/** @type {string} */ id) => /** @type {HTMLSelectElement} */ ($(id));

/** The panel's elements. */
export const t = {
  model: select("train-model"),
  epochs: input("train-epochs"),
  steps: input("train-steps"),
  lr: input("train-lr"),
  seed: input("train-seed"),
  /** The size fields by the CLI's flag names (`hidden`, `layers`, `dropout`, `bs`, `sl`). */
  sizes: /** @type {Record<string, HTMLInputElement>} */ (Object.fromEntries(
    SIZE_KEYS.map((/** @type {string} */ k) => [k, input(`train-${k}`)]),
  )),
  backend: select("train-backend"),
  threads: input("train-threads"),
  threadsInfo: $("train-threads-info"),
  corpus: select("train-corpus"),
  own: $("train-own"),
  text: /** @type {HTMLTextAreaElement} */ ($("train-text")),
  file: input("train-file"),
  tokens: select("train-tokens"),
  lower: input("train-lower"),
  start: /** @type {HTMLButtonElement} */ ($("train-start")),
  lrFind: /** @type {HTMLButtonElement} */ ($("train-lr-find")),
  stop: /** @type {HTMLButtonElement} */ ($("train-stop")),
  resume: /** @type {HTMLButtonElement} */ ($("train-resume")),
  link: /** @type {HTMLAnchorElement} */ ($("train-link")),
  status: $("train-status"),
  message: $("train-message"),
  info: $("train-info"),
  progress: /** @type {HTMLProgressElement} */ ($("train-progress")),
  speed: $("train-speed"),
  head: /** @type {HTMLTableRowElement} */ (document.querySelector("#train-table thead tr")),
  rows: /** @type {HTMLTableSectionElement} */ (document.querySelector("#train-table tbody")),
  curve: /** @type {HTMLImageElement} */ ($("train-curve")),
  downloads: $("train-downloads"),
};

/** The curve image's description (Find lr's plot has its own until the view is cleared). */
const CURVES_ALT = t.curve.alt;
// The CLI's limits (models/sizing.ts), so the fields' arrows stop where checkSettings does.
for (const [k, max] of Object.entries(SIZE_LIMITS)) t.sizes[k].max = String(max);

/**
 * Shows or hides a field with its label (a GPT's fields for a GPT, an RNN's for the others).
 *
 * @param {HTMLInputElement} field
 * @param {boolean} shown
 */
function showField(field, shown) {
  field.hidden = !shown;
  const label =
    /** @type {HTMLElement | null} */ (document.querySelector(`label[for="${field.id}"]`)) ??
      field.closest("label");
  if (label) label.hidden = !shown;
}

/** Settings fields that stay locked while a run trains. */
const FIELDS = [
  t.model,
  t.epochs,
  t.steps,
  t.lr,
  t.seed,
  ...Object.values(t.sizes),
  t.backend,
  t.threads,
  t.corpus,
  t.text,
  t.file,
  t.tokens,
  t.lower,
];

/** @type {string[]} Blob URLs of the downloads, revoked when replaced. */
let blobUrls = [];

/**
 * @param {"idle" | "running" | "stopped" | "finished" | "error"} state
 * @param {string} text
 */
export function setTrainStatus(state, text) {
  t.status.dataset.state = state;
  t.status.textContent = text;
}

/** @param {string | undefined} text */
export function showTrainMessage(text) {
  t.message.hidden = !text;
  t.message.textContent = text ?? "";
}

/** Shows a model's book recipe and sizes in the fields. */
export function showDefaults(/** @type {string} */ model) {
  const d = defaultSettings(model);
  t.epochs.value = String(d.epochs);
  showSteps(d);
  t.lr.value = String(d.lr);
  showSizes(d);
}

/**
 * A model whose recipe counts steps (the GPT) shows Steps in place of Epochs.
 *
 * @param {TrainSettings} s
 */
function showSteps(s) {
  const steps = s.steps !== undefined;
  showField(t.steps, steps);
  showField(t.epochs, !steps);
  if (steps) t.steps.value = String(s.steps);
}

/**
 * Shows a setting's sizes; a size the model cannot change (lm1's layers, lm6's dropout, the
 * three-token models' sl) shows the book's value, locked.
 *
 * @param {TrainSettings} s
 */
function showSizes(s) {
  const values = sizeValues(s);
  const { resizable, applies } = modelSizes(s.model);
  for (const [k, field] of Object.entries(t.sizes)) {
    if (field.type === "checkbox") field.checked = values[k] === true;
    else if (values[k] !== undefined) field.value = String(values[k]);
    field.dataset.unavailable = String(!resizable[k]);
    field.disabled = !resizable[k];
    field.title = resizable[k] ? "" : `${s.model} cannot change its ${k}`;
    showField(field, applies[k]);
  }
}

/**
 * The size fields' values, by the CLI's flag names (`checkSettings` reads them).
 *
 * @returns {Record<string, string>}
 */
export function sizeFields() {
  return Object.fromEntries(
    Object.entries(t.sizes).map((
      [k, f],
    ) => [k, f.type === "checkbox" ? String(f.checked) : f.value]),
  );
}

/** @param {TrainSettings} s */
export function showSettings(s) {
  t.model.value = s.model;
  t.epochs.value = String(s.epochs);
  showSteps(s);
  t.lr.value = String(s.lr);
  t.seed.value = String(s.seed);
  showSizes(s);
  if (
    !(/** @type {HTMLOptionElement} */ (t.backend.querySelector(`[value="${s.backend}"]`)))
      .disabled
  ) t.backend.value = s.backend;
  if (t.threads.dataset.unavailable !== "true") {
    t.threads.value = String(Math.min(s.threads, Number(t.threads.max)));
  }
}

/**
 * Locks the settings while a run trains (fields a browser lacks stay disabled).
 *
 * @param {boolean} busy Whether a run trains.
 */
export function setLocked(busy) {
  for (const f of FIELDS) f.disabled = busy || f.dataset.unavailable === "true";
  t.start.disabled = busy;
  t.lrFind.disabled = busy;
  t.stop.disabled = !busy;
  if (busy) t.resume.disabled = true;
}

/** Empties the table, curves, downloads, progress and run line. */
export function clearView() {
  t.rows.replaceChildren();
  t.curve.hidden = true;
  t.curve.removeAttribute("src");
  t.curve.alt = CURVES_ALT;
  t.downloads.hidden = true;
  t.downloads.replaceChildren();
  for (const url of blobUrls) URL.revokeObjectURL(url);
  blobUrls = [];
  t.progress.value = 0;
  t.speed.textContent = "";
  t.info.textContent = "";
}

/**
 * Names the table's columns for a run's tokens (a character-level run adds bits per character).
 *
 * @param {"word" | "char"} tokens The run's tokens.
 */
export function showColumns(tokens) {
  t.head.replaceChildren(
    ...tableColumns(tokens).map((/** @type {string} */ name) => {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = name;
      return th;
    }),
  );
}

/**
 * Adds an epoch's row to the table.
 *
 * @param {EpochRecord} record The epoch.
 * @param {number} stepsPerSecond The epoch's training steps/s.
 * @param {"word" | "char"} tokens The run's tokens.
 */
export function appendRow(record, stepsPerSecond, tokens) {
  const tr = document.createElement("tr");
  // Full precision for whoever reads the page programmatically (the tests compare them).
  tr.dataset.trainLoss = String(record.train_loss);
  tr.dataset.validLoss = String(record.valid_loss);
  tr.dataset.accuracy = String(record.accuracy);
  tr.dataset.time = String(record.time);
  tr.dataset.stepsPerSecond = String(stepsPerSecond);
  for (const cell of tableCells(record, tokens)) {
    const td = document.createElement("td");
    td.textContent = cell;
    tr.append(td);
  }
  t.rows.append(tr);
}

/**
 * Shows the curves.
 *
 * @param {string} svg The report's curves, as SVG text (shown as an image).
 */
export function showCurves(svg) {
  t.curve.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  t.curve.hidden = false;
}

/**
 * Offers the run's files for download, and hands its export to the prediction panels (the
 * `onnx-lm:trained` event, which `app.js` handles).
 *
 * @param {RunFiles} files The checkpoint and the export.
 */
export function showDownloads(files) {
  for (const url of blobUrls) URL.revokeObjectURL(url);
  blobUrls = [];
  const all = [["checkpoint.safetensors", files.checkpoint], ...Object.entries(files.files)];
  const links = all.map(([name, bytes]) => {
    const url = URL.createObjectURL(new Blob([/** @type {Uint8Array} */ (bytes)]));
    blobUrls.push(url);
    const a = document.createElement("a");
    a.href = url;
    a.download = /** @type {string} */ (name);
    a.textContent = `${name} (${formatBytes(/** @type {Uint8Array} */ (bytes).length)})`;
    a.dataset.file = /** @type {string} */ (name);
    return a;
  });
  const hint = document.createElement("p");
  hint.className = "hint";
  hint.textContent = "deno task train --resume and deno task export take the checkpoint as " +
    "it is: put it in a run directory (runs/<model>/checkpoint.safetensors).";
  t.downloads.replaceChildren(...links, hint);
  t.downloads.hidden = false;
  const sidecar = JSON.parse(new TextDecoder().decode(files.files[`${files.name}.json`]));
  document.dispatchEvent(
    new CustomEvent("onnx-lm:trained", {
      detail: { sidecar, onnx: files.files[`${files.name}.onnx`] },
    }),
  );
}
