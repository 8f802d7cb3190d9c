import assert from "node:assert/strict";
import { markdownTable } from "../../tools/lib/cli/markdown.ts";

Deno.test("markdownTable() pads cells as deno fmt does, counting ≥ and ± as one column", async () => {
  const table = markdownTable(["model", "mean ± std", "ok"], [
    ["lm1", "**0.464** ± 0.026", "**no**"],
    ["gru", "0.8", "yes"],
  ]);
  assert.equal(
    table,
    [
      "| model | mean ± std        | ok     |",
      "| ----- | ----------------- | ------ |",
      "| lm1   | **0.464** ± 0.026 | **no** |",
      "| gru   | 0.8               | yes    |",
    ].join("\n"),
  );
  // What deno fmt would write is what we wrote.
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-md-" });
  try {
    await Deno.writeTextFile(`${dir}/t.md`, `# T\n\n${table}\n`);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["fmt", "--check", `${dir}/t.md`],
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assert.throws(() => markdownTable(["a", "b"], [["x"]]), /Table row 0 has 1 cells: expected 2/);
});
