/**
 * `deno task train gpt` on one's own text: nanoGPT's schedule over `--steps` trains far above
 * the baseline, the run records its schedule and sizes, and generation from the run, from its
 * export (the cached step graph) and from a float16 export agree; `--epochs` runs
 * fit_one_cycle instead; every flag that does not fit is refused in one line.
 *
 * @module
 */

import assert from "node:assert/strict";
import { loadRun } from "../../tools/lib/run/run_dir.ts";
import { runTool } from "../helpers/cli.ts";
import { grammarText } from "../helpers/grammar_text.ts";

const SMALL = ["--embd", "32", "--heads", "2", "--layers", "2", "--block", "32", "--bs", "16"];

Deno.test("train gpt --steps: nanoGPT's schedule on a char text, far above the baseline; run, export and float16 export generate alike", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-gpt-" });
  try {
    const file = `${dir}/grammar.txt`;
    await Deno.writeTextFile(file, grammarText(1500, 1));
    const run = `${dir}/run`;
    const trained = await runTool("train", [
      "gpt",
      "--text",
      file,
      "--tokens",
      "char",
      ...SMALL,
      "--steps",
      "400",
      "--lr",
      "3e-3",
      "--out",
      run,
      "--json",
    ]);
    assert.equal(trained.code, 0, trained.stderr);
    assert.match(trained.stderr, /size: vocab 25, embd 32, 2 layers, 2 heads, block 32, bs 16\n/);
    assert.match(
      trained.stderr,
      /400 steps of AdamW\(0.9, 0.99\) at lr 0.003, warmup 20, cosine to 0.0003, clip 1, seed 42/,
    );
    assert.match(trained.stderr, /a validation \(\d+ batches\) every 50 steps/);
    const lines = trained.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(lines.length, 9, "8 validations (400 steps, one every 50), then the summary");
    const summary = lines.at(-1);
    const baseline = Number(/Baseline \(always predict " "\): ([\d.]+)/.exec(trained.stderr)![1]);
    // The grammar's letters follow from the word so far; its free choices are word starts.
    assert.ok(
      summary.final_accuracy > baseline + 0.4,
      `accuracy ${summary.final_accuracy}, baseline ${baseline}`,
    );
    const { meta } = await loadRun(run, "test");
    assert.deepEqual(meta.arch.gpt, { heads: 2, block: 32, bias: false });
    assert.equal(meta.arch.hidden, 32);
    assert.deepEqual(meta.recipe.schedule, {
      kind: "warmup-cosine",
      steps: 400,
      warmup: 20,
      lrMin: 3e-4,
      evalEvery: 50,
    });
    assert.deepEqual(
      [meta.recipe.data, meta.recipe.seqLen, meta.recipe.clip, meta.recipe.eps, meta.epochs],
      ["windows", 32, 1, 1e-8, 8],
    );

    // Greedy text past the block (32 characters), from the run, its export and a float16 one.
    const greedy = ["--prompt", "the cat sat", "--n", "80", "--temperature", "0"];
    const fromRun = await runTool("generate", [run, ...greedy]);
    assert.equal(fromRun.code, 0, fromRun.stderr);
    assert.match(fromRun.stdout, /^ (on|under) (the|a) /);
    const exported = await runTool("export", [run, "--out", `${dir}/export`]);
    assert.equal(exported.code, 0, exported.stderr);
    const sidecar = JSON.parse(await Deno.readTextFile(`${dir}/export/gpt.json`));
    assert.equal(sidecar.kind, "cached");
    assert.equal(sidecar.context, 32);
    const fromExport = await runTool("generate", [`${dir}/export/gpt.onnx`, ...greedy]);
    assert.equal(fromExport.code, 0, fromExport.stderr);
    assert.equal(fromExport.stdout, fromRun.stdout);
    const half = await runTool("export", [run, "--out", `${dir}/f16`, "--dtype", "float16"]);
    assert.equal(half.code, 0, half.stderr);
    assert.match(half.stdout + half.stderr, /float16 weights.*top-1 agreement/);
    const fromHalf = await runTool("generate", [`${dir}/f16/gpt.onnx`, ...greedy]);
    assert.equal(fromHalf.code, 0, fromHalf.stderr);
    assert.match(fromHalf.stdout, /^ (on|under) (the|a) /);

    // Fine-tuning keeps the parent's sizes (its weights' shapes, its heads and block).
    const tuned = await runTool("train", ["--from", run, "--steps", "20", "--out", `${dir}/ft`]);
    assert.equal(tuned.code, 0, tuned.stderr);
    assert.match(tuned.stdout, /20 steps of AdamW/);
    const heads = await runTool("train", ["--from", run, "--heads", "4", "--out", `${dir}/ft2`]);
    assert.equal(heads.code, 2, heads.stderr);
    assert.match(heads.stderr, /--heads 4 differs from the parent's 2; a fine-tuned model keeps/);

    // A finished steps run is not extended by --epochs; --steps must be the run's.
    const extended = await runTool("train", ["--resume", "--out", run, "--epochs", "12"]);
    assert.equal(extended.code, 2, extended.stderr);
    assert.match(extended.stderr, /counts 400 steps, not epochs/);
    const steps = await runTool("train", ["--resume", "--out", run, "--steps", "500"]);
    assert.equal(steps.code, 2, steps.stderr);
    assert.match(steps.stderr, /--resume: --steps 500 differs from the run's 400/);
    const again = await runTool("train", ["--resume", "--out", run]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already finished its 8 epochs/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train gpt --epochs runs fit_one_cycle over passes of random windows", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-gpt-" });
  try {
    const file = `${dir}/grammar.txt`;
    await Deno.writeTextFile(file, grammarText(600, 2));
    const out = await runTool("train", [
      "gpt",
      "--text",
      file,
      "--tokens",
      "char",
      ...SMALL,
      "--epochs",
      "2",
      "--out",
      `${dir}/run`,
    ]);
    assert.equal(out.code, 0, out.stderr);
    assert.match(
      out.stdout,
      /fit_one_cycle\(2, 0.001\), seed 42, cpu, 1 thread, \d+ train \/ \d+ valid/,
    );
    const { meta } = await loadRun(`${dir}/run`, "test");
    assert.equal(meta.recipe.schedule, undefined);
    assert.equal(meta.recipe.data, "windows");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train gpt: flags that do not fit are refused in one line, and no run is left", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-gpt-" });
  try {
    const file = `${dir}/short.txt`;
    await Deno.writeTextFile(file, grammarText(4, 3));
    const text = ["--text", file, "--tokens", "char"];
    const cases: [string[], RegExp][] = [
      [["lm6", "--steps", "100"], /--steps applies to gpt .*: lm6 trains for --epochs/],
      [
        ["gpt", "--steps", "100", "--epochs", "2"],
        /--steps runs nanoGPT's .* and --epochs fit_one_cycle: give one/,
      ],
      [["gpt", "--steps", "1"], /--steps must be an integer/],
      [["gpt", "--hidden", "64"], /--hidden does not apply to gpt: its width is --embd/],
      [["gpt", "--sl", "8"], /--sl does not apply to gpt: its width is --block/],
      [["gpt", "--embd", "32", "--heads", "3"], /--heads 3 must divide --embd 32/],
      [["lm6", "--heads", "2"], /--heads does not apply to lm6: it sizes gpt/],
      [["lm6", "--bias"], /--bias does not apply to lm6: it sizes gpt/],
      [["gpt", ...text, "--block", "4096"], /fewer than one window of --block 4096/],
    ];
    for (const [args, message] of cases) {
      const out = await runTool("train", [...args, "--out", `${dir}/run`]);
      assert.equal(out.code, 2, `${args.join(" ")}: ${out.stderr}`);
      assert.match(out.stderr, message, args.join(" "));
      assert.equal(out.stderr.trim().split("\n").length, 1, out.stderr);
      await assert.rejects(Deno.stat(`${dir}/run`), Deno.errors.NotFound, args.join(" "));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
