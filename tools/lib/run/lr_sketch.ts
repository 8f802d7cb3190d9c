/**
 * A small text plot of an lr_find sweep for the terminal: the smoothed loss against log10(lr),
 * the points fastai's plot draws, with each suggestion's letter where it sits on the curve.
 *
 * @module
 */

import {
  formatLr,
  type LrLossPoint,
  type LrMark,
  plottedPoints,
} from "../../../src/report/lr_find_svg.ts";

/**
 * The sketch.
 *
 * @param points The sweep (the last 5 points are left out, as in the SVG).
 * @param marks The suggestions; each is drawn as its name's first letter.
 * @param width Plot columns.
 * @param height Plot rows.
 * @returns Lines of text: the plot with its loss axis, the lr axis, and a legend.
 */
export function lrSketch(
  points: readonly LrLossPoint[],
  marks: readonly LrMark[],
  width = 60,
  height = 12,
): string {
  const shown = plottedPoints(points);
  if (shown.length === 0) return "(no finite points to plot)";
  const xs = shown.map((p) => Math.log10(p.lr));
  const ys = shown.map((p) => p.loss);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const col = (lr: number) =>
    x1 > x0 ? Math.round(((Math.log10(lr) - x0) / (x1 - x0)) * (width - 1)) : 0;
  // Row 0 is the top: the highest loss.
  const row = (loss: number) =>
    y1 > y0 ? Math.round(((y1 - loss) / (y1 - y0)) * (height - 1)) : height - 1;
  const grid = Array.from({ length: height }, () => new Array<string>(width).fill(" "));
  for (const p of shown) grid[row(p.loss)][col(p.lr)] = "*";
  for (const m of marks) {
    const c = col(m.at.lr);
    const r = row(m.at.loss);
    // A mark off the plotted range (in the trimmed tail) is pinned to the edge.
    if (Number.isFinite(m.at.loss)) {
      grid[Math.min(height - 1, Math.max(0, r))][Math.min(width - 1, Math.max(0, c))] = m.name[0];
    }
  }
  const label = (v: number) => v.toFixed(3).padStart(8);
  const lines = grid.map((cells, r) => {
    const axis = r === 0 ? label(y1) : r === height - 1 ? label(y0) : " ".repeat(8);
    return `${axis} |${cells.join("")}`;
  });
  const left = `lr ${formatLr(10 ** x0)}`;
  const right = formatLr(10 ** x1);
  lines.push(`${" ".repeat(8)} +${"-".repeat(width)}`);
  lines.push(
    `${" ".repeat(10)}${left}${
      " ".repeat(Math.max(1, width - left.length - right.length))
    }${right}`,
  );
  if (marks.length) {
    lines.push(
      `${" ".repeat(10)}${
        marks.map((m) => `${m.name[0]} = ${m.name} ${formatLr(m.lr)}`).join(", ")
      }`,
    );
  }
  return lines.join("\n");
}
