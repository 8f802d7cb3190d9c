/**
 * A small self-contained HTML report of a run: the curves and fastai's results table.
 *
 * @module
 */

import type { TokenMode } from "../data/tokenizer.ts";
import { type CurvePoint, curvesSvg } from "./curves.ts";
import { escapeHtml } from "./escape.ts";
import { tableCells, tableColumns } from "./table.ts";
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
  /** The run's tokens: a character-level run's table adds bits per character. */
  readonly tokens: TokenMode;
  /** Always predicting the most frequent validation token, and how often that is right. */
  readonly baseline: { readonly token: string; readonly accuracy: number };
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
  const head = tableColumns(options.tokens);
  const rows = options.rows.map((r) =>
    `<tr>${tableCells(r, options.tokens).map((c) => `<td>${c}</td>`).join("")}</tr>`
  );
  const { token, accuracy } = options.baseline;
  const bits = options.tokens === "char"
    ? "; bits_per_char is valid_loss / ln 2 (the loss in bits)"
    : "";
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
${curvesSvg(options.rows, options.model, accuracy)}
<p>train_loss is fastai's smoothed loss (moving average, beta 0.98, debiased); valid_loss and
accuracy are exact means over the validation set; perplexity is exp(valid_loss)${bits}.
Baseline (always predict ${html(JSON.stringify(token))}): ${accuracy.toFixed(3)}.</p>
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
