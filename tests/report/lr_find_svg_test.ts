import assert from "node:assert/strict";
import { formatLr, lrFindSvg, plottedPoints } from "../../src/report/lr_find_svg.ts";

/** 20 points from 1e-6 to 1e-1 (a quarter decade apart), loss down then up. */
const POINTS = Array.from({ length: 21 }, (_, i) => ({
  lr: 10 ** (-6 + i / 4),
  loss: 3 - Math.sin((i / 20) * Math.PI) * 2 + (i > 15 ? i - 15 : 0),
}));

Deno.test("lrFindSvg() draws all but the last 5 points on a log lr axis", () => {
  const svg = lrFindSvg(POINTS, [], "lm6");
  const path = svg.match(/<path d="([^"]+)" fill="none" stroke="#1f77b4"/)![1];
  const xy = path.split(" ").map((s) => s.slice(1).split(",").map(Number));
  assert.equal(xy.length, 16);
  // Equal steps in log10(lr) are equal steps in x: the axis is logarithmic.
  const dx = xy.slice(1).map(([x], i) => x - xy[i][0]);
  assert.ok(dx.every((d) => Math.abs(d - dx[0]) < 0.11), `uneven steps ${dx}`);
  // From the left edge (x 56) to the right (480 - 16), the highest loss at the top (y 30).
  assert.equal(xy[0][0], 56);
  assert.equal(xy[15][0], 464);
  // One tick a decade, 1e-6 to 1e-3 (the plotted points end at 10^-2.25).
  assert.deepEqual([...svg.matchAll(/>1e(-?\d+)</g)].map((m) => Number(m[1])), [-6, -5, -4, -3]);
  assert.match(svg, />lm6: lr_find</);
  assert.match(svg, />learning rate \(log scale\)</);
});

Deno.test("lrFindSvg() marks each suggestion on the curve, named in the legend", () => {
  const marks = [
    { name: "valley", lr: POINTS[6].lr, at: POINTS[6] },
    { name: "minimum", lr: POINTS[10].lr / 10, at: POINTS[10] },
  ];
  const svg = lrFindSvg(POINTS, marks, "a <b>");
  const dots = [
    ...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)" r="4" fill="(#\w+)"><title>([^<]+)</g),
  ];
  assert.deepEqual(dots.map((m) => [m[3], m[4]]), [
    ["#ff7f0e", `valley: ${formatLr(POINTS[6].lr)}`],
    ["#2ca02c", `minimum: ${formatLr(10 ** -4.5)}`], // a tenth of the marked 10^-3.5
  ]);
  // Each mark sits on the curve's vertex for its point.
  const path = svg.match(/<path d="([^"]+)"/)![1].split(" ");
  assert.equal(path[6].slice(1), `${dots[0][1]},${dots[0][2]}`);
  assert.equal(path[10].slice(1), `${dots[1][1]},${dots[1][2]}`);
  assert.match(svg, />a &lt;b&gt;: lr_find</);
  assert.doesNotMatch(svg, /<b>/);
});

Deno.test("plottedPoints() drops non-finite losses; formatLr() keeps 3 digits", () => {
  const pts = [{ lr: 1, loss: 1 }, { lr: 2, loss: NaN }, { lr: 3, loss: Infinity }];
  assert.deepEqual(plottedPoints(pts), [{ lr: 1, loss: 1 }]);
  assert.equal(formatLr(0.0030199517), "0.00302");
  assert.equal(formatLr(1.2e-5), "1.20e-5");
  assert.equal(formatLr(10), "10");
  assert.doesNotThrow(() => lrFindSvg([], [], "empty"));
});
