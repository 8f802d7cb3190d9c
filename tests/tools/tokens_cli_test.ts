/**
 * Issue 22's tokens through the CLIs: word mode's line breaks survive `deno task train` and
 * `deno task generate`; `--rules fastai` and `--ext` are recorded by the run, re-read on
 * `--resume`, and undone when generated tokens are joined; bad values get one line each.
 *
 * @module
 */

import assert from "node:assert/strict";
import { joinTokens, splitText } from "../../src/data/tokenizer.ts";
import { mulberry32 } from "../../src/generate/sampling.ts";
import { loadRun } from "../../tools/lib/run/run_dir.ts";
import { runTool } from "../helpers/cli.ts";

/** Lines of a small grammar, from a seed: "the cat sat on a mat." (capitalized: "The"). */
function lines(n: number, seed: number, capitalize = false): string {
  const r = mulberry32(seed);
  const pick = (xs: string[]) => xs[Math.floor(r() * xs.length)];
  return Array.from({ length: n }, () => {
    const line = [
      pick(["the", "a"]),
      pick(["cat", "dog", "bird"]),
      pick(["sat", "ran", "slept"]),
      pick(["on", "under"]),
      pick(["the", "a"]),
      pick(["mat", "tree", "house"]) + ".",
    ].join(" ");
    return capitalize ? line[0].toUpperCase() + line.slice(1) : line;
  }).join("\n");
}

const SMALL = ["--hidden", "32", "--bs", "16", "--epochs", "2"];

Deno.test("word mode: line breaks survive train and generate, and tokenize then join gives the lines back", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-lines-" });
  try {
    const text = lines(1200, 7);
    const spec = { mode: "word", lower: false, lines: true } as const;
    assert.equal(joinTokens(splitText(text, spec), spec), text);

    await Deno.writeTextFile(`${dir}/lines.txt`, text);
    const run = `${dir}/run`;
    const trained = await runTool("train", [
      "lm7",
      "--text",
      `${dir}/lines.txt`,
      ...SMALL,
      "--out",
      run,
    ]);
    assert.equal(trained.code, 0, trained.stderr);
    const { meta } = await loadRun(run, "test");
    assert.deepEqual(meta.tokenizer, {
      mode: "word",
      lower: false,
      lines: true,
      specials: ["xxunk", "xxbos"],
    });
    assert.ok(meta.vocab.includes("\n"));

    // Every "." ends a line in the text, so greedy generation breaks lines after it.
    const g = await runTool("generate", [
      run,
      "--prompt",
      "the cat sat",
      "--n",
      "24",
      "--temperature",
      "0",
    ]);
    assert.equal(g.code, 0, g.stderr);
    const out = g.stdout.slice(0, -1); // generate ends its output with one "\n" of its own
    const generated = out.split("\n");
    assert.ok(generated.length >= 3, JSON.stringify(out));
    // Real lines: no space next to a break, each full line a sentence of the grammar.
    for (const line of generated.slice(1, -1)) {
      assert.match(
        line,
        /^(the|a) (cat|dog|bird) (sat|ran|slept) (on|under) (the|a) (mat|tree|house)\.$/,
      );
    }
    assert.match(generated[0], /^ (on|under) (the|a) \w+\.$/);

    // A prompt that ends with a line break: the continuation starts the next line.
    const next = await runTool("generate", [
      run,
      "--prompt",
      "the cat sat on a mat .\n",
      "--n",
      "3",
      "--temperature",
      "0",
    ]);
    assert.equal(next.code, 0, next.stderr);
    assert.match(next.stdout, /^(the|a) (cat|dog|bird) (sat|ran|slept)\n$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--rules fastai and --ext: recorded by the run, re-read on --resume, undone in generate", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-rules-" });
  try {
    const folder = `${dir}/corpus`;
    await Deno.mkdir(folder);
    await Deno.writeTextFile(`${folder}/a.md`, lines(700, 1, true));
    await Deno.writeTextFile(`${folder}/b.txt`, lines(700, 2, true));
    await Deno.writeTextFile(`${folder}/c.rst`, "Zebra zebra zebra\n".repeat(50)); // not read
    const run = `${dir}/run`;
    const args = ["--text", folder, "--ext", ".md,.txt", "--rules", "fastai"];
    const trained = await runTool("train", ["lm7", ...args, ...SMALL, "--out", run]);
    assert.equal(trained.code, 0, trained.stderr);
    assert.match(trained.stderr, /read 2 files from --text .*: a\.md, b\.txt/);
    const { meta } = await loadRun(run, "test");
    assert.deepEqual(meta.tokenizer, {
      mode: "word",
      lower: true, // fastai's rules end by lower-casing
      lines: true,
      rules: "fastai",
      specials: ["xxunk", "xxbos", "xxrep", "xxwrep", "xxup", "xxmaj"],
    });
    assert.ok(meta.corpus.kind === "text" && meta.corpus.ext?.join() === ".md,.txt");
    assert.ok(!meta.vocab.includes("zebra") && !meta.vocab.includes("The"));

    // A line starts "xxmaj the" or, as fastai marks no one-letter word, "a": generated lines
    // start with "The" again.
    const g = await runTool("generate", [
      run,
      "--prompt",
      "The cat sat",
      "--n",
      "30",
      "--temperature",
      "0",
    ]);
    assert.equal(g.code, 0, g.stderr);
    assert.doesNotMatch(g.stdout, /xx(maj|up|rep|wrep)/);
    const generated = g.stdout.slice(0, -1).split("\n");
    assert.ok(generated.length >= 3, JSON.stringify(g.stdout));
    for (const line of generated.slice(1, -1)) assert.match(line, /^(The|a) [a-z]+ [a-z]+ /);

    // --resume reads the same files (the .rst stays out), so the text is unchanged.
    const resumed = await runTool("train", ["lm7", "--resume", "--out", run]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /already finished its 2 epochs/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--rules and --ext: a bad value gets one line naming the flag", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-bad-tokens-" });
  try {
    await Deno.mkdir(`${dir}/md`);
    await Deno.writeTextFile(`${dir}/md/a.md`, lines(50, 3));
    const text = ["--text", `${dir}/md`];
    const cases: [string[], number, RegExp][] = [
      [
        [...text, "--ext", "md"],
        2,
        /^error: --ext must be file endings separated by commas, each starting with "\." \(e\.g\. \.md,\.txt\): got "md" \("md"\)$/,
      ],
      [[...text, "--ext", ".md,"], 2, /^error: --ext must be .*: got "\.md," \(an empty ending\)$/],
      [
        [...text, "--ext", ".rst"],
        1,
        /^error: --text .*md: the folder has no \.rst file \(searched recursively\)$/,
      ],
      [
        [...text],
        1,
        /^error: --text .*md: the folder has no \.txt file \(searched recursively; --ext names other endings\)$/,
      ],
      [["--ext", ".md"], 2, /^error: --ext needs --text PATH/],
      [[...text, "--rules", "spacy"], 2, /^error: --rules must be fastai: got "spacy"$/],
      [
        [...text, "--rules", "fastai", "--tokens", "char"],
        2,
        /^error: --rules fastai needs --tokens word \(its markers mark words\): got --tokens char$/,
      ],
      [
        [...text, "--ext", ".md", "--rules", "fastai", "--max-vocab", "6"],
        2,
        /^error: --max-vocab must be at least 7, room for the specials xxunk and xxbos and xxrep and xxwrep and xxup and xxmaj and one token: got 6$/,
      ],
    ];
    for (const [args, code, message] of cases) {
      const r = await runTool("train", ["lm7", ...args, "--out", `${dir}/run`]);
      assert.equal(r.code, code, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr.trim(), message, args.join(" "));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
