/**
 * Nothing lost, every file checked: runs are never replaced unasked, a diverged run has a way
 * forward, OS errors name the flag and path, export refuses bad weights, repro keeps every
 * seed. Each test is one defect of issue 9, driven through the CLIs as a user would.
 *
 * @module
 */

import assert from "node:assert/strict";
import { findModel } from "../../models/registry.ts";
import { tensor } from "../../src/onnx/tensor.ts";
import { decodeCheckpoint, encodeCheckpoint } from "../../src/train/checkpoint.ts";
import { cpuModel } from "../../tools/lib/bench/machine.ts";
import { runTool, toolCommand } from "../helpers/cli.ts";

const command = toolCommand;
const tool = runTool;
const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

Deno.test("a run directory is never replaced unasked; --force swaps only after a checkpoint", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-guard-" });
  try {
    const run = `${dir}/run`;
    assert.equal((await tool("train", ["lm1", "--epochs", "1", "--out", run])).code, 0);
    const original = await Deno.readFile(`${run}/checkpoint.safetensors`);
    for (const model of ["lm1", "lm6"]) {
      const again = await tool("train", [model, "--out", run]);
      assert.equal(again.code, 2, again.stderr);
      assert.match(
        again.stderr,
        /^error: --out .*run already holds a run \(lm1, 1 of 1 epochs done, saved \d{4}-\d\d-\d\d \d\d:\d\d UTC\): continue it with --resume, choose another --out, or replace it with --force/,
      );
    }
    assert.deepEqual(await Deno.readFile(`${run}/checkpoint.safetensors`), original);

    // A replacement interrupted before its first checkpoint leaves the old run as it was.
    await Deno.writeTextFile(`${dir}/chars.txt`, "abcdefghij klmnop\n".repeat(20_000));
    const child = command("train", [
      "lm7",
      "--text",
      `${dir}/chars.txt`,
      "--tokens",
      "char",
      "--hidden",
      "128",
      "--out",
      run,
      "--force",
    ]).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    while (!seen.includes("epoch ")) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += value;
    }
    child.kill("SIGINT");
    while (!(await reader.read()).done) { /* drain */ }
    const stopped = await child.status;
    const stderr = new TextDecoder().decode(await new Response(child.stderr).arrayBuffer());
    assert.equal(stopped.code, 130);
    assert.match(
      stderr,
      /no epoch finished, so there is no checkpoint yet; the run already in .*run is untouched/,
    );
    assert.deepEqual(await Deno.readFile(`${run}/checkpoint.safetensors`), original);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["chars.txt", "run"]);
    assert.equal([...Deno.readDirSync(run)].some((e) => e.name.startsWith(".new-")), false);

    // --force with a finished epoch replaces the run's files, and only those: a user's notes
    // and folders in --out stay. A temp file a killed write left, and a staging directory a
    // killed --force left, are removed.
    await Deno.writeTextFile(`${run}/notes.md`, "mine");
    await Deno.mkdir(`${run}/exports/.new-1`, { recursive: true });
    await Deno.mkdir(`${run}/.new-77`);
    const stale = `${run}/.checkpoint.safetensors.4242.0123abcd.tmp`;
    await Deno.writeFile(stale, new Uint8Array(100));
    const forced = await tool("train", ["lm1", "--epochs", "2", "--out", run, "--force"]);
    assert.equal(forced.code, 0, forced.stderr);
    const metrics = (await Deno.readTextFile(`${run}/metrics.jsonl`)).trim().split("\n");
    assert.equal(metrics.length, 2);
    assert.equal(await exists(stale), false);
    assert.equal(await Deno.readTextFile(`${run}/notes.md`), "mine");
    assert.equal(await exists(`${run}/exports/.new-1`), true);
    assert.equal(await exists(`${run}/.new-77`), false);
    assert.equal([...Deno.readDirSync(run)].some((e) => e.name.startsWith(".new-")), false);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["chars.txt", "run"]);
    assert.equal(JSON.parse(metrics[0]).cpu, cpuModel()); // every row names its CPU
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a diverged run stops with a way forward that works: --resume --lr", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-nan-" });
  try {
    // lm4 at 3000x its peak lr diverges. Follow what each message says until the run ends;
    // where it diverges differs between CPUs, so the test follows the advice, not a script.
    let args = ["lm4", "--lr", "10", "--epochs", "8", "--out", `${dir}/run`];
    const advice: string[] = [];
    let r = await tool("train", args);
    for (let tries = 0; r.code !== 0 && tries < 6; tries++) {
      assert.equal(r.code, 1, r.stderr);
      const resume =
        / continue from it at a lower peak learning rate with --resume --lr ([\d.e-]+) \(this run's was [\d.e-]+\)$/m
          .exec(r.stderr);
      const restart = /no checkpoint yet; start again with a lower --lr, e\.g\. --lr ([\d.e-]+)$/m
        .exec(r.stderr);
      assert.ok(resume || restart, r.stderr);
      assert.match(r.stderr, /^(Training|Validation) loss is (NaN|-?Infinity)/m);
      advice.push(resume ? `resume ${resume[1]}` : `restart ${restart![1]}`);
      args = resume
        ? ["lm4", "--resume", "--lr", resume[1], "--out", `${dir}/run`]
        : ["lm4", "--lr", restart![1], "--epochs", "8", "--out", `${dir}/run`];
      r = await tool("train", args);
    }
    assert.equal(r.code, 0, `advice followed: ${advice.join(", ")}; ${r.stderr}`);
    assert.ok(advice.length > 0, "the first run diverged");
    const rows = (await Deno.readTextFile(`${dir}/run/metrics.jsonl`)).trim().split("\n")
      .map((l) => JSON.parse(l));
    assert.equal(rows.length, 8);
    assert.ok(rows.every((row) => Number.isFinite(row.valid_loss)));
    // Each epoch records the peak it ran under: lower after every resume.
    assert.ok(rows.at(-1).lr_max < 10, JSON.stringify(rows.map((row) => row.lr_max)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("OS errors name the flag and the path, never Deno's --allow-all advice", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-os-" });
  try {
    const file = `${dir}/file.txt`;
    await Deno.writeTextFile(file, "x");
    const cases: [string, string[], number, RegExp][] = [
      [
        "train",
        ["lm1", "--out", "/proc/x"],
        1,
        /^error: --out \/proc\/x: Deno does not let deno tasks write there/,
      ],
      ["train", ["lm1", "--out", ""], 2, /^error: --out must name a directory: got ""$/m],
      [
        "train",
        ["lm1", "--out", file],
        1,
        /^error: --out .*file\.txt is a file, not a directory$/m,
      ],
      [
        "train",
        ["lm1", "--out", `${file}/x`],
        1,
        /^error: --out .*file\.txt\/x: a part of the path is a file, not a directory$/m,
      ],
      [
        "train",
        ["lm1", "--resume", "--out", file],
        1,
        /^error: --out .*file\.txt is a file, not a directory$/m,
      ],
      [
        "export",
        [file],
        1,
        /^error: Cannot export .*file\.txt: .*file\.txt is a file, not a run directory of deno task train$/m,
      ],
      [
        "export",
        [`${dir}/none`],
        1,
        /^error: Cannot export .*none: no checkpoint at .*none\/checkpoint\.safetensors/,
      ],
      // Without its provider libraries, cuda fails before training and names the fix.
      [
        "train",
        ["lm1", "--device", "cuda", "--out", `${dir}/cuda`],
        1,
        /^error: .*run deno task setup:cuda/m,
      ],
      [
        "train",
        ["lm1", "--device", "webgpu", "--device-id", "1"],
        2,
        /^error: --device-id picks one of several CUDA GPUs: it does not apply to --device webgpu$/m,
      ],
    ];
    for (const [name, args, code, message] of cases) {
      const r = await tool(name, args);
      assert.equal(r.code, code, `${name} ${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message, `${name} ${args.join(" ")}`);
      assert.doesNotMatch(r.stderr, /--allow-all|os error|\n\s+at /);
    }
    // A device that cannot start leaves no directory behind.
    assert.equal(await exists(`${dir}/cuda`), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("export refuses a checkpoint whose shapes are wrong or whose weights are not finite", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-exp-" });
  try {
    const run = `${dir}/run`;
    assert.equal((await tool("train", ["lm1", "--epochs", "1", "--out", run])).code, 0);
    const path = `${run}/checkpoint.safetensors`;
    const good = decodeCheckpoint(await Deno.readFile(path));
    const w = good.tensors.get("h_o.weight")!;
    const edits: [string, ReturnType<typeof tensor>, RegExp][] = [
      [
        "transposed",
        tensor("float32", [...w.dims].reverse(), w.data as Float32Array),
        /tensor "h_o\.weight" is float32\[64, 30\], the run's model needs float32\[30, 64\]/,
      ],
      [
        "NaN",
        tensor(
          "float32",
          w.dims,
          Float32Array.from(w.data as Float32Array, (v, i) => i === 7 ? NaN : v),
        ),
        /tensor "h_o\.weight" holds 1 NaN\/Inf value of 1,920: the run diverged; nothing is exported/,
      ],
    ];
    for (const [what, t, message] of edits) {
      const tensors = new Map(good.tensors);
      tensors.set("h_o.weight", t);
      await Deno.writeFile(path, encodeCheckpoint({ tensors, meta: good.meta }));
      const r = await tool("export", [run, "--out", `${dir}/export`]);
      assert.equal(r.code, 1, what);
      assert.match(r.stderr, message, what);
      assert.equal(await exists(`${dir}/export/lm1.onnx`), false, what);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repro checks --out before training, keeps each seed in a .jsonl and skips seeds done", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-repro-" });
  try {
    const unknown = await tool("repro", ["--models", "lm9"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^error: --models: Unknown model "lm9"/m);
    const toDir = await tool("repro", ["--models", "lm1", "--out", dir]);
    assert.equal(toDir.code, 1);
    assert.match(toDir.stderr, /^error: --out .* is a directory, not a file$/m);
    assert.doesNotMatch(toDir.stderr, /seed 0/, "refused before any training");

    const out = `${dir}/R.md`;
    const first = await tool("repro", ["--models", "lm1", "--seeds", "1", "--out", out]);
    assert.equal(first.code, 0, first.stderr);
    const lines = (await Deno.readTextFile(`${dir}/R.jsonl`)).trim().split("\n");
    assert.equal(lines.length, 1);
    assert.equal(JSON.parse(lines[0]).cpu, cpuModel());
    const again = await tool("repro", ["--models", "lm1", "--seeds", "1", "--out", out]);
    assert.match(again.stderr, /lm1 seed 0: already in .*R\.jsonl/);
    assert.equal(again.stdout, first.stdout);
    // Aliases name models as train's do: "lstm" is lm6, found done here without training.
    const lm6 = {
      ...JSON.parse(lines[0]),
      model: "lm6",
      recipe: JSON.stringify(findModel("lm6").recipe),
    };
    // A kill mid-append leaves a torn last line: it is skipped, and the next result goes on a
    // line of its own.
    await Deno.writeTextFile(`${dir}/R.jsonl`, JSON.stringify(lm6) + "\n{torn", { append: true });
    const alias = await tool("repro", ["--models", "lstm,lm2", "--seeds", "1", "--out", out]);
    assert.equal(alias.code, 0, alias.stderr);
    assert.match(alias.stderr, /lm6 seed 0: already in/);
    assert.match(alias.stderr, /warning: .*R\.jsonl line 3 is not a result; ignoring it/);
    const after = (await Deno.readTextFile(`${dir}/R.jsonl`)).split("\n");
    assert.equal(after[2], "{torn");
    assert.equal(JSON.parse(after[3]).model, "lm2");
    // A result of another recipe is kept in the file but not reused.
    const changed = { ...JSON.parse(lines[0]), recipe: "{}" };
    await Deno.writeTextFile(`${dir}/S.jsonl`, JSON.stringify(changed) + "\n");
    const other = await tool("repro", ["--models", "lm1", "--seeds", "1", "--out", `${dir}/S.md`]);
    assert.doesNotMatch(other.stderr, /already in/);
    assert.equal((await Deno.readTextFile(`${dir}/S.jsonl`)).trim().split("\n").length, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--device auto says what it chose and why it skipped the others", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-auto-" });
  try {
    const r = await tool("train", [
      "lm1",
      "--device",
      "auto",
      "--epochs",
      "1",
      "--out",
      `${dir}/run`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const line = /^--device auto chose (cpu|cuda|webgpu)(?: \(skipped (.*)\))?$/m.exec(r.stderr);
    assert.ok(line, r.stderr);
    // Every device before the chosen one in the order cuda, webgpu, cpu is named with a reason.
    const before = ["cuda", "webgpu", "cpu"].slice(0, ["cuda", "webgpu", "cpu"].indexOf(line[1]));
    for (const d of before) assert.match(line[2] ?? "", new RegExp(`${d}: \\S`));
    const meta = JSON.parse((await Deno.readTextFile(`${dir}/run/metrics.jsonl`)).split("\n")[0]);
    assert.ok(meta.cpu);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bench checks every configuration name before timing any", async () => {
  const r = await tool("bench", ["lm1", "lm9", "--no-record"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^error: unknown configuration "lm9": expected one of lm1, .*lstm-h1024/m);
  assert.equal(r.stdout, "");
});
