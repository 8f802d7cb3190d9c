import assert from "node:assert/strict";
import { joinTokens, MAX_WORD, splitText, StreamSplitter } from "../../src/data/tokenizer.ts";
import { mulberry32 } from "../../src/generate/sampling.ts";

const word = { mode: "word", lower: false } as const;
const char = { mode: "char", lower: false } as const;
const lines = { mode: "word", lower: false, lines: true } as const;
const rules = { mode: "word", lower: true, lines: true, rules: "fastai" } as const;

Deno.test("splitText() keeps letters, digits and combining marks in words, splits punctuation", () => {
  assert.deepEqual(splitText("Hello, world! It's 2026.", word), [
    "Hello",
    ",",
    "world",
    "!",
    "It",
    "'",
    "s",
    "2026",
    ".",
  ]);
  // "q" + U+0301 COMBINING ACUTE (no precomposed form) stays one word; CJK and Cyrillic
  // letters are letters.
  assert.deepEqual(splitText("q\u0301x 東京 привет…", word), ["q\u0301x", "東京", "привет", "…"]);
  // NFC: "é" typed as one code point and as "e" + U+0301 are the same token.
  assert.deepEqual(splitText("caf\u00e9 cafe\u0301", word), ["caf\u00e9", "caf\u00e9"]);
  assert.deepEqual(splitText("cafe\u0301", char), ["c", "a", "f", "\u00e9"]);
  // A symbol keeps its variation selector and zero-width-joined partners.
  assert.deepEqual(splitText("I ❤️ 👨‍👩‍👧!", word), ["I", "❤️", "👨‍👩‍👧", "!"]);
  assert.deepEqual(splitText("a--b  \n\t c", word), ["a", "-", "-", "b", "c"]);
  assert.deepEqual(splitText("ÉTÉ Été", { mode: "word", lower: true }), ["été", "été"]);
  assert.deepEqual(splitText("", word), []);
});

Deno.test("splitText() in char mode gives one token per code point, newlines included", () => {
  assert.deepEqual(splitText("a😀\nb", char), ["a", "😀", "\n", "b"]); // 😀 is 2 UTF-16 units
  assert.deepEqual(splitText("Ab", { mode: "char", lower: true }), ["a", "b"]);
});

Deno.test("StreamSplitter gives the same tokens however the text is cut into chunks", () => {
  const text = "Naïve cafe\u0301s, 東京の夜 — 😀😀 and more words; x1 y22 zzz.\nEnd\r\n\r\n" +
    "GO go go go. Ah ah ah ah\rwow!!!! THE END \r";
  for (const spec of [word, char, lines, rules]) {
    const whole = splitText(text, spec);
    const random = mulberry32(7);
    for (let trial = 0; trial < 50; trial++) {
      const s = new StreamSplitter(spec);
      const got: string[] = [];
      const units = Array.from(text); // cut between code points, as TextDecoder does
      let i = 0;
      while (i < units.length) {
        const n = 1 + Math.floor(random() * 6);
        got.push(...s.push(units.slice(i, i + n).join("")));
        i += n;
      }
      got.push(...s.end());
      assert.deepEqual(got, whole, `${spec.mode}, trial ${trial}`);
    }
  }
});

Deno.test("StreamSplitter cuts long runs without whitespace at safe points, same tokens", () => {
  const random = mulberry32(11);
  const pieces = ["abc", "déf", ".", "-", "❤️", "12", "q\u0301", ",", "👨‍👩‍👧", "\u00e9"];
  let run = "";
  while (run.length < 300_000) run += pieces[Math.floor(random() * pieces.length)];
  const texts = [run, "x".repeat(200_000), `${run} tail`, `ah ah ah ${run}\nGo go go ${run} x`];
  for (const [text, spec] of texts.flatMap((t) => [[t, word], [t, rules]] as const)) {
    const whole = splitText(text, spec);
    const s = new StreamSplitter(spec);
    const got: string[] = [];
    for (let i = 0; i < text.length;) {
      let n = 1 + Math.floor(random() * 40_000);
      // Cut between code points, as TextDecoder does.
      const code = text.charCodeAt(i + n - 1);
      if (code >= 0xd800 && code <= 0xdbff) n++;
      got.push(...s.push(text.slice(i, i + n)));
      i += n;
    }
    got.push(...s.end());
    assert.equal(got.length, whole.length);
    assert.deepEqual(got, whole);
  }
});

Deno.test("splitText() cuts a word longer than MAX_WORD code points to its first MAX_WORD", () => {
  assert.equal(MAX_WORD, 100);
  const a = "a".repeat(100);
  assert.deepEqual(splitText(`${a} ${a}b, c`, word), [a, a, ",", "c"]);
  // Code points, not UTF-16 units: 𝐀 (U+1D400) is a letter of two units.
  const bold = "\u{1d400}".repeat(150);
  assert.deepEqual(splitText(bold, word), ["\u{1d400}".repeat(100)]);
  assert.deepEqual(splitText(`X${"Y".repeat(120)}`, { mode: "word", lower: true }), [
    `x${"y".repeat(99)}`,
  ]);
  // Char mode has no words to cut.
  assert.equal(splitText("b".repeat(150), char).length, 150);
});

Deno.test("StreamSplitter cuts a run of letters of any length as it streams, as splitText does", () => {
  const random = mulberry32(5);
  const long = "ab\u{1d400}".repeat(150_000); // 600,000 units, no safe boundary
  const cases: [string, number][] = [ // the text, and the words cut in it
    [`head ${long}`, 1],
    [`head ${long}, tail and ${"z".repeat(101)} end`, 2],
    [`${long}\u{1d400}!${"q".repeat(70_000)}`, 2],
    [`x.${long}`, 1],
  ];
  for (const [text, cut] of cases) {
    const whole = splitText(text, word);
    for (let trial = 0; trial < 4; trial++) {
      const s = new StreamSplitter(word);
      const got: string[] = [];
      for (let i = 0; i < text.length;) {
        // Chunks of any size, cut between code points as TextDecoder does.
        let n = 1 + Math.floor(random() * (trial < 2 ? 70_000 : 3));
        const code = text.charCodeAt(i + n - 1);
        if (code >= 0xd800 && code <= 0xdbff) n++;
        got.push(...s.push(text.slice(i, i + n)));
        i += n;
        // Tiny chunks: skip most of the long run (its middle is dropped either way).
        if (trial >= 2 && i > 200_000 && i < text.length - 200_000) {
          i = text.length - 200_000;
          if (text.charCodeAt(i) >= 0xdc00 && text.charCodeAt(i) <= 0xdfff) i++;
        }
      }
      got.push(...s.end());
      assert.deepEqual(got, whole, `${text.slice(0, 8)}, trial ${trial}`);
      assert.equal(s.cutWords, cut);
    }
  }
});

Deno.test("StreamSplitter agrees with splitText where case and composition need context", () => {
  const cases: [string[], "word" | "char", boolean][] = [
    [["ΑΣ", " x"], "char", true], // final sigma: lower-cased token by token
    [["ΟΔΟΣ", ". ΑΣ"], "word", true],
    [["a".repeat(70_000) + "Σ", ".Α"], "word", true], // cut at a safe boundary, then lowered
    [["\u1100", "\u1161"], "char", false], // NFD Hangul jamo compose across the cut
    [["\u1100\u1161", "\u11a8"], "char", false],
    [["e", "\u0301\u0323x"], "char", false],
  ];
  for (const [chunks, mode, lower] of cases) {
    const spec = { mode, lower };
    const s = new StreamSplitter(spec);
    const got = [...chunks.flatMap((c) => s.push(c)), ...s.end()];
    assert.deepEqual(
      got,
      splitText(chunks.join(""), spec),
      `${mode}: ${chunks.join("|").slice(-12)}`,
    );
  }
});

Deno.test("joinTokens() attaches punctuation to words and joins characters as they are", () => {
  assert.equal(joinTokens(["hello", ",", "world", "."], "word"), "hello, world.");
  assert.equal(joinTokens(["say", "(", "hi", ")", "!"], "word"), "say (hi)!");
  assert.equal(joinTokens(["more", "words"], "word", true), " more words");
  for (
    const text of [
      "I don't know, it’s 3.14 or 1,000 at 12:30.",
      `Rock 'n' roll: "quoted" words, 'single' too.`,
    ]
  ) {
    assert.equal(joinTokens(splitText(text, word), "word"), text);
  }
  assert.equal(joinTokens(["a", "b", "xxbos", "c"], "word"), "a b\nc");
  assert.equal(joinTokens(["a", " ", "😀", "\n"], "char"), "a 😀\n");
});

Deno.test('splitText() with lines keeps each line break as one "\\n" token', () => {
  // \r\n and \r are one line break each; a blank line is two breaks; other whitespace
  // (indentation, trailing spaces) is no token.
  assert.deepEqual(splitText("a b\r\n  c\rd\n\n\te \n", lines), [
    "a",
    "b",
    "\n",
    "c",
    "\n",
    "d",
    "\n",
    "\n",
    "e",
    "\n",
  ]);
  // Without lines (runs made before it), a line break is whitespace as it was.
  assert.deepEqual(splitText("a\nb", word), ["a", "b"]);
  // A "\r" at the end of one chunk and a "\n" at the start of the next are one break.
  const s = new StreamSplitter(lines);
  const got = [...s.push("one\r"), ...s.push("\ntwo\r"), ...s.push("three"), ...s.end()];
  assert.deepEqual(got, ["one", "\n", "two", "\n", "three"]);
});

Deno.test("joinTokens() glues line breaks: tokenize then join gives the lines back", () => {
  const text = 'Dear reader,\nthis is 3.14 lines.\n\n"Quoted" text (with brackets)!\nEnd';
  const tokens = splitText(text, lines);
  assert.equal(tokens.filter((t) => t === "\n").length, 4);
  assert.equal(joinTokens(tokens, lines), text);
  assert.deepEqual(joinTokens(tokens, "word").split("\n"), text.split("\n"));
  // No space before or after a break, also when continuing earlier words.
  assert.equal(joinTokens(["\n", "a", "\n", "\n", ",", "b"], "word", true), "\na\n\n, b");
});
