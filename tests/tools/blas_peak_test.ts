import assert from "node:assert/strict";
import { measureBlasPeak, OPENBLAS_PATHS } from "../../tools/lib/bench/blas_peak.ts";

Deno.test("measureBlasPeak() times a checked OpenBLAS sgemm where the machine has one", () => {
  const installed = OPENBLAS_PATHS.some((p) => {
    try {
      return Deno.statSync(p).isFile;
    } catch {
      return false;
    }
  });
  for (const threads of [1, 2]) {
    const peak = measureBlasPeak({ n: 64, threads, repeats: 3 });
    if (!installed) {
      assert.equal(peak.library, undefined);
      continue;
    }
    // The warm-up product is checked inside (it throws when wrong); no timing bounds.
    if (peak.library === undefined) throw new Error(`OpenBLAS is installed: ${peak.reason}`);
    assert.ok(Number.isFinite(peak.gflops) && peak.gflops > 0, `${peak.gflops}`);
    assert.ok(Math.abs(peak.gflops * peak.msPerRun * 1e6 / (2 * 64 ** 3) - 1) < 1e-9);
  }
});

Deno.test("measureBlasPeak() says why there is no rate: no library, or one that does not load", async () => {
  const none = measureBlasPeak({ paths: [] });
  assert.deepEqual(none, {
    library: undefined,
    reason: "no OpenBLAS found (Debian: apt-get install libopenblas0-pthread)",
  });
  const file = await Deno.makeTempFile({ suffix: ".so.0" });
  try {
    await Deno.writeTextFile(file, "not a shared library");
    const bad = measureBlasPeak({ paths: [file] });
    assert.equal(bad.library, undefined);
    assert.match("reason" in bad ? bad.reason : "", /^cannot load .*\.so\.0: /);
  } finally {
    await Deno.remove(file);
  }
});
