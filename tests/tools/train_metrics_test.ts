import assert from "node:assert/strict";
import { findModel } from "../../models/registry.ts";
import { runTool } from "../helpers/cli.ts";

/** The run's `metrics.jsonl`, one object per epoch. */
async function metrics(run: string): Promise<Record<string, number>[]> {
  const lines = (await Deno.readTextFile(`${run}/metrics.jsonl`)).trim().split("\n");
  return lines.map((l) => JSON.parse(l));
}

Deno.test("train CLI: perplexity in --json, metrics.jsonl, the table, the summary and the report", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-ppl-" });
  try {
    const r = await runTool("train", ["lm1", "--epochs", "2", "--json", "--out", `${dir}/run`]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    const epochs = lines.slice(0, -1);
    const summary = lines.at(-1);
    assert.equal(epochs.length, 2);
    for (const e of epochs) {
      assert.equal(e.perplexity, Math.exp(e.valid_loss));
      assert.equal(e.bits_per_char, undefined); // Human Numbers is words
    }
    assert.equal(summary.final_perplexity, Math.exp(summary.final_valid_loss));
    assert.equal(summary.final_bits_per_char, undefined);
    assert.deepEqual(await metrics(`${dir}/run`), epochs.map(({ model: _, ...e }) => e));
    // The table (on stderr under --json) has the column, each row its figure.
    assert.match(r.stderr, /^epoch +train_loss +valid_loss +accuracy +perplexity +time$/m);
    assert.ok(r.stderr.includes(` ${epochs[1].perplexity.toFixed(6)} `), r.stderr);
    const report = await Deno.readTextFile(`${dir}/run/report.html`);
    assert.ok(report.includes(`<td>${epochs[1].perplexity.toFixed(6)}</td>`));
    assert.ok(report.includes("Baseline (always predict &quot;thousand&quot;): 0.152."));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train CLI: a char run adds bits per character and its report names its own baseline", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-bpc-" });
  try {
    const text = "abab cdcd abab cdcd efef\n".repeat(200);
    await Deno.writeTextFile(`${dir}/text.txt`, text);
    const r = await runTool("train", [
      "lm1",
      "--text",
      `${dir}/text.txt`,
      "--tokens",
      "char",
      "--epochs",
      "1",
      "--hidden",
      "16",
      "--bs",
      "8",
      "--out",
      `${dir}/run`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^epoch +train_loss +valid_loss +accuracy +perplexity +bits_per_char +time$/m,
    );
    assert.match(r.stdout, /, perplexity \d+\.\d{4}, \d+\.\d{4} bits\/char; /);
    const [last] = (await metrics(`${dir}/run`)).slice(-1);
    assert.equal(last.perplexity, Math.exp(last.valid_loss));
    assert.equal(last.bits_per_char, last.valid_loss / Math.LN2);
    const token = /Baseline \(always predict ("[^"]*")\)/.exec(r.stdout)![1];
    const report = await Deno.readTextFile(`${dir}/run/report.html`);
    assert.ok(report.includes(`(always predict ${token.replaceAll('"', "&quot;")})`), report);
    assert.ok(!report.includes("thousand"));
    assert.ok(report.includes(`<td>${last.bits_per_char.toFixed(6)}</td>`));
    // Its export carries a prompt from its own text (the page opens the model with it), and the
    // run's own schedule, not the registry's.
    const e = await runTool("export", [`${dir}/run`, "--out", `${dir}/export`]);
    assert.equal(e.code, 0, e.stderr);
    const sidecar = JSON.parse(await Deno.readTextFile(`${dir}/export/lm1.json`));
    assert.ok(sidecar.prompt.length > 10 && text.includes(sidecar.prompt), sidecar.prompt);
    assert.equal(sidecar.recipe.epochs, 1);
    assert.equal(sidecar.recipe.lrMax, findModel("lm1").recipe.lrMax);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
