import assert from "node:assert/strict";
import { batchify } from "../../src/data/batches.ts";
import type { SequenceSample, TokenSample } from "../../src/data/samples.ts";

const tokenSamples: TokenSample[] = Array.from({ length: 5 }, (_, i) => ({
  x: [3 * i, 3 * i + 1, 3 * i + 2],
  y: 3 * i + 3,
}));

Deno.test("batchify() packs 3-token samples row-major with dims [b, 3] and [b]", () => {
  const [first, second] = batchify(tokenSamples, 2);
  assert.deepEqual(first.xDims, [2, 3]);
  assert.deepEqual(first.yDims, [2]);
  assert.deepEqual(first.x, BigInt64Array.from([0n, 1n, 2n, 3n, 4n, 5n]));
  assert.deepEqual(first.y, BigInt64Array.from([3n, 6n]));
  assert.deepEqual(second.x, BigInt64Array.from([6n, 7n, 8n, 9n, 10n, 11n]));
});

Deno.test("batchify() keeps or drops the last partial batch", () => {
  const kept = batchify(tokenSamples, 2, { dropLast: false });
  assert.equal(kept.length, 3);
  assert.deepEqual(kept[2].xDims, [1, 3]);
  assert.deepEqual(kept[2].y, BigInt64Array.from([15n]));
  assert.equal(batchify(tokenSamples, 2).length, 3, "keeps by default");
  assert.equal(batchify(tokenSamples, 2, { dropLast: true }).length, 2);
  assert.equal(batchify(tokenSamples, 5, { dropLast: true }).length, 1);
  assert.equal(batchify(tokenSamples, 6, { dropLast: true }).length, 0);
  assert.deepEqual(batchify([], 4), []);
});

Deno.test("batchify() packs sequence samples with dims [b, sl] for x and y", () => {
  const seqs: SequenceSample[] = [
    { x: [0, 1], y: [1, 2] },
    { x: [2, 3], y: [3, 4] },
  ];
  const [batch] = batchify(seqs, 2);
  assert.deepEqual(batch.xDims, [2, 2]);
  assert.deepEqual(batch.yDims, [2, 2]);
  assert.deepEqual(batch.x, BigInt64Array.from([0n, 1n, 2n, 3n]));
  assert.deepEqual(batch.y, BigInt64Array.from([1n, 2n, 3n, 4n]));
});

Deno.test("batchify() rejects a bad bs", () => {
  for (const bs of [0, -1, 1.5]) {
    assert.throws(() => batchify(tokenSamples, bs), {
      name: "RangeError",
      message: `batchify(): bs must be an integer >= 1: got ${bs}`,
    });
  }
});

Deno.test("batchify() rejects samples of mixed shapes", () => {
  const mixed: (TokenSample | SequenceSample)[] = [
    { x: [0, 1, 2], y: 3 },
    { x: [0, 1, 2], y: [1, 2, 3] },
  ];
  assert.throws(() => batchify(mixed, 2), {
    name: "RangeError",
    message: "batchify(): samples must share one shape: sample 0 has x length 3 and a scalar y, " +
      "sample 1 has x length 3 and y length 3",
  });
  assert.throws(
    () => batchify([{ x: [0], y: 1 }, { x: [0, 1], y: 2 }], 2),
    /sample 1 has x length 2/,
  );
});

Deno.test("batchify() rejects non-integer token indices", () => {
  assert.throws(() => batchify([{ x: [0.5], y: 1 }], 1), RangeError);
});
