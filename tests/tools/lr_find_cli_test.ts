import assert from "node:assert/strict";
import { ROOT, runTool, taskPermissions } from "../helpers/cli.ts";

const lrFind = (args: string[]) => runTool("lr_find", args);

/** Runs `deno task lr-find` in `cwd`, as a user in another folder would. */
async function lrFindIn(cwd: string, args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...taskPermissions("lr_find"), `${ROOT}tools/lr_find.ts`, ...args],
    cwd,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("lr-find lm6: suggests an lr between 1e-3 and 1e-1, writes its SVG and nothing else", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-lr-find-" });
  try {
    const r = await lrFindIn(dir, ["lm6", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.model, "lm6");
    const { valley, minimum, steep } = out.suggestions;
    // On lm6 the smoothed loss falls until the sweep's last tenth, so valley lands near the
    // sweep's geometric middle (1e-3 at step 50): seed 42 gives exactly 1e-3 on an AMD EPYC, and
    // a CPU that rounds otherwise may move it one step (x1.2). The suggestion asked for is
    // judged on the median of three seeds (1.7e-3 here), each seed within one step of the range.
    const valleys = [valley];
    for (const seed of ["1", "2"]) {
      const other = await lrFindIn(dir, ["lm6", "--json", "--seed", seed, "--svg", `s${seed}.svg`]);
      assert.equal(other.code, 0, other.stderr);
      valleys.push(JSON.parse(other.stdout).suggestions.valley);
      await Deno.remove(`${dir}/s${seed}.svg`);
    }
    const median = [...valleys].sort((a, b) => a - b)[1];
    assert.ok(median >= 1e-3 && median <= 1e-1, `valleys ${valleys}`);
    const step = 10 ** (8 / 100);
    for (const v of valleys) assert.ok(v >= 1e-3 / step && v <= 1e-1 * step, `valleys ${valleys}`);
    // The others are fastai's too; on this curve they lie within a decade of that range.
    for (const lr of [minimum, steep]) assert.ok(lr >= 1e-4 && lr <= 1, `${lr}`);
    assert.ok(out.points.length > 20 && out.points.length <= 100);
    assert.equal(out.points[0].lr, 1e-7);
    assert.equal(out.end === "done", out.points.length === 100);
    // The default plot, in the current folder; no run folder, nothing else.
    const files = [];
    for await (const e of Deno.readDir(dir)) files.push(e.name);
    assert.deepEqual(files, ["lr_find_lm6.svg"]);
    assert.equal(out.svg, "lr_find_lm6.svg");
    const svg = await Deno.readTextFile(`${dir}/lr_find_lm6.svg`);
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, />lm6: lr_find</);
    const marks = [...svg.matchAll(/<title>(\w+): ([\d.e-]+)<\/title>/g)];
    assert.deepEqual(marks.map((m) => m[1]), ["valley", "minimum", "steep"]);
    assert.ok(Math.abs(Number(marks[0][2]) / valley - 1) < 0.01);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lr-find: the terminal sketch and fastai's SuggestedLRs line", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-lr-find-" });
  try {
    const svg = `${dir}/plot.svg`;
    const r = await lrFind(["lm4", "--num-it", "40", "--svg", svg, "--seed", "1"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^lm4: lr_find from 1e-7 to 10, 40 steps$/m);
    assert.match(r.stdout, /^SuggestedLRs\(valley=[\d.e-]+, minimum=[\d.e-]+, steep=[\d.e-]+\)$/m);
    assert.match(r.stdout, /^ +[\d.]+ \|[ *vms]{60}$/m); // the plot's top row
    assert.match(r.stdout, /v = valley [\d.e-]+, m = minimum [\d.e-]+, s = steep [\d.e-]+/);
    assert.match(r.stdout, new RegExp(`^plot: ${svg}; \\d+ steps in [\\d.]+ s$`, "m"));
    assert.ok((await Deno.stat(svg)).isFile);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lr-find: train's flags that do not apply and bad values get one clear line", async () => {
  const cases: [string[], number, string][] = [
    [
      ["lm6", "--epochs", "3"],
      2,
      "error: --epochs does not apply to lr-find: the sweep runs --num-it steps",
    ],
    [
      ["lm6", "--lr", "0.1"],
      2,
      "error: --lr does not apply to lr-find: the sweep sets the lr at every step (--start-lr, --end-lr)",
    ],
    [
      ["lm6", "--out", "runs/x"],
      2,
      "error: --out does not apply to lr-find: lr-find writes no run directory (--svg names the plot)",
    ],
    [
      ["lm6", "--resume"],
      2,
      "error: --resume does not apply to lr-find: lr-find starts from the seed's initial weights",
    ],
    [["lm6", "--num-it", "5"], 2, `error: --num-it must be an integer from 6 to 100000: got "5"`],
    [
      ["lm6", "--start-lr", "1", "--end-lr", "0.5"],
      2,
      "error: --end-lr must be above --start-lr 1: got 0.5",
    ],
    [["lm6", "--svg", "plot.png"], 2, `error: --svg must name an .svg file: got "plot.png"`],
    [
      ["lm6", "--svg", ".tmp/no/such/dir/p.svg"],
      1,
      "error: --svg .tmp/no/such/dir: no such file or directory",
    ],
    [["lm9"], 2, `error: Unknown model "lm9"`],
  ];
  for (const [args, code, message] of cases) {
    const r = await lrFind(args);
    assert.equal(r.code, code, `${args.join(" ")}: ${r.stderr}`);
    assert.ok(r.stderr.startsWith(message), `${args.join(" ")}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\n\s+at /); // no stack trace
  }
});
