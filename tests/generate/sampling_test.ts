import assert from "node:assert/strict";
import { mulberry32, pickToken, softmax } from "../../src/generate/sampling.ts";

Deno.test("pickToken() is greedy at temperature 0 and never picks a banned id", () => {
  const logits = [0.5, 3, 1, 2];
  assert.equal(pickToken(logits, { temperature: 0 }, mulberry32(1)), 1);
  assert.equal(pickToken(logits, { temperature: 0, banned: [1] }, mulberry32(1)), 3);
  const r = mulberry32(2);
  for (let i = 0; i < 500; i++) {
    assert.notEqual(pickToken(logits, { temperature: 2, banned: [1] }, r), 1);
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

Deno.test("pickToken() with a seed repeats, and temperature sharpens the softmax", () => {
  const logits = [1, 2, 3, 0.5];
  const draw = (seed: number) => {
    const r = mulberry32(seed);
    return Array.from({ length: 30 }, () => pickToken(logits, { temperature: 1 }, r));
  };
  assert.deepEqual(draw(9), draw(9));
  assert.notDeepEqual(draw(9), draw(10));
  assert.ok(softmax(logits, 0.5)[2] > softmax(logits, 1)[2]);
});
