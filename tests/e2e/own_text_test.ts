/**
 * The page with models trained on one's own text, in headless Chromium: two corpora made
 * here with a structure we know (a repeating character cycle; a tiny seeded grammar), each
 * trained and exported with the CLI, then run in the page and checked against
 * onnxruntime-node on the same files; and a vocabulary of 1,000 words, searched.
 *
 * @module
 */

import assert from "node:assert/strict";
import { joinTokens } from "../../src/data/tokenizer.ts";
import { mulberry32 } from "../../src/generate/sampling.ts";
import { filterVocab } from "../../src/web/page_format.ts";
import { startServer } from "../../tools/lib/serve/serve_app.ts";
import { ignoreWithoutChromium, launchChromium } from "./browser.ts";
import { mostFrequentShare, trainOwnText } from "./own_text.ts";
import {
  assertSameTop5,
  message,
  optionLabel,
  pageTop5,
  waitForGeneration,
} from "./page_helpers.ts";
import { Reference } from "./reference.ts";

/** Every character is determined by the two before it: a model can learn it all. */
const CHARS = "red green blue ".repeat(1000);

/** "the N V on the P ." with N, V, P drawn (seeded): "the", "on", "." are determined. */
function grammar(sentences: number, seed: number): string {
  const random = mulberry32(seed);
  const pick = (words: readonly string[]) => words[Math.floor(random() * words.length)];
  return Array.from(
    { length: sentences },
    () =>
      `the ${pick(["cat", "dog", "bird"])} ${pick(["sat", "slept"])} on the ` +
      `${pick(["mat", "rug"])} .`,
  ).join("\n");
}

/** 1,000 made-up words (three syllables each), each three times, shuffled (seeded). */
function manyWords(seed: number): string {
  const syllables = ["ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "ve", "zu"];
  const words = syllables.flatMap((a) => syllables.flatMap((b) => syllables.map((c) => a + b + c)));
  const all = [...words, ...words, ...words];
  const random = mulberry32(seed);
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.join(" ");
}

const NAME = "the page runs models trained on one's own text (char and word) like onnxruntime-node";

Deno.test({
  name: NAME,
  ignore: ignoreWithoutChromium(NAME),
  // playwright-core keeps pipes and timers of its own between steps.
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const dir = await Deno.makeTempDir({ prefix: "onnx-lm-own-text-" });
    const words = grammar(1500, 3);
    const chars = await trainOwnText(dir, "chars", CHARS, ["--tokens", "char", "--epochs", "3"]);
    const grammarModel = await trainOwnText(dir, "grammar", words, [
      "--tokens",
      "word",
      "--epochs",
      "4",
    ]);
    // Small and brief: this model is here for its vocabulary, not its predictions.
    await trainOwnText(dir, "many", manyWords(5), [
      ...["--tokens", "word", "--min-freq", "1", "--epochs", "1"],
      ...["--hidden", "16", "--bs", "8", "--sl", "8"],
    ]);
    const models = `${dir}/models`;
    const charRef = await Reference.load(models, "chars");
    const wordRef = await Reference.load(models, "grammar");
    const server = await startServer({ port: 0, host: "127.0.0.1", modelsDir: models });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const pageErrors: string[] = [];
      page.on("pageerror", (e) => pageErrors.push(e.message));

      await t.step("training learned the structure: far above the most frequent token", () => {
        const charBase = mostFrequentShare(CHARS, "char"); // " " or "e": 4 of 15
        const wordBase = mostFrequentShare(words, "word"); // "the": 2 of 7
        assert.ok(chars.accuracy > charBase + 0.4, `chars: ${chars.accuracy} vs ${charBase}`);
        assert.ok(
          grammarModel.accuracy > wordBase + 0.3,
          `grammar: ${grammarModel.accuracy} vs ${wordBase}`,
        );
      });

      await t.step("a char model: free text with spaces, top-5 as in node", async () => {
        await page.goto(`${server.url}?model=chars`);
        await page.waitForSelector('#status[data-state="ready"]', { timeout: 30_000 });
        const prompt = "blue red gr";
        await page.fill("#prompt", prompt);
        const got = await pageTop5(page, prompt);
        assertSameTop5(got, await charRef.top(prompt), "chars");
        assert.equal(got[0].token, "e");
        // One chip per character, the spaces shown as marks.
        assert.deepEqual(
          await page.locator("#tokens .token").allTextContents(),
          Array.from(prompt, (c) => (c === " " ? "␣" : c)),
        );
      });

      await t.step("a char model reads an unseen character as xxunk, visibly", async () => {
        const prompt = "red gZeen b";
        await page.fill("#prompt", prompt);
        assertSameTop5(await pageTop5(page, prompt), await charRef.top(prompt), "chars, xxunk");
        assert.deepEqual(await page.locator("#tokens .substituted").allTextContents(), [
          "Z → xxunk",
        ]);
        assert.equal(await page.locator("#tokens .substituted s").textContent(), "Z");
        assert.ok(await page.locator("#message").isHidden(), "a substitution is no error");

        await page.fill("#prompt", "ZQ");
        assert.match(await message(page), /^chars knows none of the prompt's tokens/);
        assert.equal(await page.locator("#top5 li").count(), 0);
      });

      await t.step("a char model continues greedily as node does", async () => {
        const prompt = "green bl";
        await page.fill("#prompt", prompt);
        await page.fill("#steps", "20");
        await page.fill("#temperature", "0");
        await page.click("#continue");
        const continuation = joinTokens(await charRef.greedy(prompt, 20), "char");
        await waitForGeneration(page, `value === ${JSON.stringify(prompt + continuation)}`);
        assert.equal(continuation, "ue red green blue re"); // the cycle, learned
        const full = prompt + continuation;
        assertSameTop5(await pageTop5(page, full), await charRef.top(full), "after continue");
      });

      await t.step("a word model: top-5, xxunk for an unseen word, greedy text", async () => {
        await page.selectOption("#model", { label: await optionLabel(page, "grammar") });
        await page.waitForSelector('#status[data-state="ready"]');
        const prompt = "the cat sat on the";
        await page.fill("#prompt", prompt);
        const got = await pageTop5(page, prompt);
        assertSameTop5(got, await wordRef.top(prompt), "grammar");
        assert.deepEqual(got.slice(0, 2).map((r) => r.token).sort(), ["mat", "rug"]);

        const unknown = "the zebra slept on the";
        await page.fill("#prompt", unknown);
        assertSameTop5(await pageTop5(page, unknown), await wordRef.top(unknown), "zebra");
        assert.deepEqual(await page.locator("#tokens .substituted").allTextContents(), [
          "zebra → xxunk",
        ]);

        const start = "the dog slept on the rug .";
        await page.fill("#prompt", start);
        await page.fill("#steps", "14");
        await page.click("#continue");
        const tokens = await wordRef.greedy(start, 14);
        const text = start + joinTokens(tokens, "word", true);
        await waitForGeneration(page, `value === ${JSON.stringify(text)}`);
        // Punctuation attaches to its word, and each sentence is a line of its own, as in
        // the training text: "... rug .\nthe cat sat on the mat.\nthe ..."
        assert.match(text, /^the dog slept on the rug \.\nthe \w+ \w+ on the \w+\.\nthe /);
        assertSameTop5(await pageTop5(page, text), await wordRef.top(text), "after continue");
      });

      await t.step("a vocabulary of about 1,000 tokens is searched, not shown whole", async () => {
        const sidecar = JSON.parse(await Deno.readTextFile(`${models}/many.json`));
        const vocab: string[] = sidecar.vocab;
        // The specials and the words of the training part (a word seen only in the
        // validation tail is not in the vocabulary).
        assert.ok(vocab.length > 900 && vocab.length <= 1002, `${vocab.length} tokens`);
        const all = vocab.length.toLocaleString("en");
        await page.selectOption("#model", { label: await optionLabel(page, "many") });
        await page.waitForSelector('#status[data-state="ready"]');
        // The vocabulary is drawn after the first prediction.
        await page.waitForSelector('#vocab[data-model="many"]');
        assert.ok(await page.locator("#vocab-search").isVisible());
        assert.equal(await page.locator("#vocab button").count(), 200);
        assert.match(
          (await page.textContent("#vocab-count")) ?? "",
          new RegExp(`^The first 200 of ${all} tokens: type to search them all\\.$`),
        );
        await page.locator("#vocab-search").pressSequentially("kalo");
        const want = filterVocab(vocab, "kalo", 200);
        assert.ok(want.total > 0 && want.total <= 20, `${want.total} tokens contain "kalo"`);
        await page.waitForSelector(`#vocab-count[data-total="${want.total}"]`);
        assert.deepEqual(
          await page.locator("#vocab button").allTextContents(),
          want.ids.map((id) => vocab[id]),
        );
        assert.equal(
          await page.textContent("#vocab-count"),
          `${want.total} of ${all} tokens contain "kalo".`,
        );
        await page.fill("#prompt", "");
        const word = vocab[want.ids[0]];
        await page.locator(`#vocab button[data-token="${word}"]`).click();
        assert.equal(await page.inputValue("#prompt"), word);
        await page.waitForSelector("#top5 li");

        await page.fill("#vocab-search", "a");
        await page.waitForFunction(
          `Number(document.getElementById("vocab-count").dataset.total) > 200`,
        );
        assert.equal(await page.locator("#vocab button").count(), 200);
        assert.match((await page.textContent("#vocab-count")) ?? "", /the first 200 are shown\.$/);
      });

      assert.deepEqual(pageErrors, [], "uncaught errors in the page");
    } finally {
      await browser.close();
      await server.close();
      await charRef.release();
      await wordRef.release();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
