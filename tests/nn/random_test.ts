import assert from "node:assert/strict";
import { Random } from "../../src/nn/random.ts";

const draws = (r: Random, n: number, f: (r: Random) => number = (r) => r.next()) =>
  Array.from({ length: n }, () => f(r));

/** Mean and (population) variance. */
function moments(v: readonly number[]): { mean: number; variance: number } {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return { mean, variance: v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length };
}

Deno.test("Random: the same seed gives the same stream", () => {
  for (const seed of [0, 1, 42, -7, 2 ** 40 + 3, Number.MAX_SAFE_INTEGER]) {
    const mixed = (
      r: Random,
    ) => [r.nextUint32(), r.next(), r.uniform(-3, 5), r.normal(), r.normal(), r.normal()];
    const a = new Random(seed);
    const b = new Random(seed);
    for (let i = 0; i < 200; i++) assert.deepEqual(mixed(a), mixed(b), `seed ${seed}, round ${i}`);
  }
});

Deno.test("Random: different seeds give different streams", () => {
  const seeds = [0, 1, 2, 3, 42, 1234, 2 ** 31, 2 ** 32 - 1, -5, 2 ** 40 + 3];
  const streams = seeds.map((s) => draws(new Random(s), 8, (r) => r.nextUint32()).join(","));
  assert.equal(new Set(streams).size, seeds.length, `streams: ${streams.join(" | ")}`);
  // Nearby seeds share no leading values (the seed is mixed, not used raw).
  const a = draws(new Random(7), 100);
  const b = new Set(draws(new Random(8), 100));
  assert.ok(a.every((v) => !b.has(v)));
});

Deno.test("Random.next() is uniform in [0, 1) with 53 random bits", () => {
  const v = draws(new Random(11), 100_000);
  assert.ok(v.every((x) => x >= 0 && x < 1));
  const { mean, variance } = moments(v);
  // Standard errors: 0.0009 for the mean, 0.0003 for the variance.
  assert.ok(Math.abs(mean - 0.5) < 0.005, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1 / 12) < 0.002, `variance ${variance}`);
  // Ten equal bins each get about a tenth (standard error 0.00095).
  const bins = new Array<number>(10).fill(0);
  for (const x of v) bins[Math.floor(x * 10)]++;
  for (const c of bins) assert.ok(Math.abs(c / v.length - 0.1) < 0.005, `bins ${bins}`);
  // Finer than 32 bits: most values are not multiples of 2^-32.
  assert.ok(v.filter((x) => !Number.isInteger(x * 2 ** 32)).length > 99_000);
});

Deno.test("Random.nextUint32() and uniform() stay in range", () => {
  const r = new Random(5);
  const u = draws(r, 10_000, (r) => r.nextUint32());
  assert.ok(u.every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32));
  assert.ok(u.some((x) => x >= 2 ** 31), "uses the top bit");
  const w = draws(r, 10_000, (r) => r.uniform(-0.25, 0.75));
  assert.ok(w.every((x) => x >= -0.25 && x < 0.75));
  assert.ok(Math.abs(moments(w).mean - 0.25) < 0.01);
});

Deno.test("Random.normal() is N(0, 1) over 100k draws", () => {
  const v = draws(new Random(3), 100_000, (r) => r.normal());
  assert.ok(v.every(Number.isFinite));
  const { mean, variance } = moments(v);
  // Standard errors: 0.0032 for the mean, 0.0045 for the variance.
  assert.ok(Math.abs(mean) < 0.02, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 0.03, `variance ${variance}`);
  // Its shape, not just its moments: P(|z| < 1) = 0.6827, P(|z| < 2) = 0.9545.
  const within = (k: number) => v.filter((z) => Math.abs(z) < k).length / v.length;
  assert.ok(Math.abs(within(1) - 0.6827) < 0.01, `within 1: ${within(1)}`);
  assert.ok(Math.abs(within(2) - 0.9545) < 0.005, `within 2: ${within(2)}`);
  const skew = v.reduce((a, z) => a + z ** 3, 0) / v.length;
  assert.ok(Math.abs(skew) < 0.05, `third moment ${skew}`);
});

Deno.test("Random.fork() is deterministic and independent of its parent", () => {
  // Deterministic: the same parent state forks the same child.
  const a = new Random(99);
  const b = new Random(99);
  assert.deepEqual(draws(a.fork(), 50), draws(b.fork(), 50));
  // Drawing from a child never shifts the parent.
  const p1 = new Random(99);
  const p2 = new Random(99);
  const c1 = p1.fork();
  p2.fork();
  draws(c1, 1000);
  assert.deepEqual(draws(p1, 50), draws(p2, 50));
  // Two forks differ from each other and from the parent's own stream.
  const p = new Random(99);
  const f1 = draws(p.fork(), 50);
  const f2 = draws(p.fork(), 50);
  const rest = draws(p, 50);
  assert.notDeepEqual(f1, f2);
  assert.ok(f1.every((x) => !rest.includes(x)) && f2.every((x) => !rest.includes(x)));
  // A fork is a fresh stream, not the parent's continuation.
  const q = new Random(99);
  const child = q.fork();
  assert.notDeepEqual(draws(child, 50), draws(q, 50));
});

Deno.test("Random refuses a seed that is not a safe integer", () => {
  for (const seed of [1.5, NaN, Infinity, -Infinity, 2 ** 53]) {
    assert.throws(() => new Random(seed), {
      name: "Error",
      message: `Random seed must be an integer: got ${seed}`,
    });
  }
});
