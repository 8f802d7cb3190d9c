/**
 * The Train panel trains `gpt`: its size fields (embd, heads, block, bias) and Steps replace
 * the recurrent models' hidden, sl and Epochs; on wasm it reaches the figures `deno task train
 * gpt --steps` prints with the same settings (the tolerance of `train_helpers.ts`: the same
 * float32 graphs, kernels that round differently), its export predicts in the page as
 * onnxruntime-node does, and on WebGPU (SwiftShader: correctness only) it matches the wasm run
 * within float32 tolerance.
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

/** Small enough for a test: 16 steps of 8 windows of 16 tokens, a validation every 2. */
const SIZES = { embd: "16", heads: "2", layers: "2", block: "16", bs: "8" };
const STEPS = "16";
/** About 5,000 characters: a validation split of 3 batches of 8 x 16 (SwiftShader is slow). */
const TEXT = Array.from({ length: 280 }, (_, i) => numberToWords(i + 1)).join(", ") + ".\n";

async function trainGpt(page: Page, url: string, backend: string): Promise<Row[]> {
  await page.goto("about:blank");
  await page.goto(url);
  await page.waitForSelector('#train-status[data-state="idle"]');
  await page.selectOption("#train-model", "gpt");
  // A GPT's fields are shown, the recurrent models' hidden and sl are not.
  for (const id of ["steps", "embd", "heads", "block", "bias"]) {
    assert.ok(await page.isVisible(`#train-${id}`), `#train-${id} is shown for gpt`);
  }
  for (const id of ["epochs", "hidden", "sl"]) {
    assert.ok(!(await page.isVisible(`#train-${id}`)), `#train-${id} is hidden for gpt`);
  }
  assert.equal(await page.inputValue("#train-steps"), "2000", "nanoGPT's baby GPT by default");
  await page.fill("#train-steps", STEPS);
  await page.fill("#train-lr", "0.003");
  for (const [k, v] of Object.entries(SIZES)) await page.fill(`#train-${k}`, v);
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
    /16 steps of AdamW\(0\.9, 0\.99\) at lr 0\.003/,
  );
  return await pageRows(page);
}

const NAME = "the Train panel trains gpt on wasm to the CLI's figures, and on WebGPU";

Deno.test({
  name: NAME,
  ignore: ignoreWithoutChromium(NAME),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const served = await trainServer("onnx-lm-train-gpt-");
    const { dir, server } = served;
    await Deno.writeTextFile(`${dir}/numbers.txt`, TEXT);
    const browsers: Browser[] = [];
    try {
      let wasm: Row[] = [];
      await t.step("wasm: the CLI's figures; node's top-5 on the export", async () => {
        const cli = await cliRows([
          ...["gpt", "--text", `${dir}/numbers.txt`, "--tokens", "char"],
          ...Object.entries(SIZES).flatMap(([k, v]) => [`--${k}`, v]),
          ...["--steps", STEPS, "--lr", "0.003", "--seed", "42", "--out", `${dir}/cli`],
        ]);
        assert.equal(cli.length, 8);
        const browser = await launchChromium();
        browsers.push(browser);
        const page = await browser.newPage();
        wasm = await trainGpt(page, server.url, "wasm");
        assertRowsMatch(wasm, cli, "gpt on numbers.txt");
        assert.match(page.url(), /#train=gpt&steps=16&lr=0\.003&.*embd=16&.*heads=2&.*block=16/);

        await page.waitForSelector('#status[data-state="ready"]', { timeout: 30_000 });
        await Deno.mkdir(`${dir}/export`);
        for (const file of ["gpt.onnx", "gpt.json"]) {
          await download(page, file, `${dir}/export/${file}`);
        }
        const reference = await Reference.load(`${dir}/export`, "gpt");
        // The second prompt is longer than the block: the last 16 characters are read.
        for (const prompt of ["one hundred tw", "four hundred eighty-one, four hundred eig"]) {
          await page.fill("#prompt", prompt);
          assertSameTop5(await pageTop5(page, prompt), await reference.top(prompt), prompt);
        }
      });

      await t.step(
        "WebGPU (SwiftShader): the wasm run's figures within float32 tolerance",
        async () => {
          const browser = await launchChromium({ webgpu: true });
          browsers.push(browser);
          const gpu = await trainGpt(await browser.newPage(), server.url, "webgpu");
          assert.equal(gpu.length, wasm.length);
          // GPU kernels sum in another order than the CPU's: relative 1e-3 on the last epoch.
          const [g, w] = [gpu.at(-1)!, wasm.at(-1)!];
          const rel = Math.abs(g.valid_loss - w.valid_loss) / w.valid_loss;
          assert.ok(rel <= 1e-3, `valid_loss: webgpu ${g.valid_loss}, wasm ${w.valid_loss}`);
          assert.ok(Math.abs(g.accuracy - w.accuracy) <= 5e-3);
        },
      );
    } finally {
      for (const b of browsers) await b.close();
      await served.close();
    }
  },
});
