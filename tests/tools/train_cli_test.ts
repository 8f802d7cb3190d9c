import assert from "node:assert/strict";
import { type ModelToCheck, referenceCheckTest } from "../helpers/onnx_checker.ts";
import { ROOT, RUN_FILES, runTool, toolCommand } from "../helpers/cli.ts";

const checked: ModelToCheck[] = [];
const command = (args: string[]) => toolCommand("train", args);
const train = (args: string[]) => runTool("train", args);

Deno.test("train CLI: --list names every model and alias", async () => {
  const { code, stdout } = await train(["--list"]);
  assert.equal(code, 0);
  for (
    const name of ["lm1", "lm2", "lm3", "lm4", "lm5 (rnn)", "lm6 (lstm)", "lm7 (awd-lstm)", "gru"]
  ) {
    assert.match(stdout, new RegExp(`^${name.replace(/[()]/g, "\\$&")} `, "m"));
  }
});

Deno.test("train CLI: bad input gets one clear line and exit code 2, never a stack", async () => {
  const cases: [string[], string][] = [
    [
      ["lm9"],
      `error: Unknown model "lm9": expected one of lm1, lm2, lm3, lm4, lm5, lm6, lm7, gru, gpt, rnn, lstm, awd-lstm`,
    ],
    [["lm1", "--epochs", "0"], `error: --epochs must be an integer from 1 to 1000: got "0"`],
    [["lm1", "--epochs", "2.5"], `error: --epochs must be an integer from 1 to 1000: got "2.5"`],
    [["lm1", "--lr=-1"], `error: --lr must be a number above 0 and at most 10: got "-1"`],
    [["lm1", "--lr", "0"], `error: --lr must be a number above 0 and at most 10: got "0"`],
    [["lm1", "--seed", "x"], `error: --seed must be an integer from 0 to 4294967295: got "x"`],
    [
      ["lm1", "--device", "tpu"],
      `error: --device must be one of cpu, cuda, webgpu, auto: got "tpu"`,
    ],
    [
      ["lm1", "--resume", "--out", `${ROOT}.tmp/no-such-run`],
      `error: Cannot resume: no checkpoint at`,
    ],
  ];
  for (const [args, message] of cases) {
    const { code, stderr } = await train(args);
    assert.equal(code, args.includes("--resume") ? 1 : 2, `${args.join(" ")}: ${stderr}`);
    assert.ok(stderr.includes(message), `${args.join(" ")}: ${stderr}`);
    assert.ok(!stderr.includes("    at "), `no stack trace: ${stderr}`);
  }
});

Deno.test("train CLI: Ctrl-C leaves a checkpoint, and --resume ends exactly like an uninterrupted run", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-cli-" });
  const args = ["lm7", "--epochs", "3", "--seed", "3", "--json"];
  try {
    const full = await train([...args, "--out", `${dir}/full`]);
    assert.equal(full.code, 0, full.stderr);
    const fullLines = full.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(fullLines.length, 4);

    // Interrupt after the first epoch row appears (its checkpoint is written before the row).
    const child = command([...args, "--out", `${dir}/cut`]).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    while (!seen.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += value;
    }
    child.kill("SIGINT");
    while (!(await reader.read()).done) { /* drain */ }
    const status = await child.status;
    const stderr = new TextDecoder().decode(
      (await new Response(child.stderr).arrayBuffer()) as ArrayBuffer,
    );
    assert.equal(status.code, 130, stderr);
    assert.match(
      stderr,
      /Training interrupted during epoch \d: the checkpoint after epoch \d is .*checkpoint\.safetensors; continue with --resume/,
    );

    const resumed = await train([...args, "--out", `${dir}/cut`, "--resume"]);
    assert.equal(resumed.code, 0, resumed.stderr);
    const lines = resumed.stdout.trim().split("\n").map((l) => JSON.parse(l));
    const summary = lines.at(-1);
    const fullSummary = fullLines.at(-1);
    assert.equal(summary.final_accuracy, fullSummary.final_accuracy);
    assert.equal(summary.final_valid_loss, fullSummary.final_valid_loss);
    const metrics = (await Deno.readTextFile(`${dir}/cut/metrics.jsonl`)).trim().split("\n").map((
      l,
    ) => JSON.parse(l));
    const fullMetrics = (await Deno.readTextFile(`${dir}/full/metrics.jsonl`)).trim().split("\n")
      .map((l) => JSON.parse(l));
    const strip = (rows: { time: number }[]) => rows.map(({ time: _, ...rest }) => rest);
    assert.deepEqual(strip(metrics), strip(fullMetrics));

    const files = [...Deno.readDirSync(`${dir}/cut`)].map((e) => e.name).sort();
    assert.deepEqual(files, RUN_FILES);
    const svg = await Deno.readTextFile(`${dir}/cut/curves.svg`);
    assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, />epoch</);
    assert.match(svg, />accuracy</);
    for (const kind of ["train", "grad", "eval", "infer"]) {
      checked.push({
        label: `cli lm7 ${kind}.onnx`,
        bytes: await Deno.readFile(`${dir}/cut/${kind}.onnx`),
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

referenceCheckTest(
  "the .onnx files a training run writes pass the reference ONNX checker",
  checked,
);

Deno.test("train notes a run that learned nothing, and warns of more threads than cores", async () => {
  const out = await Deno.makeTempDir();
  try {
    const low = await train(["lm1", "--epochs", "1", "--lr", "1e-300", "--out", `${out}/low`]);
    assert.equal(low.code, 0, low.stderr);
    assert.match(
      low.stderr,
      /^note: the final accuracy 0\.\d+ is no better than always predicting "thousand" \(0\.1517\): the model learned nothing\. --lr 1e-300 may be far too low/m,
    );
    const high = await train(["lm6", "--epochs", "1", "--lr", "10", "--out", `${out}/high`]);
    assert.equal(high.code, 0, high.stderr);
    assert.match(
      high.stderr,
      /^note: the valid loss \d+\.\d+ is far above a uniform guess's 3\.4012: training blew up\. --lr 10 is likely far too high/m,
    );
    const good = await train(["lm1", "--epochs", "1", "--out", `${out}/good`]);
    assert.doesNotMatch(good.stderr, /^note:/m);
    const cores = navigator.hardwareConcurrency;
    const many = await train([
      "lm1",
      "--epochs",
      "1",
      "--threads",
      String(cores + 1),
      "--out",
      `${out}/many`,
    ]);
    assert.match(
      many.stderr,
      new RegExp(
        `^warning: --threads ${cores + 1} is more than this machine's ${cores} cores`,
        "m",
      ),
    );
    assert.doesNotMatch(good.stderr, /^warning: --threads/m);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("a validation text that shares nothing with the training text is named as such", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const words = (pool: string[], n: number, seed: number) =>
      Array.from({ length: n }, (_, i) => pool[(i * 7 + seed * 3 + (i >> 2)) % pool.length]).join(
        " ",
      );
    await Deno.writeTextFile(
      `${dir}/train.txt`,
      words(["alpha", "beta", "gamma", "delta"], 3000, 1),
    );
    await Deno.writeTextFile(`${dir}/valid.txt`, words(["uno", "dos", "tres"], 1000, 2));
    const r = await train([
      "lm6",
      "--text",
      `${dir}/train.txt`,
      "--valid",
      `${dir}/valid.txt`,
      "--epochs",
      "1",
      "--bs",
      "8",
      "--sl",
      "8",
      "--out",
      `${dir}/run`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /^warning: 99\.\d% of validation tokens are not in the training vocabulary \(xxunk\): the validation text shares almost nothing with the training text/m,
    );
    assert.doesNotMatch(r.stderr, /overstate/); // its accuracy is 0, not overstated
    assert.doesNotMatch(r.stderr, /^note: /m); // nor a note blaming the lr
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
