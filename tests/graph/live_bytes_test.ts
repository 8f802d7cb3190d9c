import assert from "node:assert/strict";
import { Graph, liveBytes } from "../../src/graph/mod.ts";
import * as ops from "../../src/ops/mod.ts";

const KB4 = 4000; // one float32[1000]

Deno.test("liveBytes() frees an intermediate after its last reader", () => {
  // x → a → b → c = b + x → y: at most x and two intermediates at once.
  const g = new Graph();
  const x = g.input("x", "float32", [1000]);
  const b = ops.relu(ops.relu(x));
  g.output(ops.add(b, x), "y");
  assert.deepEqual(liveBytes(g), { held: KB4, peak: 3 * KB4, uncounted: 0 });
});

Deno.test("liveBytes() keeps a value read late alive, and skips symbolic shapes", () => {
  // a is read again at the end, so a, b and c are alive together with x.
  const g = new Graph();
  const x = g.input("x", "float32", [1000]);
  const a = ops.relu(x);
  const c = ops.relu(ops.relu(a));
  g.output(ops.add(c, a), "y");
  assert.deepEqual(liveBytes(g), { held: KB4, peak: 4 * KB4, uncounted: 0 });

  const s = new Graph();
  s.output(ops.relu(s.input("x", "float64", ["batch", 10])), "y");
  const r = liveBytes(s);
  assert.equal(r.peak, 0);
  assert.equal(r.uncounted, 3, "x, relu's output and y have no static size");
});
