import assert from "node:assert/strict";
import { groupChunks } from "../../src/data/group_chunks.ts";

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

Deno.test("groupChunks() reorders 10 items with bs 3 as 0,3,6,1,4,7,2,5,8", () => {
  // m = 10 // 3 = 3; order ds[i + 3j] for i in 0..2 (outer), j in 0..2 (inner); item 9 dropped.
  assert.deepEqual(groupChunks(range(10), 3), [0, 3, 6, 1, 4, 7, 2, 5, 8]);
});

Deno.test("groupChunks() makes each batch row read consecutive items", () => {
  const bs = 4;
  const out = groupChunks(range(23), bs); // m = 5
  assert.equal(out.length, 20);
  for (let k = 0; k + 1 < out.length / bs; k++) {
    for (let j = 0; j < bs; j++) assert.equal(out[(k + 1) * bs + j], out[k * bs + j] + 1);
  }
});

Deno.test("groupChunks() is the identity for bs 1 and a transpose for bs = len", () => {
  assert.deepEqual(groupChunks(range(5), 1), range(5));
  assert.deepEqual(groupChunks(["a", "b", "c"], 3), ["a", "b", "c"]);
});

Deno.test("groupChunks() rejects a bad bs or too few items", () => {
  for (const bs of [0, -1, 2.5]) {
    assert.throws(() => groupChunks(range(10), bs), {
      name: "RangeError",
      message: `groupChunks(): bs must be an integer >= 1: got ${bs}`,
    });
  }
  assert.throws(() => groupChunks(range(2), 3), {
    name: "RangeError",
    message: "groupChunks(): ds must hold at least bs = 3 items: got 2",
  });
});
