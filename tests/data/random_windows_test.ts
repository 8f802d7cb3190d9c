// nanoGPT's random windows: shapes, targets one token on, every start in range and used,
// the same batches from the same seed, other ones from another, and the refusals.
import assert from "node:assert/strict";
import { randomWindows } from "../../src/data/random_windows.ts";

const ids = Int32Array.from({ length: 50 }, (_, i) => i); // token i at position i

Deno.test("randomWindows() draws windows of block tokens, targets one token on, starts anywhere", () => {
  const w = randomWindows(ids, { bs: 4, block: 8, steps: 200, seed: 1 });
  assert.equal(w.length, 200);
  const starts = new Set<number>();
  for (let k = 0; k < w.length; k++) {
    const b = w.batch(k);
    assert.deepEqual([b.xDims, b.yDims], [[4, 8], [4, 8]]);
    for (let r = 0; r < 4; r++) {
      const start = Number(b.x[r * 8]);
      starts.add(start);
      for (let t = 0; t < 8; t++) {
        assert.equal(Number(b.x[r * 8 + t]), start + t);
        assert.equal(Number(b.y[r * 8 + t]), start + t + 1);
      }
    }
  }
  // 800 draws over the 42 possible starts (0..41): each seen, none past the last.
  assert.deepEqual([...starts].sort((a, b) => a - b), Array.from({ length: 42 }, (_, i) => i));
});

Deno.test("randomWindows() repeats from a seed, differs by seed, and reads a batch the same twice", () => {
  const a = randomWindows(ids, { bs: 3, block: 5, steps: 4, seed: 7 });
  const b = randomWindows(ids, { bs: 3, block: 5, steps: 4, seed: 7 });
  const c = randomWindows(ids, { bs: 3, block: 5, steps: 4, seed: 8 });
  assert.deepEqual(a.batch(2), b.batch(2));
  assert.deepEqual(a.batch(2), a.batch(2));
  assert.notDeepEqual(a.batch(2).x, c.batch(2).x);
});

Deno.test("randomWindows() refuses a text shorter than a window and its next token, and bad sizes", () => {
  assert.throws(
    () => randomWindows(ids.subarray(0, 8), { bs: 1, block: 8, steps: 1, seed: 0 }),
    /the text has 8 tokens, fewer than a window of 8 and its next token/,
  );
  assert.throws(
    () => randomWindows(ids, { bs: 0, block: 8, steps: 1, seed: 0 }),
    /bs must be an integer >= 1: got 0/,
  );
  assert.throws(
    () => randomWindows(ids, { bs: 1, block: 8, steps: 1, seed: 0 }).batch(1),
    /index must be an integer in 0..0: got 1/,
  );
});
