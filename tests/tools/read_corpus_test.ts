import assert from "node:assert/strict";
import { readCorpus } from "../../tools/lib/run/read_corpus.ts";

const split = { mode: "word", lower: false } as const;
const limits = { minFreq: 1, maxVocab: 1000 };

/** Reads `text` (and `valid`) as `deno task train` does, collecting the notes. */
async function notesOf(text: string, valid?: string) {
  const notes: string[] = [];
  const { corpus } = await readCorpus({
    text,
    ...(valid ? { valid } : {}),
    validPct: 0.5,
    split,
    limits,
    progress: false,
    note: (line) => notes.push(line),
  });
  return { notes, corpus };
}

Deno.test("readCorpus() says which files a folder gave, and names a link that leaves it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-read-" });
  try {
    const folder = `${dir}/corpus`;
    await Deno.mkdir(`${folder}/sub`, { recursive: true });
    await Deno.writeTextFile(`${folder}/a.txt`, "one two three . ".repeat(10));
    await Deno.writeTextFile(`${folder}/sub/b.txt`, "four five . ".repeat(10));
    await Deno.writeTextFile(`${dir}/secret.txt`, "root x 0 0 . ".repeat(10));
    await Deno.symlink(`${dir}/secret.txt`, `${folder}/c.txt`);
    await Deno.symlink(`${folder}/a.txt`, `${folder}/d.txt`); // inside: no note
    const { notes } = await notesOf(`${folder}/`);
    const real = await Deno.realPath(`${dir}/secret.txt`);
    assert.deepEqual(notes, [
      `read 4 files from --text ${folder}/ (570 B): a.txt, c.txt, d.txt, sub/b.txt`,
      `note: ${folder}/c.txt is a link to ${real}, outside ${folder}/: read as text all the ` +
      `same (remove the link if that file is not meant to be trained on)`,
    ]);

    // Many files are counted, not named; a single file says nothing.
    await Deno.mkdir(`${dir}/many`);
    for (let i = 0; i < 6; i++) await Deno.writeTextFile(`${dir}/many/${i}.txt`, "x y . ");
    assert.deepEqual((await notesOf(`${dir}/many`)).notes, [
      `read 6 files from --text ${dir}/many (36 B)`,
    ]);
    assert.deepEqual((await notesOf(`${folder}/a.txt`)).notes, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readCorpus() cuts words past 100 characters and says how many, even megabytes long", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-read-" });
  try {
    const long = "a".repeat(3_000_000); // three 1 MiB chunks without whitespace
    await Deno.writeTextFile(
      `${dir}/t.txt`,
      // The words first: the vocabulary comes from the first half (validPct 0.5).
      `${long} ${"b".repeat(101)} ${"c".repeat(100)} end . ${"the cat sat . ".repeat(20)}`,
    );
    const { notes, corpus } = await notesOf(`${dir}/t.txt`);
    assert.deepEqual(notes, [
      "note: 2 words longer than 100 characters were cut to their first 100 (a run of letters " +
      "that long is no word: text without spaces reads better as --tokens char)",
    ]);
    assert.ok(corpus.vocab.includes("a".repeat(100)));
    assert.ok(corpus.vocab.includes("c".repeat(100)));
    assert.ok(corpus.vocab.every((t) => t.length <= 100));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
