/**
 * The fastai workflow past the first fit, through the CLI: fine-tune a run on another text
 * (`--from`), extend a finished run (`--resume --epochs N`), keep the best epoch
 * (`--save-best`), stop early (`--patience`), and export or generate from the best epoch.
 *
 * @module
 */

import assert from "node:assert/strict";
import { resolve } from "node:path";
import { mulberry32 } from "../../src/generate/sampling.ts";
import { numberToWords } from "../../src/data/number_words.ts";
import { loadRun } from "../../tools/lib/run/run_dir.ts";
import { runTool as tool } from "../helpers/cli.ts";

/** Number words, as Human Numbers spells them, separated by commas instead of dots. */
function commaNumbers(from: number, to: number): string {
  const words: string[] = [];
  for (let n = from; n < to; n++) words.push(numberToWords(n), ",");
  return words.join(" ");
}

/** Words drawn independently and uniformly: nothing to learn, so validation can only worsen. */
function noiseText(words: number, seed: number): string {
  const r = mulberry32(seed);
  const pool = Array.from({ length: 40 }, (_, i) => `w${i}`);
  return Array.from({ length: words }, () => pool[Math.floor(r() * pool.length)]).join(" ");
}

const firstValidLoss = async (dir: string) =>
  JSON.parse((await Deno.readTextFile(`${dir}/metrics.jsonl`)).split("\n")[0]).valid_loss;

Deno.test("train --from fine-tunes on another text, and --resume --epochs extends it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-from-" });
  try {
    await Deno.writeTextFile(`${dir}/commas.txt`, commaNumbers(2000, 2600));
    const parent = `${dir}/parent`;
    const p = await tool("train", ["lm6", "--epochs", "3", "--out", parent]);
    assert.equal(p.code, 0, p.stderr);

    const child = `${dir}/child`;
    const c = await tool("train", [
      ...["--from", parent, "--text", `${dir}/commas.txt`, "--epochs", "1", "--out", child],
    ]);
    assert.equal(c.code, 0, c.stderr);
    // Human Numbers has no xxunk, xxbos or ","; the child's text has no ".".
    assert.match(
      c.stdout,
      /^Fine-tuning .*parent \(epoch 2\): 29 of 32 tokens keep their trained rows, 3 new start from the mean row; 1 of the parent's tokens is not in the new vocabulary$/m,
    );
    const { meta } = await loadRun(child, "test");
    assert.equal(meta.model, "lm6");
    assert.deepEqual(meta.parent, {
      run: resolve(parent),
      model: "lm6",
      epoch: 3,
      valid_loss: meta.parent!.valid_loss,
      sharedTokens: 29,
      newTokens: 3,
    });
    assert.equal(meta.corpus.kind, "text");

    const scratch = `${dir}/scratch`;
    const s = await tool("train", [
      ...["lm6", "--text", `${dir}/commas.txt`, "--epochs", "1", "--out", scratch],
    ]);
    assert.equal(s.code, 0, s.stderr);
    const [tuned, fresh] = [await firstValidLoss(child), await firstValidLoss(scratch)];
    assert.ok(tuned < fresh, `fine-tuned ${tuned} vs from scratch ${fresh}`);

    // No model name: the run records it. Its one-epoch schedule ended, so a new one starts.
    const more = await tool("train", ["--resume", "--out", child, "--epochs", "3"]);
    assert.equal(more.code, 0, more.stderr);
    assert.match(
      more.stdout,
      /Extending the run from 1 to 3 epochs: its one-cycle schedule ended, so a new one starts: fit_one_cycle\(2, 0\.01\) over epochs 1\.\.2/,
    );
    const extended = await loadRun(child, "test");
    assert.equal(extended.meta.epochs, 3);
    assert.equal(extended.meta.learner.cycleStart, 1);
    assert.deepEqual(extended.meta.learner.history.map((r) => r.epoch), [0, 1, 2]);
    assert.deepEqual(extended.meta.parent, meta.parent, "the parent stays recorded");

    const fewer = await tool("train", ["--resume", "--out", child, "--epochs", "2"]);
    assert.equal(fewer.code, 2);
    assert.match(
      fewer.stderr,
      /^error: --resume: --epochs 2 is fewer than the run's 3; a run can only be extended/m,
    );
    const noOut = await tool("train", ["--resume"]);
    assert.equal(noOut.code, 2);
    assert.match(noOut.stderr, /^error: --resume needs --out RUN/m);
    const cases: [string[], RegExp][] = [
      [
        ["--from", parent, "--resume", "--out", child],
        /--from starts a new run .* --resume continues a run/,
      ],
      [
        ["--from", parent, "--hidden", "32", "--out", `${dir}/x`],
        /--hidden 32 differs from the parent's 64; a fine-tuned model keeps its parent's sizes/,
      ],
      [
        ["--from", parent, "--text", `${dir}/commas.txt`, "--tokens", "char", "--out", `${dir}/x`],
        /--tokens char differs from the parent's word tokens/,
      ],
      [
        ["lm7", "--from", parent, "--out", `${dir}/x`],
        /is a run of lm6: its weights cannot start lm7/,
      ],
      [["--from", parent, "--out", parent], /--out .*parent is the run --from reads/],
      [["--from", `${dir}/nothing`], /^error: --from .*nothing: no checkpoint at/],
    ];
    for (const [args, message] of cases) {
      const r = await tool("train", args);
      assert.notEqual(r.code, 0, args.join(" "));
      assert.match(r.stderr, message, args.join(" "));
      assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
    }
    assert.equal(await Deno.stat(`${dir}/x`).then(() => true, () => false), false, "no run left");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--save-best keeps an epoch before the last, --patience stops, export and generate --best read it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-best-" });
  try {
    await Deno.writeTextFile(`${dir}/noise.txt`, noiseText(6000, 3));
    const run = `${dir}/run`;
    const r = await tool("train", [
      ...["lm6", "--text", `${dir}/noise.txt`, "--min-freq", "1", "--out", run],
      ...["--save-best", "--patience", "2", "--json"],
    ]);
    assert.equal(r.code, 0, r.stderr);
    const last = await loadRun(run, "test");
    const best = await loadRun(run, "test", "best.safetensors");
    const history = last.meta.learner.history;
    const bestRow = best.meta.learner.history.at(-1)!;
    assert.ok(history.length < 15, `stopped early after ${history.length} of 15 epochs`);
    assert.ok(bestRow.epoch < history.at(-1)!.epoch, "the best epoch is not the last");
    assert.equal(bestRow.valid_loss, Math.min(...history.map((h) => h.valid_loss)));
    assert.deepEqual(last.meta.tracking, { monitor: "valid_loss", saveBest: true, patience: 2 });
    assert.match(
      r.stderr,
      new RegExp(
        `^no improvement in valid_loss since epoch ${bestRow.epoch} \\(.*\\) for 2 epochs ` +
          `\\(--patience 2\\): stopping early after epoch ${history.at(-1)!.epoch}, `,
        "m",
      ),
    );
    const summary = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    assert.equal(summary.best_epoch, bestRow.epoch);
    assert.equal(summary.stopped_early, true);

    const exported = await tool("export", [run, "--best", "--out", `${dir}/export`]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, new RegExp(`^the best epoch: ${bestRow.epoch} `, "m"));
    const sidecar = JSON.parse(await Deno.readTextFile(`${dir}/export/lm6.json`));
    assert.equal(sidecar.metrics.valid_loss, bestRow.valid_loss);
    const g = await tool("generate", [
      run,
      "--best",
      "--prompt",
      "w1 w2",
      "--n",
      "3",
      "--seed",
      "1",
    ]);
    assert.equal(g.code, 0, g.stderr);

    // A run replaced without --save-best leaves no best checkpoint of the old run behind.
    const again = await tool("train", [
      ...["lm6", "--text", `${dir}/noise.txt`, "--min-freq", "1", "--epochs", "1", "--out", run],
      "--force",
    ]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(await Deno.stat(`${run}/best.safetensors`).then(() => true, () => false), false);
    const none = await tool("export", [run, "--best", "--out", `${dir}/export2`]);
    assert.equal(none.code, 1);
    assert.match(
      none.stderr,
      /no best checkpoint at .*best\.safetensors \(the run was trained without --save-best\)/,
    );
    const monitor = await tool("train", ["lm6", "--monitor", "accuracy", "--out", `${dir}/m`]);
    assert.equal(monitor.code, 2);
    assert.match(monitor.stderr, /^error: --monitor needs --save-best or --patience N/m);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
