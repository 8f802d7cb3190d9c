import assert from "node:assert/strict";
import {
  minimum,
  namedSuggestions,
  steep,
  suggestLrs,
  trimmedRange,
  valley,
} from "../../src/train/lr_suggest.ts";

/** Learning rates 10^0, 10^1, ... for `n` points. */
const decades = (n: number) => Array.from({ length: n }, (_, i) => 10 ** i);

Deno.test("valley() takes the point half way into the longest decreasing run", () => {
  // The run 3 > 2.5 > ... > 0.5 spans indices 0..6 (fastai's start: 6 - 6 = 0):
  // sections = 2, so the index is 0 + 2 + 1 = 3.
  const losses = [3, 3, 2.5, 2, 1.5, 1, 0.5, 1, 4];
  assert.deepEqual(valley(decades(losses.length), losses), {
    lr: 1e3,
    at: { lr: 1e3, loss: 2 },
  });
  // After a flat plateau, one plateau point joins the run (9 > 4 > ... > 1.5, length 7, ending
  // at index 10, its start fixed at 3): index 3 + 2 + 1 = 6, one step earlier in the valley.
  const later = [9, 9, 9, 9, ...losses.map((l) => l + 1)];
  assert.deepEqual(valley(decades(later.length), later).at, { lr: 1e6, loss: 3.5 });
});

Deno.test("valley() counts a decreasing subsequence, not only a contiguous run", () => {
  // 5 > 4 > 3 > 2 > 1 with bumps in between: the longest decreasing subsequence has length 5,
  // ends at index 8; its start is fixed when it first outgrows the longest (fastai's rule).
  const losses = [5, 6, 4, 7, 3, 8, 2, 9, 1];
  const got = valley(decades(losses.length), losses);
  // Growth: i=2 (length 2, start 0), i=4 (3, start 1), i=6 (4, start 2), i=8 (5, start 3);
  // sections = (8 - 3) / 3, index 3 + 1 + 0 = 4.
  assert.deepEqual(got.at, { lr: 1e4, loss: 3 });
});

Deno.test("valley() of a single short drop never indexes before the first point", () => {
  assert.deepEqual(valley([1e-3, 1e-2], [2, 1]).at, { lr: 1e-3, loss: 2 });
  assert.deepEqual(valley([1e-3], [2]).at, { lr: 1e-3, loss: 2 });
});

Deno.test("minimum() suggests a tenth of the lr at the first lowest loss", () => {
  const losses = [3, 2, 1, 1, 5];
  const got = minimum(decades(5), losses);
  assert.equal(got.lr, 10); // 10^2 / 10
  assert.deepEqual(got.at, { lr: 100, loss: 1 });
});

Deno.test("steep() measures the slope against log(lr), not lr", () => {
  // Per unit of log(lr) the first segment falls 1 / ln 10, the second 1.5 / (2 ln 10): the
  // first is steeper, though the second falls more.
  const got = steep([1, 10, 1000], [3, 2, 0.5]);
  assert.deepEqual(got, { lr: 1, at: { lr: 1, loss: 3 } });
  const evenly = steep(decades(4), [3, 2.5, 1, 0.9]);
  assert.equal(evenly.lr, 10);
});

Deno.test("suggestLrs() skips the first tenth and the last 5 points, as fastai's lr_find", () => {
  const numIt = 30;
  // A dip in the first 3 points and a lower one in the last 5: both are trimmed away.
  const losses = [0.1, 0.1, 0.1, ...Array.from({ length: 22 }, (_, i) => 5 - 0.1 * i)];
  losses.push(0, 0, 0, 0, 0);
  const lrs = decades(losses.length).map((v) => v * 1e-30);
  assert.deepEqual(trimmedRange(losses, numIt), { start: 3, end: 25 });
  const s = suggestLrs(lrs, losses, numIt)!;
  assert.equal(s.minimum.at.lr, lrs[24]);
  assert.equal(s.minimum.lr, lrs[24] / 10);
  assert.deepEqual(namedSuggestions(s).map((m) => m.name), ["valley", "minimum", "steep"]);
});

Deno.test("suggestLrs() cuts the points at the first NaN", () => {
  const losses = [4, 4, 3.5, 3, 2.5, NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN];
  assert.deepEqual(trimmedRange(losses, 10), { start: 1, end: 5 });
  const s = suggestLrs(decades(losses.length), losses, 10)!;
  assert.equal(s.minimum.at.loss, 2.5);
});

Deno.test("suggestLrs() gives nothing when the trim leaves under 2 points", () => {
  assert.equal(suggestLrs(decades(16), Array(16).fill(1), 100), undefined);
  assert.equal(suggestLrs([], [], 100), undefined);
});
