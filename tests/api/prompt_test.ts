import assert from "node:assert/strict";
import { type PromptModel, readPrompt } from "../../src/api/prompt.ts";
import { humanNumbers } from "../../src/data/pipelines.ts";
import { HUMAN_NUMBERS_TOKENIZER } from "../../src/data/tokenizer.ts";

const own: PromptModel = {
  name: "quotes",
  kind: "recurrent",
  context: 1,
  vocab: ["xxunk", "xxbos", "the", "cat", "sat", "."],
  tokenizer: { mode: "word", lower: true, specials: ["xxunk", "xxbos"] },
};
const book: PromptModel = {
  name: "lm1",
  kind: "fixed",
  context: 3,
  vocab: humanNumbers().vocab.words,
  tokenizer: HUMAN_NUMBERS_TOKENIZER,
};

Deno.test("readPrompt() puts xxbos first and reports unknown tokens once each", () => {
  const read = readPrompt(own, "The dog sat. The dog");
  assert.deepEqual(read.ids, [1, 2, 0, 4, 5, 2, 0]);
  assert.deepEqual(read.unknown, ["dog"]);
  assert.equal(read.problem, undefined);
  assert.deepEqual(read.tokens.map((t) => t.token), ["the", "xxunk", "sat", ".", "the", "xxunk"]);
});

Deno.test("readPrompt() reads a book model without xxbos and refuses words it cannot read", () => {
  assert.deepEqual(readPrompt(book, "one . two").ids, [0, 1, 2]);
  assert.match(
    readPrompt(book, "one twoo").problem!,
    /^Unknown word "twoo": lm1 knows only these 30 tokens: one \. two three/,
  );
  assert.match(readPrompt(book, "x y").problem!, /^Unknown words "x", "y"/);
});

Deno.test("readPrompt() says what keeps a prompt from being predicted from", () => {
  assert.equal(readPrompt(own, "  ").problem, "Type a prompt: quotes reads words");
  assert.match(readPrompt(book, "").problem!, /^Type a prompt in the book's tokens/);
  assert.match(
    readPrompt(own, "dog bird").problem!,
    /^quotes knows none of the prompt's tokens \(each would be read as xxunk\): type some of its 6 tokens, which start "xxunk", "xxbos", "the"/,
  );
  assert.equal(
    readPrompt(book, "one .").problem,
    "lm1 reads the last 3 tokens: type at least 3 (you have 2)",
  );
  assert.equal(readPrompt(book, "one . two").problem, undefined);
});
