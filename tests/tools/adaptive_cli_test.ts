/**
 * `--softmax adaptive` through the CLIs: a run trains, records its clusters, generates, exports
 * and generates from the export as it does; resume, fine-tuning and bad flags get one line.
 *
 * @module
 */

import assert from "node:assert/strict";
import { loadRun } from "../../tools/lib/run/run_dir.ts";
import { runTool } from "../helpers/cli.ts";
import { grammarText } from "../helpers/grammar_text.ts";

Deno.test("--softmax adaptive: trains, records its clusters, generates, exports; resume and --from are checked", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-adaptive-" });
  try {
    const file = `${dir}/grammar.txt`;
    await Deno.writeTextFile(file, grammarText(3000, 1));
    const run = `${dir}/run`;
    const args = ["--text", file, "--hidden", "32", "--bs", "32", "--softmax", "adaptive"];
    const trained = await runTool("train", [
      "lm7",
      ...args,
      "--cutoffs",
      "6",
      "--epochs",
      "3",
      "--out",
      run,
      "--json",
    ]);
    assert.equal(trained.code, 0, trained.stderr);
    // The run's description (the report's subtitle, the export's) and its size line.
    assert.match(trained.stderr, /dropout 0.4, adaptive softmax \(cutoffs 6\); fit_one_cycle/);
    assert.match(trained.stderr, /bs 32, sl 16, adaptive softmax \(cutoffs 6\)\n/);
    const summary = JSON.parse(trained.stdout.trim().split("\n").at(-1)!);
    // As the full softmax does on this grammar (half its words are a free choice of 2 to 6).
    assert.ok(summary.final_accuracy > 0.4, `accuracy ${summary.final_accuracy}`);
    const { meta } = await loadRun(run, "test");
    assert.deepEqual(meta.arch.softmax, { kind: "adaptive", cutoffs: [6], divValue: 4 });
    assert.equal(meta.arch.tied, false);

    // The text after "sat" is always "on" or "under"; the export generates as the run does.
    const greedy = ["--prompt", "The cat sat", "--n", "4", "--temperature", "0"];
    const fromRun = await runTool("generate", [run, ...greedy]);
    assert.equal(fromRun.code, 0, fromRun.stderr);
    assert.match(fromRun.stdout, /^ (on|under) /);
    const exported = await runTool("export", [run, "--out", `${dir}/export`, "--seq", "4"]);
    assert.equal(exported.code, 0, exported.stderr);
    const fromExport = await runTool("generate", [`${dir}/export/lm7.onnx`, ...greedy]);
    assert.equal(fromExport.code, 0, fromExport.stderr);
    assert.equal(fromExport.stdout, fromRun.stdout);
    // int8 weights: the export's own check against the float32 model, then generation.
    const int8 = await runTool("export", [run, "--out", `${dir}/int8`, "--quantize", "int8"]);
    assert.equal(int8.code, 0, int8.stderr);
    assert.match(int8.stdout + int8.stderr, /int8 weights.*top-1 agreement/);
    const fromInt8 = await runTool("generate", [`${dir}/int8/lm7.onnx`, ...greedy]);
    assert.equal(fromInt8.code, 0, fromInt8.stderr);
    assert.match(fromInt8.stdout, /^ (on|under) /);

    const resumed = await runTool("train", ["lm7", "--resume", "--out", run, "--cutoffs", "5"]);
    assert.equal(resumed.code, 2, resumed.stderr);
    assert.match(resumed.stderr, /--resume: --cutoffs 5 differs from the run's 6/);
    const same = await runTool("train", ["lm7", "--resume", "--out", run, "--cutoffs", "6"]);
    assert.equal(same.code, 0, same.stderr);
    assert.match(same.stdout, /already finished its 3 epochs/);
    const tuned = await runTool("train", ["--from", run, "--epochs", "1"]);
    assert.equal(tuned.code, 2, tuned.stderr);
    assert.match(tuned.stderr, /fine-tuning with an adaptive softmax is not supported/);

    // Human Numbers (its vocabulary by first appearance: exact, if not by frequency), and
    // lr-find, take it too; a full-softmax parent cannot be fine-tuned into one.
    const hn = `${dir}/hn`;
    const book = await runTool("train", [
      "lm6",
      "--softmax",
      "adaptive",
      "--epochs",
      "1",
      "--out",
      hn,
    ]);
    assert.equal(book.code, 0, book.stderr);
    assert.match(book.stdout + book.stderr, /adaptive softmax \(cutoffs 6\)/);
    const lr = await runTool("lr_find", [
      "lm6",
      "--softmax",
      "adaptive",
      "--svg",
      `${dir}/lr.svg`,
    ]);
    assert.equal(lr.code, 0, lr.stderr);
    assert.match(lr.stdout + lr.stderr, /valley/);
    const full = `${dir}/full`;
    assert.equal((await runTool("train", ["lm6", "--epochs", "1", "--out", full])).code, 0);
    const intoAdaptive = await runTool("train", ["--from", full, "--softmax", "adaptive"]);
    assert.equal(intoAdaptive.code, 2, intoAdaptive.stderr);
    assert.match(intoAdaptive.stderr, /the parent has the full softmax/);

    for (
      const [flags, message] of [
        [["lm1", "--softmax", "adaptive"], /--softmax adaptive does not apply to lm1/],
        [["lm6", "--cutoffs", "6"], /--cutoffs needs --softmax adaptive/],
        [["lm6", "--softmax", "sampled"], /--softmax must be one of full, adaptive: got "sampled"/],
        [["lm6", "--softmax", "adaptive", "--cutoffs", "6,x"], /--cutoffs must be token ids/],
        [
          ["lm6", ...args, "--cutoffs", "500"],
          /--cutoffs 500 at hidden 32: cutoffs must be increasing integers from 1 to \d+/,
        ],
      ] as const
    ) {
      const out = `${dir}/refused`;
      const r = await runTool("train", [...flags, "--out", out]);
      assert.notEqual(r.code, 0, flags.join(" "));
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split("\n").at(-1)!.startsWith("error: "), true, r.stderr);
      await assert.rejects(Deno.stat(out), Deno.errors.NotFound, "no run is left");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
