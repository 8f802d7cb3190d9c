import assert from "node:assert/strict";
import type { Batch } from "../../src/data/batches.ts";
import {
  humanNumbers,
  mostCommonTokenBaseline,
  sequenceLoaders,
  threeTokenLoaders,
} from "../../src/data/pipelines.ts";
import { splitSamples, threeTokenSamples } from "../../src/data/samples.ts";

/** Row `j` of a tensor with `width` values per row, as plain numbers. */
function row(data: BigInt64Array, width: number, j: number): number[] {
  return Array.from(data.subarray(j * width, (j + 1) * width), Number);
}

/** Check that row j of consecutive batches reads one contiguous stretch of `nums`. */
function assertRowsContiguous(batches: Batch[], nums: readonly number[], start: number): void {
  const [bs, width] = batches[0].xDims;
  const m = batches.length; // the book's m = len(split) // bs
  const yWidth = batches[0].yDims[1] ?? 1;
  for (let j = 0; j < bs; j++) {
    const offset = start + j * m * width;
    const stream = batches.flatMap((b) => row(b.x, width, j));
    assert.deepEqual(stream, nums.slice(offset, offset + m * width), `row ${j}`);
    for (let k = 0; k + 1 < m; k++) {
      // The next input starts with the token this row's last target predicted.
      const lastTarget = row(batches[k].y, yWidth, j).at(-1);
      assert.equal(row(batches[k + 1].x, width, j)[0], lastTarget, `row ${j}, batch ${k}`);
    }
  }
}

Deno.test("humanNumbers() gives 63,095 tokens over a 30-word vocab, built once", () => {
  const hn = humanNumbers();
  assert.equal(hn.tokens.length, 63095);
  assert.equal(hn.nums.length, 63095);
  assert.equal(hn.vocab.size, 30);
  assert.equal(hn.vocab.index("thousand"), 29);
  assert.deepEqual(hn.nums.slice(0, 10), [0, 1, 2, 1, 3, 1, 4, 1, 5, 1]);
  assert.equal(humanNumbers(), hn, "memoized");
  assert.ok(Object.isFrozen(hn.tokens) && Object.isFrozen(hn.nums));
});

Deno.test("threeTokenLoaders() gives 262 train / 66 valid batches, the last of 47", () => {
  const { train, valid } = threeTokenLoaders();
  assert.equal(train.length, 262);
  assert.equal(valid.length, 66);
  assert.ok(train.every((b) => b.xDims[0] === 64 && b.yDims[0] === 64));
  assert.deepEqual(valid[64].xDims, [64, 3]);
  assert.deepEqual(valid[65].xDims, [47, 3]);
  assert.deepEqual(valid[65].yDims, [47]);
});

Deno.test("threeTokenLoaders() first batch rows are the first samples, in order", () => {
  const samples = threeTokenSamples(humanNumbers().nums);
  const { train, valid } = threeTokenLoaders();
  for (let j = 0; j < 64; j++) {
    assert.deepEqual(row(train[0].x, 3, j), samples[j].x);
    assert.equal(Number(train[0].y[j]), samples[j].y);
    assert.deepEqual(row(valid[0].x, 3, j), samples[16824 + j].x);
  }
  assert.deepEqual(row(train[0].x, 3, 0), [0, 1, 2]);
  assert.deepEqual(row(train[0].x, 3, 1), [1, 3, 1]);
});

Deno.test("threeTokenLoaders({ stateful }) gives 262 / 65 full batches", () => {
  const { train, valid } = threeTokenLoaders({ stateful: true });
  assert.equal(train.length, 262);
  assert.equal(valid.length, 65);
  assert.ok([...train, ...valid].every((b) => b.xDims[0] === 64 && b.xDims[1] === 3));
});

Deno.test("threeTokenLoaders({ stateful }) rows read contiguous text across batches", () => {
  const { nums } = humanNumbers();
  const { train, valid } = threeTokenLoaders({ stateful: true });
  assertRowsContiguous(train, nums, 0);
  assertRowsContiguous(valid, nums, 16824 * 3);
});

Deno.test("sequenceLoaders() gives 49 train / 12 valid batches of [64, 16]", () => {
  const { train, valid } = sequenceLoaders();
  assert.equal(train.length, 49);
  assert.equal(valid.length, 12);
  for (const b of [...train, ...valid]) {
    assert.deepEqual(b.xDims, [64, 16]);
    assert.deepEqual(b.yDims, [64, 16]);
  }
});

Deno.test("sequenceLoaders() rows read contiguous text across batches", () => {
  const { nums } = humanNumbers();
  const { train, valid } = sequenceLoaders();
  assertRowsContiguous(train, nums, 0);
  assertRowsContiguous(valid, nums, 3154 * 16);
  // y is x shifted by one token.
  assert.deepEqual(row(train[0].y, 16, 0), nums.slice(1, 17));
});

Deno.test("loaders honour bs and sl", () => {
  const three = threeTokenLoaders({ bs: 100 });
  assert.equal(three.train.length, Math.floor(16824 / 100));
  assert.equal(three.valid.length, Math.ceil(4207 / 100));
  const seq = sequenceLoaders({ bs: 8, sl: 32 });
  assert.deepEqual(seq.train[0].xDims, [8, 32]);
});

Deno.test("loaders reject bad arguments", () => {
  assert.throws(() => threeTokenLoaders({ bs: 0 }), /^RangeError: batchify\(\): bs must/);
  assert.throws(
    () => threeTokenLoaders({ bs: 0, stateful: true }),
    /^RangeError: groupChunks\(\): bs must/,
  );
  assert.throws(() => sequenceLoaders({ sl: 0 }), {
    message: "sequenceSamples(): sl must be an integer >= 1: got 0",
  });
  assert.throws(() => sequenceLoaders({ bs: 1000 }), {
    message: "groupChunks(): ds must hold at least bs = 1000 items: got 789",
  });
});

Deno.test("mostCommonTokenBaseline() is 'thousand', index 29, 0.15165200855716662", () => {
  assert.deepEqual(mostCommonTokenBaseline(), {
    token: "thousand",
    index: 29,
    accuracy: 0.15165200855716662,
  });
  // Cross-check by counting the validation targets directly.
  const { valid } = splitSamples(threeTokenSamples(humanNumbers().nums));
  assert.equal(valid.filter((s) => s.y === 29).length / valid.length, 0.15165200855716662);
});
