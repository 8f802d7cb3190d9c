import assert from "node:assert/strict";
import { humanNumbers } from "../../src/data/pipelines.ts";
import { sequenceSamples, splitSamples, threeTokenSamples } from "../../src/data/samples.ts";

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

Deno.test("threeTokenSamples() gives the book's 21,031 samples, cut at 16,824", () => {
  const samples = threeTokenSamples(humanNumbers().nums);
  assert.equal(samples.length, 21031);
  const { train, valid, cut } = splitSamples(samples);
  assert.equal(cut, 16824);
  assert.equal(train.length, 16824);
  assert.equal(valid.length, 21031 - 16824);
  // The book's printout of seqs.
  assert.deepEqual(samples.slice(0, 6), [
    { x: [0, 1, 2], y: 1 },
    { x: [1, 3, 1], y: 4 },
    { x: [4, 1, 5], y: 1 },
    { x: [1, 6, 1], y: 7 },
    { x: [7, 1, 8], y: 1 },
    { x: [1, 9, 1], y: 10 },
  ]);
});

Deno.test("threeTokenSamples() steps by 3 while i < len - 4, like range(0, len-4, 3)", () => {
  assert.deepEqual(threeTokenSamples(range(4)), []);
  assert.deepEqual(threeTokenSamples(range(5)), [{ x: [0, 1, 2], y: 3 }]);
  assert.deepEqual(threeTokenSamples(range(7)), [{ x: [0, 1, 2], y: 3 }]);
  assert.deepEqual(threeTokenSamples(range(8)), [
    { x: [0, 1, 2], y: 3 },
    { x: [3, 4, 5], y: 6 },
  ]);
});

Deno.test("sequenceSamples() gives the book's 3,943 samples of 16, cut at 3,154", () => {
  const { nums } = humanNumbers();
  const samples = sequenceSamples(nums, 16);
  assert.equal(samples.length, 3943);
  assert.equal(splitSamples(samples).cut, 3154);
  assert.deepEqual(samples[0].x, nums.slice(0, 16));
  assert.deepEqual(samples[0].y, nums.slice(1, 17));
  assert.deepEqual(samples[1].x, nums.slice(16, 32));
});

Deno.test("sequenceSamples() steps by sl while i < len - sl - 1", () => {
  assert.deepEqual(sequenceSamples(range(5), 3), [{ x: [0, 1, 2], y: [1, 2, 3] }]);
  assert.deepEqual(sequenceSamples(range(10), 3), [
    { x: [0, 1, 2], y: [1, 2, 3] },
    { x: [3, 4, 5], y: [4, 5, 6] },
  ]);
  assert.deepEqual(sequenceSamples(range(4), 3), []);
});

Deno.test("sequenceSamples() rejects a bad sl", () => {
  for (const sl of [0, -2, 1.5]) {
    assert.throws(() => sequenceSamples(range(10), sl), {
      name: "RangeError",
      message: `sequenceSamples(): sl must be an integer >= 1: got ${sl}`,
    });
  }
});

Deno.test("splitSamples() cuts at floor(frac * n), keeping order", () => {
  assert.deepEqual(splitSamples(range(10)), {
    train: range(8),
    valid: [8, 9],
    cut: 8,
  });
  assert.equal(splitSamples(range(7)).cut, 5);
  assert.equal(splitSamples(range(7), 0).cut, 0);
  assert.equal(splitSamples(range(7), 1).cut, 7);
});

Deno.test("splitSamples() rejects frac outside [0, 1]", () => {
  for (const frac of [-0.1, 1.5, Number.NaN]) {
    assert.throws(() => splitSamples(range(3), frac), {
      name: "RangeError",
      message: `splitSamples(): frac must be in [0, 1]: got ${frac}`,
    });
  }
});
