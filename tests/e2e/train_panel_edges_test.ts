/**
 * Issue 22's rough edges of the Train panel, in headless Chromium: no broken image before a
 * run, the panel below the prediction panels, the size fields with the CLI's limits reaching
 * the run (and its checkpoint), perplexity (and bits per character) in the table, "1 epoch",
 * and a model trained on one's own text opening with a prompt from that text.
 *
 * @module
 */

import assert from "node:assert/strict";
import { numberToWords } from "../../src/data/number_words.ts";
import { tableColumns } from "../../src/report/table.ts";
import { decodeCheckpoint } from "../../src/train/checkpoint.ts";
import { ignoreWithoutChromium, launchChromium } from "./browser.ts";
import { download, pageRows, trainServer, waitForState } from "./train_helpers.ts";

// Functions run in the page (see train_helpers.ts): its globals, declared.
// deno-lint-ignore no-explicit-any
declare const document: any;

/** About 5,700 characters of number words on one line. */
const TEXT = Array.from({ length: 300 }, (_, i) => numberToWords(i + 1)).join(", ") + ".\n";

const NAME = "the Train panel's sizes, perplexity, place and prompt (issue 22)";

Deno.test({
  name: NAME,
  ignore: ignoreWithoutChromium(NAME),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const served = await trainServer("onnx-lm-train-edges-");
    const { dir, server } = served;
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const pageErrors: string[] = [];
      page.on("pageerror", (e) => pageErrors.push(e.message));

      await t.step("before a run: no curve image, the panel after Next token", async () => {
        await page.goto(`${server.url}#train=lm1`);
        await page.waitForSelector('#train-status[data-state="idle"]');
        assert.equal(await page.locator("#train-curve").isVisible(), false);
        assert.equal(await page.locator("#train-curve").boundingBox(), null);
        const order = await page.locator("main > section").evaluateAll((sections) =>
          sections.map((s) => s.id || s.getAttribute("aria-labelledby"))
        );
        assert.deepEqual(order, [
          "model-heading",
          "prompt-heading",
          "next-heading",
          "train",
          "timing-heading",
          "vocab-heading",
        ]);
        const header = await page.locator("#train-table thead th").allTextContents();
        assert.deepEqual(header, tableColumns("word"));
        assert.ok(header.includes("perplexity"));
      });

      await t.step(
        "size fields: the book's values, locked where the model fixes them",
        async () => {
          const state = () =>
            page.evaluate(() =>
              ["hidden", "layers", "dropout", "bs", "sl"].map((k) => {
                const f = document.getElementById(`train-${k}`);
                return `${k}=${f.value}${f.disabled ? " locked" : ""}`;
              })
            );
          // lm1: one layer, no dropout, 3 tokens a sample.
          assert.deepEqual(await state(), [
            "hidden=64",
            "layers=1 locked",
            "dropout=0 locked",
            "bs=64",
            "sl=3 locked",
          ]);
          await page.selectOption("#train-model", "lm7");
          assert.deepEqual(await state(), [
            "hidden=64",
            "layers=2",
            "dropout=0.4",
            "bs=64",
            "sl=16",
          ]);
          assert.equal(await page.getAttribute("#train-hidden", "max"), "8192");
          await page.selectOption("#train-model", "lm6");
          await page.fill("#train-hidden", "0");
          await page.click("#train-start");
          assert.equal(
            await page.textContent("#train-message"),
            'hidden must be an integer from 1 to 8192: got "0"',
          );
          assert.equal(await page.getAttribute("#train-status", "data-state"), "idle");
        },
      );

      await t.step("a run at other sizes records them; perplexity; 1 epoch", async () => {
        for (const [id, value] of [["epochs", "1"], ["hidden", "16"], ["bs", "16"], ["sl", "8"]]) {
          await page.fill(`#train-${id}`, value);
          await page.dispatchEvent(`#train-${id}`, "change");
        }
        assert.match(page.url(), /#train=lm6&epochs=1&.*&hidden=16&bs=16&sl=8$/);
        await page.click("#train-start");
        assert.equal(await waitForState(page, ["finished", "error"]), "finished");
        assert.equal(await page.textContent("#train-message"), "");
        assert.match((await page.textContent("#train-status"))!, /^Finished 1 epoch: /);
        const [row] = await pageRows(page);
        const cells = await page.locator("#train-table tbody tr td").allTextContents();
        assert.equal(cells[4], Math.exp(row.valid_loss).toFixed(6)); // perplexity
        assert.equal(await page.locator("#train-curve").isVisible(), true);
        await download(page, "checkpoint.safetensors", `${dir}/checkpoint.safetensors`);
        const { meta } = decodeCheckpoint(
          await Deno.readFile(`${dir}/checkpoint.safetensors`),
          "checkpoint.safetensors",
        );
        const m = meta as { arch: { hidden: number }; recipe: Record<string, number> };
        assert.deepEqual(
          [m.arch.hidden, m.recipe.batchSize, m.recipe.seqLen, m.recipe.epochs],
          [16, 16, 8, 1],
        );
        // The prediction panels took the model; their line counts "1 epoch".
        await page.waitForSelector('#status[data-state="ready"]', { timeout: 30_000 });
        const info = (await page.textContent("#model-info"))!;
        assert.match(info, / · 1 epoch · /);
        assert.doesNotMatch(info, /1 epochs/);
        // A Human Numbers model keeps the book's prompt.
        assert.match(await page.inputValue("#prompt"), /^seven thousand three hundred one/);
      });

      await t.step("one's own text: bits per character, and a prompt from the text", async () => {
        await page.goto("about:blank");
        await page.goto(server.url);
        await page.waitForSelector('#train-status[data-state="idle"]');
        await page.selectOption("#train-model", "lm4");
        await page.fill("#train-epochs", "1");
        await page.fill("#train-hidden", "16");
        await page.fill("#train-bs", "16"); // the validation text holds a few batches of 16
        await page.selectOption("#train-corpus", "text");
        await page.fill("#train-text", TEXT);
        await page.selectOption("#train-tokens", "char");
        await page.click("#train-start");
        const end = await waitForState(page, ["finished", "error"], 300_000);
        assert.equal(end, "finished", (await page.textContent("#train-message"))!);
        const header = await page.locator("#train-table thead th").allTextContents();
        assert.deepEqual(header, tableColumns("char"));
        const [row] = await pageRows(page);
        const cells = await page.locator("#train-table tbody tr td").allTextContents();
        assert.equal(cells[5], (row.valid_loss / Math.LN2).toFixed(6)); // bits per character
        await page.waitForSelector('#status[data-state="ready"]', { timeout: 30_000 });
        await download(page, "lm4.json", `${dir}/lm4.json`);
        const sidecar = JSON.parse(await Deno.readTextFile(`${dir}/lm4.json`));
        const prompt = await page.inputValue("#prompt");
        assert.equal(prompt, sidecar.prompt);
        assert.ok(prompt.length > 20 && TEXT.includes(prompt), prompt);
        assert.equal(sidecar.recipe.epochs, 1);
      });

      assert.deepEqual(pageErrors, []);
    } finally {
      await browser.close();
      await served.close();
    }
  },
});
