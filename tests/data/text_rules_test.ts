import assert from "node:assert/strict";
import { joinTokens, splitText, StreamSplitter } from "../../src/data/tokenizer.ts";
import { MAJ, REP, RULE_MARKERS, undoRules, UP, WREP } from "../../src/data/text_rules.ts";
import { TextCorpusBuilder } from "../../src/data/text_corpus.ts";
import { mulberry32 } from "../../src/generate/sampling.ts";

const rules = { mode: "word", lower: true, lines: true, rules: "fastai" } as const;

/** Splits `text` with the rules, whole and one code point at a time; both must agree. */
function ruled(text: string): string[] {
  const whole = splitText(text, rules);
  const s = new StreamSplitter(rules);
  const streamed = [...Array.from(text).flatMap((c) => s.push(c)), ...s.end()];
  assert.deepEqual(streamed, whole, `streamed ${JSON.stringify(text)}`);
  return whole;
}

// The cases are fastai's own, from its documentation of fastai.text.core (docs.fast.ai,
// "Text core": the test_eq examples under replace_rep, replace_wrep, replace_all_caps,
// replace_maj and TokenizeWithRules) and fastai v1's tests/test_text.py (test_rules). fastai
// writes its output as text (" xxrep 4 a "); here it is the tokens word mode makes of it.
Deno.test("--rules fastai: replace_rep marks a character repeated 3 times or more", () => {
  assert.deepEqual(ruled("aa"), ["aa"]); // replace_rep('aa') == 'aa'
  assert.deepEqual(ruled("aaaa"), [REP, "4", "a"]); // replace_rep('aaaa') == ' xxrep 4 a '
  assert.deepEqual(ruled("aaa"), [REP, "3", "a"]); // "It starts replacing at 3 repetitions"
  // test_rules: "I'm so excited!!!!!!!!" -> "I'm so excited xxrep 8 ! " (then xxmaj for "I'm").
  assert.deepEqual(ruled("I'm so excited!!!!!!!!"), [
    MAJ,
    "i",
    "'",
    "m",
    "so",
    "excited",
    REP,
    "8",
    "!",
  ]);
});

Deno.test("--rules fastai: replace_wrep marks a word repeated 3 times or more", () => {
  assert.deepEqual(ruled("ah ah"), ["ah", "ah"]);
  assert.deepEqual(ruled("ah ah ah"), [WREP, "3", "ah"]);
  assert.deepEqual(ruled("ah ah   ah  ah"), [WREP, "4", "ah"]);
  assert.deepEqual(ruled("ah ah ah ah "), [WREP, "4", "ah"]);
  assert.deepEqual(ruled("ah ah ah ah."), [WREP, "4", "ah", "."]);
  assert.deepEqual(ruled("ah ah ahi"), ["ah", "ah", "ahi"]);
  // test_rules: "I've never ever ... ever done this." -> "I've never  xxwrep 7 ever  done this."
  assert.deepEqual(
    ruled("I've never ever ever ever ever ever ever ever done this."),
    [MAJ, "i", "'", "ve", "never", WREP, "7", "ever", "done", "this", "."],
  );
});

Deno.test("--rules fastai: replace_all_caps and replace_maj mark case, then lower-case", () => {
  // replace_all_caps("I'M SHOUTING") == "xxup i'm xxup shouting"
  assert.deepEqual(ruled("I'M SHOUTING"), [UP, "i", "'", "m", UP, "shouting"]);
  // replace_all_caps("I am speaking normally") == "i am speaking normally": one letter is
  // lower-cased, never marked.
  assert.deepEqual(ruled("I am speaking normally"), ["i", "am", "speaking", "normally"]);
  // replace_maj("Jeremy Howard") == 'xxmaj jeremy xxmaj howard'
  assert.deepEqual(ruled("Jeremy Howard"), [MAJ, "jeremy", MAJ, "howard"]);
  // replace_maj("I don't think there is any maj here") == "i don't think there is any maj here"
  assert.deepEqual(ruled("I don't think there is any maj here"), [
    "i",
    "don",
    "'",
    "t",
    "think",
    "there",
    "is",
    "any",
    "maj",
    "here",
  ]);
  // TokenizeWithRules(BaseTokenizer(), rules=[replace_all_caps]) of "THIS isn't a problem"
  assert.deepEqual(ruled("THIS isn't a problem"), [UP, "this", "isn", "'", "t", "a", "problem"]);
  // spec_add_spaces runs before the case rules: "/" and "#" separate words.
  assert.deepEqual(ruled("#Tag/Other"), ["#", MAJ, "tag", "/", MAJ, "other"]);
  // A word with a capital inside is no capitalized word: lower-cased, unmarked.
  assert.deepEqual(ruled("McDonald"), ["mcdonald"]);
});

Deno.test("--rules fastai: repeated words keep their case marker; a line break ends a run", () => {
  assert.deepEqual(ruled("GO GO GO!"), [WREP, "3", UP, "go", "!"]);
  assert.deepEqual(ruled("go go\ngo"), ["go", "go", "\n", "go"]);
  assert.deepEqual(ruled("Hellooo\r\nno no no"), [
    MAJ,
    "hell",
    REP,
    "3",
    "o",
    "\n",
    WREP,
    "3",
    "no",
  ]);
});

Deno.test("joinTokens() undoes the rules: xxmaj, xxup, xxrep and xxwrep", () => {
  assert.equal(joinTokens([MAJ, "word"], rules), "Word");
  assert.equal(joinTokens([UP, "word"], rules), "WORD");
  assert.equal(joinTokens([REP, "4", "a"], rules), "aaaa");
  assert.equal(joinTokens([WREP, "3", "go"], rules), "go go go");
  assert.equal(joinTokens([WREP, "3", MAJ, "go", "!"], rules), "Go Go Go!");
  for (
    const text of [
      "I'M SHOUTING",
      "Jeremy Howard",
      "I'm so excited!!!!!!!!",
      "ah ah ah ah.",
      "I've never ever ever ever done this.\nHellooo, 1000 MILES\n\nThe end",
    ]
  ) {
    assert.equal(joinTokens(ruled(text), rules), text);
  }
  // Lossy as fastai is: one capital letter is lower-cased without a marker.
  assert.equal(joinTokens(ruled("I am here"), rules), "i am here");
  // Without rules the markers are words like any other.
  assert.equal(joinTokens([MAJ, "word"], "word"), "xxmaj word");
});

Deno.test("undoRules() waits for a marker's word and shows a malformed marker as it is", () => {
  const shown = (tokens: string[]) => undoRules(tokens).map((t) => t.text);
  // A generation that stops after a marker shows nothing of it yet.
  assert.deepEqual(shown(["hi", MAJ]), ["hi"]);
  assert.deepEqual(shown(["hi", REP, "4"]), ["hi"]);
  assert.deepEqual(shown(["hi", WREP]), ["hi"]);
  // No count (a rare one read as xxunk), or a count out of range: as they are.
  assert.deepEqual(shown([REP, "xxunk", "a"]), [REP, "xxunk", "a"]);
  assert.deepEqual(shown([REP, "99999", "a"]), [REP, "99999", "a"]);
  // A marker to repeat is no word: xxrep shows as it is, the xxwrep after it is undone.
  assert.deepEqual(shown([REP, "3", WREP, "2", "x"]), [REP, "3", "x", "x"]);
});

Deno.test("StreamSplitter with rules agrees with splitText however the text is cut", () => {
  const random = mulberry32(3);
  const words = ["ah", "Ah", "GO", "go", "the", "Cat", "!!!", "zzz", "I'm", "a/B", "\n", "\r\n"];
  for (let trial = 0; trial < 40; trial++) {
    let text = "";
    while (text.length < 400) {
      const w = words[Math.floor(random() * words.length)];
      const times = 1 + Math.floor(random() * 4); // runs of repeated words across chunk cuts
      for (let k = 0; k < times; k++) text += w + (random() < 0.8 ? " " : "  ");
    }
    const whole = splitText(text, rules);
    const s = new StreamSplitter(rules);
    const got: string[] = [];
    for (let i = 0; i < text.length;) {
      const n = 1 + Math.floor(random() * 12);
      got.push(...s.push(text.slice(i, i + n)));
      i += n;
    }
    got.push(...s.end());
    assert.deepEqual(got, whole, `trial ${trial}`);
  }
  // A run held by the rules ends before a chunk too long for them (cut as it streams).
  const text = `ah ah ah ${"Ab".repeat(150_000)} Go Go Go`;
  const s = new StreamSplitter(rules);
  const got: string[] = [];
  for (let i = 0; i < text.length; i += 7000) got.push(...s.push(text.slice(i, i + 7000)));
  got.push(...s.end());
  assert.deepEqual(got, splitText(text, rules));
  assert.deepEqual(got.slice(0, 3), [WREP, "3", "ah"]);
  assert.deepEqual(got.slice(-4), [WREP, "3", MAJ, "go"]);
});

Deno.test("TextCorpusBuilder with rules puts their markers in the vocabulary, used or not", () => {
  const b = new TextCorpusBuilder(rules, 64);
  b.beginFile();
  b.push("the cat sat .\nthe cat sat .\n");
  b.endFile();
  const corpus = b.finish({ minFreq: 1, maxVocab: 100 }, { validPct: 0.2 });
  assert.deepEqual(corpus.vocab.slice(0, 6), ["xxunk", "xxbos", ...RULE_MARKERS]);
  assert.ok(corpus.vocab.includes("\n"));
});
