/**
 * Control and bidi characters in tokens, in a real headless Chromium: the page's own view
 * functions (`web/view.js`, as the page loaded them) get tokens holding U+202E RIGHT-TO-LEFT
 * OVERRIDE and NUL, and must show them as marks, with the text after them in its order.
 *
 * @module
 */

import assert from "node:assert/strict";
import { startServer } from "../../tools/lib/serve/serve_app.ts";
import { ignoreWithoutChromium, launchChromium } from "./browser.ts";
import { exportFixture } from "./fixture.ts";

// Functions run in the page: its globals, declared (this file is checked without the DOM).
// deno-lint-ignore no-explicit-any
declare const document: any;
declare const location: { href: string };

const NAME = "the page shows U+202E and NUL in tokens as marks, never reordering the text after";

Deno.test({
  name: NAME,
  ignore: ignoreWithoutChromium(NAME),
  // playwright-core keeps pipes and timers of its own between steps.
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "onnx-lm-bidi-" });
    await exportFixture(dir, "lm1", 1);
    const server = await startServer({ port: 0, host: "127.0.0.1", modelsDir: dir });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`${server.url}?model=lm1`);
      await page.waitForSelector('#status[data-state="ready"]', { timeout: 30_000 });
      const shown = await page.evaluate(async () => {
        // The module instance the page runs (same URL), so `ui` is the page's elements.
        const view = await import(new URL("web/view.js", location.href).href);
        const tokens = ["\u202Eabc\u0000def", "ghi"].map((token, id) => ({
          token,
          text: token,
          id,
          unknown: false,
        }));
        view.renderTokens(tokens);
        view.renderTop5([{ token: "\u202Eabc\u0000def", prob: 0.5 }], "p");
        /** The left edges of each letter of `letters` in an element's text, in that order. */
        // deno-lint-ignore no-explicit-any
        const lefts = (el: any, letters: string) => {
          const node = el.firstChild;
          return [...letters].map((c) => {
            const range = document.createRange();
            const at = node.data.indexOf(c);
            range.setStart(node, at);
            range.setEnd(node, at + 1);
            return range.getBoundingClientRect().left;
          });
        };
        const chip = document.querySelector("#tokens .token");
        const word = document.querySelector("#top5 .word");
        return {
          chip: chip.textContent,
          word: word.textContent,
          chipLefts: lefts(chip, "abcdef"),
          wordLefts: lefts(word, "abcdef"),
        };
      });
      assert.equal(shown.chip, "⟨U+202E⟩abc⟨U+0000⟩def");
      assert.equal(shown.word, "⟨U+202E⟩abc⟨U+0000⟩def");
      // Left to right as typed: a raw U+202E would lay "abc" and "def" out right to left.
      for (const lefts of [shown.chipLefts, shown.wordLefts]) {
        for (let i = 1; i < lefts.length; i++) assert.ok(lefts[i - 1] < lefts[i], `${lefts}`);
      }
    } finally {
      await browser.close();
      await server.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
