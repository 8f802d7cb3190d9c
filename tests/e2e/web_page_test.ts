/**
 * The web page in a real headless Chromium: exported models served by `deno task serve`'s
 * server, run by onnxruntime-web, checked against onnxruntime-node on the same files.
 *
 * @module
 */

import assert from "node:assert/strict";
import { loadModel } from "../../src/api/mod.ts";
import { joinTokens } from "../../src/data/tokenizer.ts";
import { startServer } from "../../tools/lib/serve/serve_app.ts";
import { ignoreWithoutChromium, launchChromium } from "./browser.ts";
import { exportFixture } from "./fixture.ts";
import {
  assertSameTop5,
  message,
  optionLabel,
  pageTop5,
  waitForGeneration,
} from "./page_helpers.ts";
import { Reference } from "./reference.ts";

/** Where the screenshot goes; `ONNX_LM_SCREENSHOT=docs/web.png` refreshes the README's. */
const SCREENSHOT = Deno.env.get("ONNX_LM_SCREENSHOT") ?? ".tmp/web.png";

const NAME = "the web page predicts and continues like onnxruntime-node, in headless Chromium";

Deno.test({
  name: NAME,
  ignore: ignoreWithoutChromium(NAME),
  // playwright-core keeps pipes and timers of its own between steps.
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const dir = await Deno.makeTempDir({ prefix: "onnx-lm-web-" });
    // lm7 with its full recipe and the default seed (the one `deno task train lm7` uses),
    // and lm1 briefly: one recurrent and one fixed-context model.
    await exportFixture(dir, "lm7", 15, 42);
    await exportFixture(dir, "lm1", 2, 42);
    // A corrupt model file, and a sidecar whose model file is missing.
    const corrupt = JSON.parse(await Deno.readTextFile(`${dir}/lm1.json`));
    await Deno.writeTextFile(
      `${dir}/broken.json`,
      JSON.stringify({ ...corrupt, file: "broken.onnx" }),
    );
    await Deno.writeFile(`${dir}/broken.onnx`, new TextEncoder().encode("not an onnx model"));
    await Deno.writeTextFile(
      `${dir}/missing.json`,
      JSON.stringify({ ...corrupt, file: "missing.onnx" }),
    );

    const lm7 = await Reference.load(dir, "lm7");
    const lm1 = await Reference.load(dir, "lm1");
    const server = await startServer({ port: 0, host: "127.0.0.1", modelsDir: dir });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const pageErrors: string[] = [];
      page.on("pageerror", (e) => pageErrors.push(e.message));

      await t.step("lm7 counts: after 'one . two . three .' the top token is 'four'", async () => {
        await page.goto(`${server.url}?model=lm7`);
        await page.waitForSelector('#status[data-state="ready"]', { timeout: 30_000 });
        await page.fill("#prompt", "one . two . three .");
        const got = await pageTop5(page, "one . two . three .");
        assertSameTop5(got, await lm7.top("one . two . three ."), "lm7");
        assert.equal(got[0].token, "four");
        await Deno.mkdir(SCREENSHOT.replace(/\/[^/]*$/, ""), { recursive: true });
        await page.screenshot({ path: SCREENSHOT, fullPage: true });
      });

      await t.step("predictions follow the prompt as it is typed", async () => {
        await page.fill("#prompt", "");
        const prompt = "seven thousand three hundred one . seven thousand three hundred";
        await page.locator("#prompt").pressSequentially(prompt);
        assertSameTop5(await pageTop5(page, prompt), await lm7.top(prompt), "typed prompt");
        // Backspacing to a shorter prompt predicts from the shorter prompt.
        await page.locator("#prompt").press("End");
        for (let i = 0; i < " hundred".length; i++) {
          await page.locator("#prompt").press("Backspace");
        }
        const shorter = "seven thousand three hundred one . seven thousand three";
        assertSameTop5(await pageTop5(page, shorter), await lm7.top(shorter), "after backspace");
      });

      await t.step("continue generates the greedy tokens onnxruntime-node generates", async () => {
        await page.fill("#steps", "6");
        await page.fill("#temperature", "0");
        // Continue right after typing, while the prediction for the prompt may still run.
        await page.fill("#prompt", "one . two . three .");
        await page.click("#continue");
        // The continuation is joinTokens' text, as the CLI prints it: "four. five." after
        // the prompt as typed.
        const want = "one . two . three ." +
          joinTokens(await lm7.greedy("one . two . three .", 6), "word", true);
        await waitForGeneration(page, `value === ${JSON.stringify(want)}`);
        assertSameTop5(await pageTop5(page, want), await lm7.top(want), "after continue");
      });

      await t.step("sampling with a temperature repeats with the same seed", async () => {
        const sample = async () => {
          await page.fill("#prompt", "five thousand");
          await pageTop5(page, "five thousand");
          await page.fill("#steps", "8");
          await page.fill("#temperature", "1.5");
          await page.fill("#seed", "7");
          await page.click("#continue");
          await waitForGeneration(page, "tokens === 10");
          return await page.inputValue("#prompt");
        };
        const first = await sample();
        assert.equal(await sample(), first);
        // Top-p in the page is the model API's: the same text as loadModel gives in Deno.
        await page.fill("#top-p", "0.5");
        const nucleus = await sample();
        const model = await loadModel(`${dir}/lm7.onnx`);
        try {
          const want = await model.generate("five thousand", {
            n: 8,
            temperature: 1.5,
            topP: 0.5,
            seed: 7,
          });
          assert.equal(nucleus, `five thousand${want}`);
        } finally {
          await model.release();
        }
        await page.fill("#top-p", "0");
        await page.click("#continue");
        assert.equal(await message(page), 'Top-p must be a number above 0 and at most 1: got "0"');
        await page.fill("#top-p", "1");
        await page.fill("#temperature", "0");
      });

      await t.step("unknown words, an empty prompt and bad settings are explained", async () => {
        await page.fill("#prompt", "one . twoo . Three");
        const unknown = await message(page);
        assert.match(unknown, /^Unknown word "twoo": lm7 knows only these 30 tokens: one \. two /);
        assert.equal(await page.locator("#top5 li").count(), 0);
        assert.deepEqual(await page.locator("#tokens .unknown").allTextContents(), ["twoo"]);
        // "Three" is accepted in lower case.
        assert.equal(await page.locator("#tokens .token").last().textContent(), "three");

        await page.fill("#prompt", "   ");
        assert.match(await message(page), /^Type a prompt in the book's tokens/);

        await page.fill("#prompt", "one .");
        await pageTop5(page, "one .");
        await page.fill("#steps", "0");
        await page.click("#continue");
        assert.equal(await message(page), 'Tokens must be an integer from 1 to 500: got "0"');
        await page.fill("#steps", "5");
      });

      await t.step("user text is never inserted as HTML", async () => {
        const attack = '<img src=x onerror="window.__pwned=1"> <b>bold</b>';
        await page.fill("#prompt", attack);
        await message(page);
        assert.equal(await page.locator("#tokens img, #tokens b, #message img").count(), 0);
        assert.equal(
          await page.evaluate(() => (window as { __pwned?: number }).__pwned),
          undefined,
        );
        assert.match(await page.textContent("#tokens") ?? "", /<img/);
      });

      await t.step("a fixed-context model (lm1) reads the last 3 tokens", async () => {
        await page.selectOption("#model", { label: await optionLabel(page, "lm1") });
        await page.waitForSelector('#status[data-state="ready"]');
        await page.fill("#prompt", "one .");
        assert.match(
          await message(page),
          /lm1 reads the last 3 tokens: type at least 3 \(you have 2\)/,
        );
        const prompt = "one . two . three";
        await page.fill("#prompt", prompt);
        assertSameTop5(await pageTop5(page, prompt), await lm1.top(prompt), "lm1");
      });

      await t.step(
        "a corrupt or missing model file gives a message, not a blank page",
        async () => {
          // The server decodes every listed model, so a corrupt file is marked before it is
          // picked, with the reason.
          assert.match(await optionLabel(page, "broken"), /\(unusable\)$/);
          await page.selectOption("#model", { label: await optionLabel(page, "broken") });
          await page.waitForSelector('#status[data-state="error"]');
          assert.match(
            await message(page),
            /^Cannot decode broken\.onnx \(17 bytes\): not a valid ONNX protobuf.*export the model again$/,
          );
          assert.match(await optionLabel(page, "missing"), /\(unusable\)$/);
          await page.selectOption("#model", { label: await optionLabel(page, "missing") });
          await page.waitForSelector('#status[data-state="error"]');
          assert.equal(await message(page), "missing.onnx is missing from the models directory");
        },
      );

      await t.step("latency is reported", async () => {
        await page.goto(`${server.url}?model=lm7`);
        await page.waitForSelector("#top5 li", { timeout: 30_000 });
        const first = Number(await page.getAttribute("#t-first", "data-ms"));
        await page.fill("#steps", "50");
        await page.click("#continue");
        await waitForGeneration(page, "tokens === 62"); // 12 + 50 tokens
        await page.waitForSelector("#top5 li");
        const median = Number(await page.getAttribute("#t-run", "data-ms"));
        const mean = Number(await page.getAttribute("#t-run", "data-mean-ms"));
        assert.ok(first > 0 && first < 30_000, `page load to first prediction: ${first} ms`);
        assert.ok(mean > 0 && mean < 1_000 && median >= 0, `per token: ${median}, ${mean} ms`);
        console.log(
          `web page (lm7): page load to first prediction ${first.toFixed(0)} ms; per token ` +
            `(session.run) median ${median.toFixed(3)} ms, mean ${mean.toFixed(3)} ms`,
        );
      });

      assert.deepEqual(pageErrors, [], "uncaught errors in the page");
    } finally {
      await browser.close();
      await server.close();
      await lm7.release();
      await lm1.release();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
