import assert from "node:assert/strict";
import {
  argmax,
  mulberry32,
  nucleus,
  pickToken,
  softmax,
  topK,
} from "../../src/generate/sampling.ts";

Deno.test("softmax() is stable for large logits and honours the temperature", () => {
  const p = softmax([1000, 1000, -1000]);
  assert.deepEqual([...p], [0.5, 0.5, 0]);
  const q = softmax([Math.log(1), Math.log(3)], 1);
  assert.ok(Math.abs(q[1] - 0.75) < 1e-15);
  const hot = softmax([0, Math.log(4)], 2); // exp(log(4)/2) = 2 → 1/3, 2/3
  assert.ok(Math.abs(hot[1] - 2 / 3) < 1e-15);
});

Deno.test("topK() orders by probability, ties by index; argmax() takes the first best", () => {
  assert.deepEqual(topK([0.1, 0.3, 0.3, 0.2], 3), [
    { id: 1, prob: 0.3 },
    { id: 2, prob: 0.3 },
    { id: 3, prob: 0.2 },
  ]);
  assert.equal(argmax([1, 5, 5]), 1);
});

Deno.test("pickToken() is greedy at 0 and follows the distribution when sampling", () => {
  const random = mulberry32(1);
  assert.equal(pickToken([0, 2, 1], { temperature: 0 }, random), 1);
  const counts = [0, 0];
  const logits = [0, Math.log(3)]; // p = 0.25, 0.75
  for (let i = 0; i < 20000; i++) counts[pickToken(logits, { temperature: 1 }, random)]++;
  assert.ok(Math.abs(counts[1] / 20000 - 0.75) < 0.015, `${counts}`);
  const a = mulberry32(9);
  const b = mulberry32(9);
  assert.deepEqual([a(), a(), a()], [b(), b(), b()]);
});

Deno.test("pickToken() never picks a banned id unless it is all there is, and keeps to top-k", () => {
  const random = mulberry32(3);
  assert.equal(pickToken([5, 1, 2], { temperature: 0, banned: [0] }, random), 2);
  assert.equal(pickToken([5], { temperature: 0, banned: [0] }, random), 0);
  for (let i = 0; i < 200; i++) {
    const id = pickToken([0, 3, 2.9, -1], { temperature: 2, topK: 2 }, random);
    assert.ok(id === 1 || id === 2, `top-2 drew ${id}`);
  }
});

Deno.test("pickToken() with top-k draws only the k best, in proportion to their probabilities", () => {
  const logits = [0, Math.log(3), Math.log(1), -1, Math.log(2)]; // top-2: ids 1 (p 0.6) and 4 (0.4)
  const r = mulberry32(3);
  const counts = new Map<number, number>();
  const n = 20000;
  for (let i = 0; i < n; i++) {
    const id = pickToken(logits, { temperature: 1, topK: 2 }, r);
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  assert.deepEqual([...counts.keys()].sort(), [1, 4]);
  assert.ok(Math.abs(counts.get(1)! / n - 0.6) < 0.02, `p(1) = ${counts.get(1)! / n}`);
});

Deno.test("mulberry32() gives the standard mulberry32 stream, seed taken modulo 2^32", () => {
  // Pinned: every seeded test input (tests/helpers/reference.ts's rng) and the CLI's and the
  // page's seeded text come from this stream. Values times 2^32 are exact integers.
  const first3 = (seed: number) => {
    const r = mulberry32(seed);
    return [r(), r(), r()].map((v) => v * 2 ** 32);
  };
  assert.deepEqual(first3(1), [2693262067, 11749833, 2265367787]);
  assert.deepEqual(first3(0), [1144304738, 1416247, 958946056]);
  assert.deepEqual(first3(2 ** 32 + 1), first3(1));
});

Deno.test("nucleus() keeps the fewest most likely tokens whose mass reaches p, renormalized", () => {
  const probs = [0.1, 0.5, 0.25, 0.15];
  assert.deepEqual([...nucleus(probs, 0.5)], [0, 1, 0, 0], "the first token reaches p alone");
  const kept = nucleus(probs, 0.8); // 0.5 + 0.25 = 0.75 < 0.8: 0.15 crosses it and is kept
  assert.deepEqual(
    [...kept].map((p) => Math.round(p * 1e12) / 1e12),
    [0, 0.5 / 0.9, 0.25 / 0.9, 0.15 / 0.9].map((p) => Math.round(p * 1e12) / 1e12),
  );
  assert.deepEqual([...nucleus(probs, 1)], probs);
  assert.deepEqual([...nucleus([0.5, 0.5], 0.5)], [1, 0], "ties in index order, as topK");
  assert.throws(() => nucleus(probs, 0), /top-p must be in \(0, 1\]: got 0/);
  assert.throws(() => nucleus(probs, 1.5), /got 1.5/);
});

Deno.test("pickToken() with top-p draws only inside the nucleus, in proportion", () => {
  const logits = [Math.log(0.1), Math.log(0.5), Math.log(0.25), Math.log(0.15)];
  const r = mulberry32(11);
  const counts = [0, 0, 0, 0];
  const n = 20000;
  for (let i = 0; i < n; i++) counts[pickToken(logits, { temperature: 1, topP: 0.7 }, r)]++;
  assert.equal(counts[0] + counts[3], 0, `${counts}`);
  assert.ok(Math.abs(counts[1] / n - 2 / 3) < 0.015, `p(1) = ${counts[1] / n}`);
  // top-k applies first: with k = 1 the nucleus is that one token.
  assert.equal(pickToken(logits, { temperature: 1, topK: 1, topP: 0.99 }, r), 1);
});
