import assert from "node:assert/strict";
import { curvesSvg, reportHtml } from "../../src/report/mod.ts";

const POINTS = [
  { epoch: 0, train_loss: 3, valid_loss: 2.5, accuracy: 0.25 },
  { epoch: 1, train_loss: 2, valid_loss: NaN, accuracy: 0.5 },
  { epoch: 2, train_loss: 1, valid_loss: 1.5, accuracy: 1 },
];

/** The `cx,cy` of every circle drawn in a colour. */
function dots(svg: string, color: string): [number, number][] {
  return [
    ...svg.matchAll(
      new RegExp(`<circle cx="([\\d.]+)" cy="([\\d.]+)" r="2.5" fill="${color}"/>`, "g"),
    ),
  ]
    .map((m) => [Number(m[1]), Number(m[2])]);
}

Deno.test("curvesSvg() puts each accuracy at its epoch and value on a 0..1 axis", () => {
  const svg = curvesSvg(POINTS, "lm6", 0.152);
  // Accuracy panel: x from 420 + 56 to 840 - 16, y from 30 (1.0) to 260 - 44 (0.0).
  const [left, right, top, bottom] = [476, 824, 30, 216];
  assert.deepEqual(dots(svg, "#2ca02c"), [
    [left, bottom - 0.25 * (bottom - top)],
    [(left + right) / 2, bottom - 0.5 * (bottom - top)],
    [right, top],
  ]);
  assert.match(svg, /stroke="#999" stroke-width="2" stroke-dasharray="5 4"\/>/); // the baseline
  for (const label of [">lm6: loss<", ">lm6: accuracy<", ">epoch<", ">cross-entropy<"]) {
    assert.ok(svg.includes(label), label);
  }
});

Deno.test("curvesSvg() leaves out non-finite points and escapes the title", () => {
  const svg = curvesSvg(POINTS, "<lm & co>");
  assert.equal(dots(svg, "#ff7f0e").length, 2); // the NaN valid loss is not drawn
  assert.ok(!svg.includes("NaN"));
  assert.ok(svg.includes("&lt;lm &amp; co&gt;: loss"));
  assert.ok(!svg.includes("<lm"));
  assert.ok(!svg.includes("stroke-dasharray")); // no baseline given
});

Deno.test("reportHtml() shows the table rows and escapes the facts", () => {
  const html = reportHtml({
    model: "lm6",
    description: "LSTM <2 layers>",
    rows: POINTS.map((p) => ({ ...p, valid_loss: 1.25, time: 0.5 })),
    tokens: "word",
    baseline: { token: "thousand", accuracy: 0.152 },
    facts: { seed: "<42>" },
  });
  assert.equal(html.match(/<tr><td>/g)?.length, 3);
  // accuracy, then perplexity = exp(valid_loss), then the time.
  assert.ok(html.includes(`<td>0.500000</td><td>${Math.exp(1.25).toFixed(6)}</td><td>0.50s</td>`));
  assert.ok(html.includes("<th>perplexity</th><th>time</th>"));
  assert.ok(!html.includes("bits_per_char"));
  assert.ok(html.includes(`Baseline (always predict &quot;thousand&quot;): 0.152.`));
  assert.ok(html.includes("LSTM &lt;2 layers&gt;"));
  assert.ok(html.includes("<b>seed</b>: &lt;42&gt;"));
});

Deno.test("reportHtml() shows control and bidi characters as marks, as the page does", () => {
  const html = reportHtml({
    model: "lm7",
    description: "own text \u202Etxt.exe\u0000 <b>",
    rows: [],
    tokens: "word",
    baseline: { token: "a", accuracy: 0.1 },
    facts: { corpus: "runs/\u202Efdp.txt", "vocab\u200f": "3 tokens" },
  });
  assert.ok(html.includes("own text ⟨U+202E⟩txt.exe⟨U+0000⟩ &lt;b&gt;"));
  assert.ok(html.includes("<b>corpus</b>: runs/⟨U+202E⟩fdp.txt"));
  assert.ok(html.includes("<b>vocab⟨U+200F⟩</b>: 3 tokens"));
  assert.doesNotMatch(html, /[\0\u200f\u202e]/);
});

Deno.test("reportHtml() names the corpus's own baseline token, escaped, and shows bits per character", () => {
  const html = reportHtml({
    model: "lm7",
    description: "own text",
    rows: [{ epoch: 0, train_loss: 2, valid_loss: 1.5, accuracy: 0.4, time: 1 }],
    tokens: "char",
    baseline: { token: "<\u202E\n>", accuracy: 0.125 },
    facts: {},
  });
  assert.ok(!html.includes("thousand"));
  assert.ok(html.includes("Baseline (always predict &quot;&lt;⟨U+202E⟩\\n&gt;&quot;): 0.125."));
  assert.ok(html.includes("<th>perplexity</th><th>bits_per_char</th><th>time</th>"));
  assert.ok(
    html.includes(`<td>${Math.exp(1.5).toFixed(6)}</td><td>${(1.5 / Math.LN2).toFixed(6)}</td>`),
  );
});
