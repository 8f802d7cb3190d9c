/**
 * One's own text through the CLIs: two corpora made here (a char-level one and a word-level
 * one, each with a structure we know) are trained with `deno task train --text`, continued with
 * `deno task generate`, exported, and every bad input gets its one-line message.
 *
 * @module
 */

import assert from "node:assert/strict";
import { loadRun } from "../../tools/lib/run/run_dir.ts";
import { runTool } from "../helpers/cli.ts";
import { type Grammar, grammarText } from "../helpers/grammar_text.ts";

/** The grammar these tests were written with: three nouns, three places. */
const NARROW: Grammar = { nouns: ["cat", "dog", "bird"], places: ["mat", "tree", "house"] };

const tool = runTool;

async function lastRecord(dir: string): Promise<{ accuracy: number }> {
  const lines = (await Deno.readTextFile(`${dir}/metrics.jsonl`)).trim().split("\n");
  return JSON.parse(lines.at(-1)!);
}

/** Lines that count up in words, wrapping at 6 ("one two three ... six . one two ..."). */
function countingText(lines: number): string {
  const words = ["one", "two", "three", "four", "five", "six"];
  return Array.from({ length: lines }, (_, i) => words.slice(0, 1 + (i % 6)).join(" ") + " .")
    .join("\n");
}

Deno.test("own text, char level: a folder trains far above the baseline and generates its text", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-char-" });
  try {
    // Three files of the counting text; validation is the last file.
    await Deno.mkdir(`${dir}/corpus/part`, { recursive: true });
    const text = countingText(600);
    await Deno.writeTextFile(`${dir}/corpus/a.txt`, text);
    await Deno.writeTextFile(`${dir}/corpus/part/b.txt`, text);
    await Deno.writeTextFile(`${dir}/corpus/c.txt`, text);
    await Deno.writeTextFile(`${dir}/corpus/notes.md`, "not read: not a .txt file");
    const run = `${dir}/run`;
    const trained = await tool("train", [
      "lm6",
      "--text",
      `${dir}/corpus`,
      "--tokens",
      "char",
      "--hidden",
      "48",
      "--sl",
      "32",
      "--epochs",
      "4",
      "--lr",
      "0.01",
      "--out",
      run,
    ]);
    assert.equal(trained.code, 0, trained.stderr);
    assert.match(trained.stdout, /in 2 \+ 1 files/);
    const baseline = Number(/Baseline \(always predict " "\): ([\d.]+)/.exec(trained.stdout)![1]);
    const { accuracy } = await lastRecord(run);
    assert.ok(
      accuracy > 0.7 && accuracy > 3 * baseline,
      `accuracy ${accuracy}, baseline ${baseline}`,
    );

    // Greedy continuation of the counting pattern: after "one two three" comes " four".
    const greedy = await tool("generate", [
      run,
      "--prompt",
      "one two three",
      "--n",
      "5",
      "--temperature",
      "0",
    ]);
    assert.equal(greedy.code, 0, greedy.stderr);
    assert.equal(greedy.stdout, " four\n");
    const greedy0 = await tool("generate", [
      run,
      "--prompt",
      "one two three",
      "--n",
      "5",
      "--temperature",
      "0.0",
    ]);
    assert.equal(greedy0.stdout, greedy.stdout);
    assert.match(greedy0.stderr, /5 tokens, greedy/);
    // Sampling repeats with a seed, and only the corpus's characters come out.
    const args = [run, "--prompt", "one", "--n", "40", "--seed", "5", "--top-k", "3"];
    const [a, b] = [await tool("generate", args), await tool("generate", args)];
    assert.equal(a.stdout, b.stdout);
    assert.match(a.stdout, /^[a-z .\n]+$/);

    // The export carries the tokenizer; generating from it gives the run's text.
    const exported = await tool("export", [run, "--out", `${dir}/export`, "--name", "counting"]);
    assert.equal(exported.code, 0, exported.stderr);
    const sidecar = JSON.parse(await Deno.readTextFile(`${dir}/export/counting.json`));
    assert.deepEqual(sidecar.tokenizer, {
      mode: "char",
      lower: false,
      specials: ["xxunk", "xxbos"],
    });
    assert.equal(sidecar.arch.hidden, 48);
    const fromExport = await tool("generate", [`${dir}/export/counting.onnx`, ...args.slice(1)]);
    assert.equal(fromExport.stdout, a.stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("own text, word level: trains far above the baseline, resumes only on the same text", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-word-" });
  try {
    const file = `${dir}/grammar.txt`;
    await Deno.writeTextFile(file, grammarText(3000, 1, NARROW));
    const run = `${dir}/run`;
    const trained = await tool("train", [
      "lm7",
      "--text",
      file,
      "--hidden",
      "32",
      "--bs",
      "32",
      "--epochs",
      "3",
      "--out",
      run,
      "--json",
    ]);
    assert.equal(trained.code, 0, trained.stderr);
    const summary = JSON.parse(trained.stdout.trim().split("\n").at(-1)!);
    const baseline = Number(/Baseline \(always predict "\S+"\): ([\d.]+)/.exec(trained.stderr)![1]);
    // Half the grammar's words are a free choice of 2 or 3, so ~0.55 is near the best possible.
    assert.ok(summary.final_accuracy > 0.45 && summary.final_accuracy > 2.5 * baseline);

    // The text after "sat" is always "on" or "under": greedy picks one of them.
    const g = await tool("generate", [
      run,
      "--prompt",
      "The cat sat",
      "--n",
      "1",
      "--temperature",
      "0",
    ]);
    assert.equal(g.code, 0, g.stderr);
    assert.match(g.stdout, /^ (on|under)\n$/);
    const unk = await tool("generate", [
      run,
      "--prompt",
      "the zebra sat",
      "--n",
      "3",
      "--seed",
      "1",
    ]);
    assert.match(unk.stderr, /note: "zebra" became xxunk/);
    const none = await tool("generate", [run, "--prompt", "zebra yak", "--n", "3"]);
    assert.equal(none.code, 2);
    assert.match(
      none.stderr,
      /^error: --prompt "zebra yak": lm7 knows none of the prompt.s tokens/m,
    );

    // --resume re-reads the text and refuses it once it changed.
    const done = await tool("train", ["lm7", "--resume", "--out", run]);
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, /already finished its 3 epochs/);
    await Deno.writeTextFile(file, grammarText(3000, 2, NARROW));
    const changed = await tool("train", ["lm7", "--resume", "--out", run]);
    assert.equal(changed.code, 1);
    assert.match(changed.stderr, /the text changed since the run started/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("own text: --valid files are the validation set, --lower folds case, the run records both", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-valid-" });
  try {
    await Deno.writeTextFile(`${dir}/train.txt`, grammarText(1500, 4, NARROW).toUpperCase());
    await Deno.writeTextFile(`${dir}/valid.txt`, grammarText(300, 5, NARROW));
    const run = `${dir}/run`;
    const r = await tool("train", [
      "gru",
      "--text",
      `${dir}/train.txt`,
      "--valid",
      `${dir}/valid.txt`,
      "--lower",
      "--hidden",
      "16",
      "--layers",
      "1",
      "--epochs",
      "1",
      "--out",
      run,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const { meta, checkpoint } = await loadRun(run, "test");
    assert.equal(meta.corpus.kind, "text");
    if (meta.corpus.kind !== "text") return;
    assert.equal(meta.corpus.valid, `${dir}/valid.txt`);
    assert.deepEqual(meta.corpus.files, { train: 1, valid: 1 });
    // xxbos + 7 tokens a sentence + a "\n" between two lines
    assert.equal(meta.corpus.tokens.valid, 300 * 7 + 299 + 1);
    assert.deepEqual(meta.tokenizer, {
      mode: "word",
      lower: true,
      lines: true,
      specials: ["xxunk", "xxbos"],
    });
    assert.ok(meta.vocab.includes("cat") && !meta.vocab.includes("CAT"));
    assert.deepEqual(meta.arch, {
      vocabSize: meta.vocab.length,
      hidden: 16,
      layers: 1,
      dropout: 0,
      tied: false,
    });
    // The weights have the run's sizes: 3 gates x 16 hidden rows.
    assert.deepEqual(checkpoint.tensors.get("rnn.weight_hh_l0")!.dims, [48, 16]);
    const both = await tool("train", [
      "gru",
      "--text",
      `${dir}/train.txt`,
      "--valid",
      `${dir}/valid.txt`,
      "--valid-pct",
      "0.2",
      "--out",
      `${dir}/r2`,
    ]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--valid-pct cannot be combined with --valid/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("own text: a 3,000-token text trains with default settings, on fewer validation rows", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-short-" });
  try {
    // 375 lines of 7 tokens, 374 line breaks and the xxbos: 3,000 tokens.
    const text = grammarText(375, 11, NARROW);
    await Deno.writeTextFile(`${dir}/short.txt`, text);
    const run = `${dir}/run`;
    const r = await tool("train", ["lm6", "--text", `${dir}/short.txt`, "--out", run]);
    assert.equal(r.code, 0, r.stderr);
    // 2,700 training tokens make 168 rows of 16: 2 batches of 64; 300 validation tokens make 18.
    assert.match(r.stdout, /2 train \/ 1 valid batches/);
    assert.match(
      r.stderr,
      /^note: only 2 training batches per epoch, so the one-cycle schedule takes few steps; --bs 16 gives 10 per epoch$/m,
    );
    assert.match(
      r.stderr,
      /^note: the validation text has 300 tokens: validating on 18 rows of 16 tokens$/m,
    );
    const { meta } = await loadRun(run, "test");
    assert.equal(meta.recipe.batchSize, 64);
    assert.equal(meta.learner.history.length, 15);
    const baseline = Number(/Baseline \(always predict .*\): ([\d.]+)/.exec(r.stdout)![1]);
    // The grammar's fixed word order is learnable: far above always predicting one token.
    assert.ok((await lastRecord(run)).accuracy > baseline + 0.2, r.stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("own text: every bad input gets one line naming the flag or file, and leaves no run", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-bad-" });
  try {
    await Deno.writeTextFile(`${dir}/empty.txt`, "");
    await Deno.mkdir(`${dir}/no-txt`);
    await Deno.writeTextFile(`${dir}/no-txt/a.md`, "words");
    await Deno.writeFile(`${dir}/latin1.txt`, new Uint8Array([0x61, 0x62, 0x20, 0xe9, 0x74, 0xe9]));
    // 14 tokens with xxbos: 13 for training, 1 for validation, too few for one sample.
    await Deno.writeTextFile(`${dir}/short.txt`, "the cat sat on the mat . a dog ran under a tree");
    await Deno.writeTextFile(`${dir}/tiny.txt`, "cat"); // xxbos cat
    await Deno.mkdir(`${dir}/linked`);
    await Deno.writeTextFile(`${dir}/linked/a.txt`, grammarText(400, 6, NARROW));
    await Deno.symlink(`${dir}/nowhere.txt`, `${dir}/linked/b.txt`);
    await Deno.writeTextFile(`${dir}/ok.txt`, grammarText(400, 3, NARROW));
    const run = `${dir}/run`;
    const cases: [string[], number, RegExp][] = [
      [
        ["--text", `${dir}/missing.txt`],
        1,
        /^error: --text .*missing\.txt: no such file or folder$/,
      ],
      [["--text", `${dir}/empty.txt`], 1, /^error: --text .*empty\.txt: the file is empty$/],
      [["--text", `${dir}/no-txt`], 1, /^error: --text .*no-txt: the folder has no \.txt file/],
      [
        ["--text", `${dir}/latin1.txt`],
        1,
        /^error: --text .*latin1\.txt: not valid UTF-8 at byte 3 /,
      ],
      [
        ["--text", `${dir}/short.txt`, "--min-freq", "1"],
        2,
        /^error: the validation text has 1 token, too few for one sample: at least 3 are needed \(the last 0\.1 of .*short\.txt; raise --valid-pct or pass --valid\)$/,
      ],
      [
        ["--text", `${dir}/ok.txt`, "--valid", `${dir}/tiny.txt`],
        2,
        /^error: the validation text has 2 tokens, too few for one sample: at least 3 are needed \(.*tiny\.txt\)$/,
      ],
      [
        ["--text", `${dir}/ok.txt`, "--max-vocab", "1"],
        2,
        /^error: --max-vocab must be at least 3, room for the specials xxunk and xxbos and one token: got 1$/,
      ],
      [
        ["--text", `${dir}/ok.txt`, "--max-vocab", "2"],
        2,
        /^error: --max-vocab must be at least 3, room for the specials xxunk and xxbos and one token: got 2$/,
      ],
      [
        ["--text", `${dir}/ok.txt`, "--tokens", "bpe"],
        2,
        /^error: --tokens must be one of word, char: got "bpe"$/,
      ],
      [["--tokens", "char"], 2, /^error: --tokens needs --text PATH/],
      [
        ["--text", `${dir}/ok.txt`, "--valid", `${dir}/ok.txt`],
        2,
        /^error: --valid .*ok\.txt: .*ok\.txt is also training text/,
      ],
      [
        ["--text", `${dir}/ok.txt`, "--valid", `${dir}/empty.txt`],
        1,
        /^error: --valid .*empty\.txt: the file is empty$/,
      ],
      [
        ["--text", `${dir}/ok.txt`, "--min-freq", "100000"],
        2,
        /^error: --min-freq 100000: no token of --text .* occurs that often/,
      ],
      [
        ["--text", "/dev/null"],
        1,
        /^error: --text \/dev\/null: a character device, not a regular file or folder$/,
      ],
      [
        ["--text", `${dir}/linked`],
        1,
        /^error: --text .*linked: cannot read .*b\.txt: a link to a file that does not exist$/,
      ],
    ];
    for (const [args, code, message] of cases) {
      const r = await tool("train", ["lm6", ...args, "--out", run]);
      const line = r.stderr.trim().split("\n")[0];
      assert.equal(r.code, code, `${args.join(" ")}: ${r.stderr}`);
      assert.match(line, message, args.join(" "));
      assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
      assert.equal(await Deno.stat(run).then(() => true, () => false), false, "no run directory");
    }
    const file = await tool("train", ["lm1", "--out", `${dir}/ok.txt`]);
    assert.equal(file.code, 1);
    assert.match(file.stderr, /^error: --out .*ok\.txt is a file, not a directory$/m);
    const tar = await tool("train", ["lm7", "--sl", "1", "--out", run]);
    assert.equal(tar.code, 2);
    assert.match(
      tar.stderr,
      /^error: --sl must be at least 2 for lm7 \(TAR compares consecutive time steps\): got 1$/m,
    );
    const sized = await tool("train", ["lm4", "--layers", "3", "--out", run]);
    assert.equal(sized.code, 2);
    assert.match(
      sized.stderr,
      /^error: --layers does not apply to lm4: it is the book's single-layer RNN/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
