/**
 * The lr_find plot as a standalone SVG, as fastai's `plot_lr_find` draws it: the smoothed
 * loss against the learning rate on a log axis, without the sweep's last 5 points, with
 * fastai's suggestions marked and named in a legend.
 *
 * @module
 */

import { ticks } from "./curves.ts";
import { escapeHtml } from "./escape.ts";

/** A point of the curve: a learning rate and its smoothed loss. */
export interface LrLossPoint {
  readonly lr: number;
  readonly loss: number;
}

/** A suggestion to mark: its name, the lr it suggests, and where on the curve it sits. */
export interface LrMark {
  /** `valley`, `minimum`, `steep`. */
  readonly name: string;
  /** The suggested lr (for `minimum`, a tenth of the marked point's). */
  readonly lr: number;
  readonly at: LrLossPoint;
}

/** fastai's plot leaves out the sweep's last points, where the loss shoots up. */
export const PLOT_SKIP_END = 5;

const WIDTH = 480;
const HEIGHT = 300;
const PAD = { left: 56, right: 16, top: 30, bottom: 44 };
/** matplotlib's colours, as fastai's plot takes them: the curve, then each suggestion. */
const CURVE_COLOR = "#1f77b4";
const MARK_COLORS = ["#ff7f0e", "#2ca02c", "#d62728", "#9467bd"];

/**
 * The points fastai's plot draws: all but the last `PLOT_SKIP_END` (all, for a sweep that
 * short), finite ones only.
 *
 * @param points The sweep.
 * @returns The points to draw.
 */
export function plottedPoints<P extends LrLossPoint>(points: readonly P[]): P[] {
  const kept = points.length > PLOT_SKIP_END ? points.slice(0, -PLOT_SKIP_END) : points;
  return kept.filter((p) => p.lr > 0 && Number.isFinite(p.lr) && Number.isFinite(p.loss));
}

/**
 * A learning rate, short: `0.003`, `3.02e-4`.
 *
 * @param lr The learning rate.
 * @returns Three significant digits.
 */
export function formatLr(lr: number): string {
  return lr >= 1e-3 && lr < 1e4 ? String(Number(lr.toPrecision(3))) : lr.toExponential(2);
}

/**
 * The lr_find plot.
 *
 * @param points The sweep's points (the last 5 are left out, as fastai's plot does).
 * @param marks The suggestions to mark.
 * @param title Caption (the model name).
 * @returns SVG text.
 */
export function lrFindSvg(
  points: readonly LrLossPoint[],
  marks: readonly LrMark[],
  title: string,
): string {
  const shown = plottedPoints(points);
  const all = [...shown, ...marks.map((m) => m.at)].filter((p) =>
    p.lr > 0 && Number.isFinite(p.loss)
  );
  const xs = all.map((p) => Math.log10(p.lr));
  const ys = all.map((p) => p.loss);
  let [x0, x1] = xs.length ? [Math.min(...xs), Math.max(...xs)] : [-7, 1];
  if (!(x1 > x0)) [x0, x1] = [x0 - 0.5, x1 + 0.5];
  let [y0, y1] = ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1];
  if (!(y1 > y0)) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const yTicks = ticks(y0, y1);
  [y0, y1] = [Math.min(y0, yTicks[0]), Math.max(y1, yTicks[yTicks.length - 1])];
  const w = WIDTH - PAD.left - PAD.right;
  const h = HEIGHT - PAD.top - PAD.bottom;
  const sx = (lr: number) => PAD.left + ((Math.log10(lr) - x0) / (x1 - x0)) * w;
  const sy = (v: number) => PAD.top + h - ((v - y0) / (y1 - y0)) * h;
  const f = (v: number) => v.toFixed(1);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" ` +
    `viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${PAD.left + w / 2}" y="18" text-anchor="middle" font-weight="bold">${
      escapeHtml(`${title}: lr_find`)
    }</text>`,
    `<rect x="${PAD.left}" y="${PAD.top}" width="${w}" height="${h}" fill="none" stroke="#999"/>`,
  ];
  for (const t of yTicks) {
    const y = f(sy(t));
    parts.push(
      `<line x1="${PAD.left}" x2="${PAD.left + w}" y1="${y}" y2="${y}" stroke="#eee"/>`,
      `<text x="${PAD.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${t}</text>`,
    );
  }
  // One tick a decade: the axis is log10(lr).
  for (let d = Math.ceil(x0 - 1e-9); d <= x1 + 1e-9; d++) {
    const x = f(sx(10 ** d));
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${PAD.top}" y2="${PAD.top + h}" stroke="#eee"/>`,
      `<text x="${x}" y="${PAD.top + h + 16}" text-anchor="middle">1e${d}</text>`,
    );
  }
  parts.push(
    `<text x="${PAD.left + w / 2}" y="${HEIGHT - 8}" text-anchor="middle">` +
      `learning rate (log scale)</text>`,
    `<text transform="translate(14 ${PAD.top + h / 2}) rotate(-90)" text-anchor="middle">` +
      `smoothed loss</text>`,
  );
  const d = shown.map((p, i) => `${i ? "L" : "M"}${f(sx(p.lr))},${f(sy(p.loss))}`).join(" ");
  if (d) parts.push(`<path d="${d}" fill="none" stroke="${CURVE_COLOR}" stroke-width="2"/>`);
  // The legend goes bottom left: an lr_find curve starts high on the left and ends on the right.
  const lx = PAD.left + 10;
  const top = PAD.top + h - 16 * marks.length - 8;
  if (marks.length) {
    parts.push(
      `<rect x="${lx - 6}" y="${top + 3}" width="152" height="${16 * marks.length + 2}" ` +
        `fill="white" fill-opacity="0.85"/>`,
    );
  }
  marks.forEach((m, k) => {
    const color = MARK_COLORS[k % MARK_COLORS.length];
    if (m.at.lr > 0 && Number.isFinite(m.at.loss)) {
      parts.push(
        `<circle cx="${f(sx(m.at.lr))}" cy="${f(sy(m.at.loss))}" r="4" fill="${color}">` +
          `<title>${escapeHtml(`${m.name}: ${formatLr(m.lr)}`)}</title></circle>`,
      );
    }
    const ly = top + 12 + 16 * k;
    parts.push(
      `<circle cx="${lx + 8}" cy="${ly}" r="4" fill="${color}"/>`,
      `<text x="${lx + 18}" y="${ly}" dominant-baseline="middle">${
        escapeHtml(`${m.name}: ${formatLr(m.lr)}`)
      }</text>`,
    );
  });
  parts.push(`</svg>`, "");
  return parts.join("\n");
}
