import assert from "node:assert/strict";
import {
  argmax,
  formatBytes,
  formatMs,
  median,
  mulberry32,
  pickToken,
  softmax,
  tokenize,
  topK,
} from "../../web/lm.js";

const VOCAB = new Map(["one", ".", "two", "three", "thousand"].map((w, i) => [w, i]));

Deno.test("tokenize() splits on whitespace, lower-cases and splits a glued '.'", () => {
  assert.deepEqual(tokenize("  one .\ntwo  ", VOCAB), [
    { token: "one", id: 0 },
    { token: ".", id: 1 },
    { token: "two", id: 2 },
  ]);
  assert.deepEqual(tokenize("Three. one.two", VOCAB).map((t) => t.token), [
    "three",
    ".",
    "one",
    ".",
    "two",
  ]);
  assert.deepEqual(tokenize("twoo <b>", VOCAB), [
    { token: "twoo", id: -1 },
    { token: "<b>", id: -1 },
  ]);
  assert.deepEqual(tokenize("   ", VOCAB), []);
});

Deno.test("softmax() is stable for large logits and honours the temperature", () => {
  const p = softmax([1000, 1000, -1000]);
  assert.deepEqual([...p], [0.5, 0.5, 0]);
  const q = softmax([Math.log(1), Math.log(3)], 1);
  assert.ok(Math.abs(q[1] - 0.75) < 1e-15);
  const hot = softmax([0, Math.log(4)], 2); // exp(log(4)/2) = 2 → 1/3, 2/3
  assert.ok(Math.abs(hot[1] - 2 / 3) < 1e-15);
});

Deno.test("topK() orders by probability, ties by index", () => {
  assert.deepEqual(topK([0.1, 0.3, 0.3, 0.2], 3), [
    { id: 1, prob: 0.3 },
    { id: 2, prob: 0.3 },
    { id: 3, prob: 0.2 },
  ]);
  assert.equal(argmax([1, 5, 5]), 1);
});

Deno.test("pickToken() is greedy at 0 and follows the distribution when sampling", () => {
  const random = mulberry32(1);
  assert.equal(pickToken([0, 2, 1], 0, random), 1);
  const counts = [0, 0];
  const logits = [0, Math.log(3)]; // p = 0.25, 0.75
  for (let i = 0; i < 20000; i++) counts[pickToken(logits, 1, random)]++;
  assert.ok(Math.abs(counts[1] / 20000 - 0.75) < 0.015, `${counts}`);
  const a = mulberry32(9);
  const b = mulberry32(9);
  assert.deepEqual([a(), a(), a()], [b(), b(), b()]);
});

Deno.test("formatBytes(), formatMs() and median() read well", () => {
  assert.equal(formatBytes(812), "812 B");
  assert.equal(formatBytes(33_800), "33.8 kB");
  assert.equal(formatBytes(1_200_000), "1.2 MB");
  assert.equal(formatMs(0.0841), "0.084 ms");
  assert.equal(formatMs(12.34), "12.3 ms");
  assert.equal(formatMs(1204.4), "1,204 ms");
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
  assert.ok(Number.isNaN(median([])));
});
