/**
 * Training curves as a standalone SVG: train/valid loss and accuracy per epoch, with labelled
 * axes, ticks and a legend.
 *
 * @module
 */

import { escapeHtml } from "./escape.ts";

/** One epoch's figures. */
export interface CurvePoint {
  readonly epoch: number;
  readonly train_loss: number;
  readonly valid_loss: number;
  readonly accuracy: number;
}

interface Series {
  readonly label: string;
  readonly color: string;
  readonly values: readonly number[];
  readonly dashed?: boolean;
}

const dash = (s: Series) => s.dashed ? ` stroke-dasharray="5 4"` : "";

const WIDTH = 420;
const HEIGHT = 260;
const PAD = { left: 56, right: 16, top: 30, bottom: 44 };

/**
 * Round tick values covering [lo, hi].
 *
 * @param lo Lowest value.
 * @param hi Highest value.
 * @param count About how many ticks.
 * @returns The ticks, increasing.
 */
export function ticks(lo: number, hi: number, count = 5): number[] {
  const span = hi - lo || Math.abs(hi) || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    out.push(Number(v.toPrecision(12)));
  }
  return out;
}

function panel(
  x0: number,
  title: string,
  yLabel: string,
  epochs: readonly number[],
  series: readonly Series[],
  yRange?: [number, number],
): string {
  const all = series.flatMap((s) => s.values).filter(Number.isFinite);
  let [lo, hi] = yRange ?? [Math.min(...all), Math.max(...all)];
  if (!(hi > lo)) [lo, hi] = [lo - 0.5, hi + 0.5];
  const yTicks = ticks(lo, hi);
  [lo, hi] = [Math.min(lo, yTicks[0]), Math.max(hi, yTicks[yTicks.length - 1])];
  const eMin = epochs[0] ?? 0;
  const eMax = epochs[epochs.length - 1] ?? 1;
  const w = WIDTH - PAD.left - PAD.right;
  const h = HEIGHT - PAD.top - PAD.bottom;
  const sx = (e: number) =>
    x0 + PAD.left + (eMax === eMin ? w / 2 : ((e - eMin) / (eMax - eMin)) * w);
  const sy = (v: number) => PAD.top + h - ((v - lo) / (hi - lo)) * h;
  const parts: string[] = [];
  parts.push(
    `<text x="${x0 + PAD.left + w / 2}" y="18" text-anchor="middle" font-weight="bold">${
      escapeHtml(title)
    }</text>`,
  );
  parts.push(
    `<rect x="${
      x0 + PAD.left
    }" y="${PAD.top}" width="${w}" height="${h}" fill="none" stroke="#999"/>`,
  );
  for (const t of yTicks) {
    const y = sy(t).toFixed(1);
    parts.push(
      `<line x1="${x0 + PAD.left}" x2="${x0 + PAD.left + w}" y1="${y}" y2="${y}" stroke="#eee"/>`,
    );
    parts.push(
      `<text x="${
        x0 + PAD.left - 6
      }" y="${y}" text-anchor="end" dominant-baseline="middle">${t}</text>`,
    );
  }
  for (
    const e of ticks(eMin, eMax, Math.min(8, Math.max(1, eMax - eMin))).filter(Number.isInteger)
  ) {
    parts.push(
      `<text x="${sx(e).toFixed(1)}" y="${PAD.top + h + 16}" text-anchor="middle">${e}</text>`,
    );
  }
  parts.push(
    `<text x="${x0 + PAD.left + w / 2}" y="${HEIGHT - 8}" text-anchor="middle">epoch</text>`,
  );
  parts.push(
    `<text transform="translate(${x0 + 14} ${PAD.top + h / 2}) rotate(-90)" text-anchor="middle">${
      escapeHtml(yLabel)
    }</text>`,
  );
  for (const s of series) {
    const pts = s.values.map((v, i) => [epochs[i], v] as const).filter(([, v]) =>
      Number.isFinite(v)
    );
    const d = pts.map(([e, v], i) => `${i ? "L" : "M"}${sx(e).toFixed(1)},${sy(v).toFixed(1)}`)
      .join(" ");
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${dash(s)}/>`);
    for (const [e, v] of pts) {
      parts.push(
        `<circle cx="${sx(e).toFixed(1)}" cy="${sy(v).toFixed(1)}" r="2.5" fill="${s.color}"/>`,
      );
    }
  }
  // The legend goes over the curves, on a backing that keeps it readable where one passes.
  const lx = x0 + PAD.left + w - 110;
  parts.push(
    `<rect x="${lx - 6}" y="${PAD.top + 3}" width="112" height="${16 * series.length + 2}" ` +
      `fill="white" fill-opacity="0.85"/>`,
  );
  series.forEach((s, k) => {
    const ly = PAD.top + 12 + 16 * k;
    parts.push(
      `<line x1="${lx}" x2="${lx + 18}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${
        dash(s)
      }/>`,
    );
    parts.push(
      `<text x="${lx + 24}" y="${ly}" dominant-baseline="middle">${escapeHtml(s.label)}</text>`,
    );
  });
  return parts.join("\n");
}

/**
 * Loss and accuracy curves side by side.
 *
 * @param points One entry per epoch.
 * @param title Caption (the model name).
 * @param baseline An accuracy to draw as a dashed reference line (the 0.152 baseline).
 * @returns SVG text.
 */
export function curvesSvg(points: readonly CurvePoint[], title: string, baseline?: number): string {
  const epochs = points.map((p) => p.epoch);
  const loss = panel(0, `${title}: loss`, "cross-entropy", epochs, [
    { label: "train (smoothed)", color: "#1f77b4", values: points.map((p) => p.train_loss) },
    { label: "valid", color: "#ff7f0e", values: points.map((p) => p.valid_loss) },
  ], [
    0,
    Math.max(0, ...points.flatMap((p) => [p.train_loss, p.valid_loss]).filter(Number.isFinite)),
  ]);
  const accSeries: Series[] = [{
    label: "valid accuracy",
    color: "#2ca02c",
    values: points.map((p) => p.accuracy),
  }];
  if (baseline !== undefined) {
    accSeries.push({
      label: "baseline",
      color: "#999",
      values: points.map(() => baseline),
      dashed: true,
    });
  }
  const acc = panel(WIDTH, `${title}: accuracy`, "accuracy", epochs, accSeries, [0, 1]);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * WIDTH}" height="${HEIGHT}" viewBox="0 0 ${
      2 * WIDTH
    } ${HEIGHT}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    loss,
    acc,
    `</svg>`,
    "",
  ].join("\n");
}
