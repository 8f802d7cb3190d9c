import assert from "node:assert/strict";
import { lrSketch } from "../../tools/lib/run/lr_sketch.ts";

Deno.test("lrSketch() plots loss against log lr, highest loss on top, with the marks' letters", () => {
  // A V: down over 30 points, up over 30, then 5 more the plot leaves out.
  const points = Array.from({ length: 65 }, (_, i) => ({
    lr: 10 ** (-6 + i / 10),
    loss: i < 30 ? 3 - i / 15 : 1 + (i - 30) / 30,
  }));
  const marks = [{ name: "valley", lr: points[15].lr, at: points[15] }];
  const lines = lrSketch(points, marks, 60, 12).split("\n");
  const plot = lines.slice(0, 12).map((l) => l.slice(10));
  assert.equal(plot.length, 12);
  assert.ok(plot.every((row) => row.length === 60));
  assert.equal(plot[0][0], "*"); // the first point: the highest loss, top left
  assert.equal(plot[11][Math.round((29 / 59) * 59)], "*"); // the minimum: bottom row
  // valley at point 15 of 60 plotted: column 15, row half way down.
  const row = plot.findIndex((r) => r.includes("v"));
  assert.equal(plot[row].indexOf("v"), 15);
  assert.equal(row, Math.round(((3 - 2) / (3 - 1)) * 11));
  assert.match(lines[0], /^ {3}3\.000 \|/);
  assert.match(lines[11], /^ {3}1\.000 \|/);
  assert.match(lines[13], /lr 1\.00e-6 +0\.794$/); // the 60th point: 10^-0.1
  assert.match(lines[14], /v = valley 3\.16e-5/);
});

Deno.test("lrSketch() says so when there is nothing to plot", () => {
  assert.equal(lrSketch([{ lr: 1, loss: NaN }], []), "(no finite points to plot)");
});
