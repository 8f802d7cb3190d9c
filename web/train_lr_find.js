/**
 * The Train panel's Find lr: how fastai's lr_find shows while it runs in the worker and when it
 * ends (the valley suggestion in the lr field, the three suggestions in the status line, the
 * plot where the curves go). DOM only; `train.js` starts the sweep and routes its messages.
 *
 * @module
 */

import { formatLr, lrFindSvg, namedSuggestions } from "../lib/onnx_lm.js";
import { setTrainStatus, showCurves, showTrainMessage, t } from "./train_view.js";

/** @typedef {import("../src/train/lr_find.ts").LrFindResult} LrFindResult */

/**
 * Shows the sweep's progress.
 *
 * @param {{ done: number, total: number, lr: number, loss: number }} m The worker's message.
 */
export function showLrStep(m) {
  t.progress.max = m.total;
  t.progress.value = m.done;
  t.speed.textContent = `lr_find: step ${m.done}/${m.total}, lr ${formatLr(m.lr)}, ` +
    `smoothed loss ${m.loss.toFixed(4)}`;
}

/**
 * Shows the sweep's result and fills the lr field with fastai's `valley` suggestion.
 *
 * @param {LrFindResult} result The sweep.
 * @param {string} model The model's name (the plot's title).
 * @returns {boolean} Whether the lr field was filled.
 */
export function showLrFound(result, model) {
  const s = result.suggestions;
  const marks = s ? namedSuggestions(s) : [];
  // The plot where the training curves go: a run started next clears it.
  showCurves(lrFindSvg(result.points, marks, model));
  t.curve.alt = `lr_find: the smoothed loss against the learning rate${
    marks.length ? `, with ${marks.map((m) => m.name).join(", ")} marked` : ""
  }`;
  const steps = `${result.points.length} step${result.points.length === 1 ? "" : "s"}`;
  if (!s) {
    setTrainStatus("idle", `lr_find: no suggestion after ${steps}`);
    showTrainMessage(
      `lr_find kept too few points to suggest an lr (it skips the first tenth of the sweep and ` +
        `its last 5 points)${result.end === "stopped" ? ": it was stopped early" : ""}`,
    );
    return false;
  }
  t.lr.value = formatLr(s.valley.lr);
  setTrainStatus(
    "idle",
    `lr_find (${steps}): valley ${formatLr(s.valley.lr)}, now in the lr field; minimum ` +
      `${formatLr(s.minimum.lr)}, steep ${formatLr(s.steep.lr)}`,
  );
  return true;
}
