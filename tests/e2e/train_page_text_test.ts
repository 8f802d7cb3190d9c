/**
 * The Train panel on one's own text: an uploaded file, read as characters, trains in the page
 * to the figures `deno task train --text` prints for the same file; the trained model predicts
 * as onnxruntime-node does on the downloaded export; and the same run on WebGPU (SwiftShader's
 * software adapter: correctness only) matches the wasm one within float32 tolerance.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import type { Browser, Page } from "playwright-core";
import { numberToWords } from "../../src/data/number_words.ts";
import { ignoreWithoutChromium, launchChromium } from "./browser.ts";
import { assertSameTop5, pageTop5 } from "./page_helpers.ts";
import { Reference } from "./reference.ts";
import {
  assertRowsMatch,
  cliRows,
  download,
  pageRows,
  type Row,
  trainServer,
  waitForState,
} from "./train_helpers.ts";

/** About 11,500 characters: 9 training batches of 64 x 16 and one validation batch. */
const TEXT = Array.from({ length: 560 }, (_, i) => numberToWords(i + 1)).join(", ") + ".\n";

async function trainOwnText(page: Page, url: string, backend: string): Promise<Row[]> {
  await page.goto("about:blank");
  await page.goto(url);
  await page.waitForSelector('#train-status[data-state="idle"]');
  await page.selectOption("#train-model", "lm4");
  await page.fill("#train-epochs", "1");
  await page.selectOption("#train-backend", backend);
  await page.selectOption("#train-corpus", "text");
  await page.setInputFiles("#train-file", {
    name: "numbers.txt",
    mimeType: "text/plain",
    buffer: Buffer.from(TEXT, "utf-8"),
  });
  await page.selectOption("#train-tokens", "char");
  await page.click("#train-start");
  assert.equal(await waitForState(page, ["finished", "error"], 300_000), "finished");
  assert.equal(await page.textContent("#train-message"), "");
  assert.match(
    (await page.textContent("#train-info"))!,
    /numbers\.txt: \d+ train \/ \d+ valid char tokens/,
  );
  return await pageRows(page);
}

const NAME = "the Train panel trains on an uploaded text, on wasm and on WebGPU";

Deno.test({
  name: NAME,
  ignore: ignoreWithoutChromium(NAME),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const served = await trainServer("onnx-lm-train-text-");
    const { dir, server } = served;
    await Deno.writeTextFile(`${dir}/numbers.txt`, TEXT);
    const browsers: Browser[] = [];
    try {
      let wasm: Row[] = [];
      await t.step("wasm: the CLI's figures for the same file; node's top-5", async () => {
        const cli = await cliRows([
          ...["lm4", "--text", `${dir}/numbers.txt`, "--tokens", "char", "--epochs", "1"],
          ...["--seed", "42", "--out", `${dir}/cli`],
        ]);
        const browser = await launchChromium();
        browsers.push(browser);
        const page = await browser.newPage();
        wasm = await trainOwnText(page, server.url, "wasm");
        assertRowsMatch(wasm, cli, "lm4 on numbers.txt");

        await page.waitForSelector('#status[data-state="ready"]', { timeout: 30_000 });
        await Deno.mkdir(`${dir}/export`);
        for (const file of ["lm4.onnx", "lm4.json"]) {
          await download(page, file, `${dir}/export/${file}`);
        }
        const reference = await Reference.load(`${dir}/export`, "lm4");
        for (const prompt of ["one hundred tw", "three hundred "]) {
          await page.fill("#prompt", prompt);
          assertSameTop5(await pageTop5(page, prompt), await reference.top(prompt), prompt);
        }
      });

      await t.step(
        "a pasted text too short for one batch is refused, as the CLI refuses it",
        async () => {
          const page = await browsers[0].newPage();
          await page.goto(server.url);
          await page.waitForSelector('#train-status[data-state="idle"]');
          await page.selectOption("#train-corpus", "text");
          await page.fill("#train-text", "one two three. four five six.");
          await page.selectOption("#train-tokens", "word");
          await page.click("#train-start");
          assert.equal(await waitForState(page, ["error", "finished"]), "error");
          assert.match(
            (await page.textContent("#train-message"))!,
            /^Cannot start training: .*pasted\.txt/,
          );
          await page.close();
        },
      );

      await t.step(
        "WebGPU (SwiftShader): the wasm run's figures within float32 tolerance",
        async () => {
          const browser = await launchChromium({ webgpu: true });
          browsers.push(browser);
          const gpu = await trainOwnText(await browser.newPage(), server.url, "webgpu");
          assert.equal(gpu.length, 1);
          // GPU kernels sum in another order than the CPU's: relative 1e-3 on one epoch.
          const rel = Math.abs(gpu[0].valid_loss - wasm[0].valid_loss) / wasm[0].valid_loss;
          assert.ok(
            rel <= 1e-3,
            `valid_loss: webgpu ${gpu[0].valid_loss}, wasm ${wasm[0].valid_loss}`,
          );
          assert.ok(Math.abs(gpu[0].accuracy - wasm[0].accuracy) <= 5e-3);
        },
      );
    } finally {
      for (const b of browsers) await b.close();
      await served.close();
    }
  },
});
