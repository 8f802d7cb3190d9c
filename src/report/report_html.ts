/**
 * A small self-contained HTML report of a run: the curves and fastai's results table.
 *
 * @module
 */

import { type CurvePoint, curvesSvg } from "./curves.ts";
import { escapeHtml } from "./escape.ts";
import { visibleText } from "../web/page_format.ts";

/** Text as HTML, its control and bidi characters as `⟨U+202E⟩` marks (as the page shows them). */
const html = (text: string): string => escapeHtml(visibleText(text));

/** A table row: the curve figures plus the epoch time. */
export interface ReportRow extends CurvePoint {
  readonly time: number;
}

/** What the report shows. */
export interface ReportOptions {
  readonly model: string;
  readonly description: string;
  readonly rows: readonly ReportRow[];
  readonly baseline: number;
  /** Extra facts (seed, recipe, machine), shown as a list. */
  readonly facts: Readonly<Record<string, string>>;
}

/**
 * Renders the report.
 *
 * @param options Model, rows, baseline and facts.
 * @returns HTML text.
 */
export function reportHtml(options: ReportOptions): string {
  const head = ["epoch", "train_loss", "valid_loss", "accuracy", "time"];
  const rows = options.rows.map((r) =>
    `<tr><td>${r.epoch}</td><td>${r.train_loss.toFixed(6)}</td><td>${
      r.valid_loss.toFixed(6)
    }</td>` +
    `<td>${r.accuracy.toFixed(6)}</td><td>${r.time.toFixed(2)}s</td></tr>`
  );
  const facts = Object.entries(options.facts).map(([k, v]) =>
    `<li><b>${html(k)}</b>: ${html(v)}</li>`
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>onnx-lm: ${html(options.model)}</title>
<style>
body { font-family: sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
td, th { border: 1px solid #ccc; padding: 4px 10px; text-align: right; }
th { background: #f4f4f4; }
</style>
</head>
<body>
<h1>${html(options.model)}</h1>
<p>${html(options.description)}</p>
${curvesSvg(options.rows, options.model, options.baseline)}
<p>train_loss is fastai's smoothed loss (moving average, beta 0.98, debiased); valid_loss and
accuracy are exact means over the validation set. Baseline (always predict "thousand"):
${options.baseline.toFixed(3)}.</p>
<table>
<tr>${head.map((h) => `<th>${h}</th>`).join("")}</tr>
${rows.join("\n")}
</table>
<ul>
${facts.join("\n")}
</ul>
</body>
</html>
`;
}
