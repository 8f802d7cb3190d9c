/**
 * The Train panel in headless Chromium: the book's models train in the page (onnxruntime-web,
 * wasm, in a worker) to the figures `deno task train` prints, the trained model predicts as
 * onnxruntime-node does on the downloaded `.onnx`, and the downloaded checkpoint is one that
 * `deno task export` and `deno task train --resume` take.
 *
 * Tolerance: the page's wasm kernels and onnxruntime-node's native ones (MLAS) sum in other
 * orders, so single ops differ in the last float32 bits; 2 epochs (98 Adam steps) grow that to
 * about 1e-6 in the validation loss (measured: 1.3e-6 for lm6). The checks allow 1e-4 in the
 * losses and 1e-3 in accuracy (12 of lm6's 12,288 validation predictions), far below what any
 * real difference (a wrong mask, a skipped step, another schedule) moves: those shift the
 * loss by more than 1e-2.
 *
 * @module
 */

import assert from "node:assert/strict";
import { TABLE_COLUMNS } from "../../src/report/table.ts";
import { runTool } from "../helpers/cli.ts";
import { ignoreWithoutChromium, launchChromium } from "./browser.ts";
import { assertSameTop5, pageTop5 } from "./page_helpers.ts";
import { Reference } from "./reference.ts";
import {
  assertRowsMatch,
  cliRows,
  download,
  pageRows,
  trainServer,
  waitForState,
} from "./train_helpers.ts";

// Functions run in the page (see train_helpers.ts): its globals, declared.
// deno-lint-ignore no-explicit-any
declare const document: any;
declare const crossOriginIsolated: boolean;

/** Where the Train panel's screenshot goes (`docs/train-panel.png` refreshes the README's). */
const SCREENSHOT = Deno.env.get("ONNX_LM_TRAIN_SCREENSHOT") ?? ".tmp/train-panel.png";

const NAME = "the Train panel trains lm6 and lm7 as deno task train does, in a worker";

Deno.test({
  name: NAME,
  ignore: ignoreWithoutChromium(NAME),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const served = await trainServer("onnx-lm-train-page-");
    const { dir, server } = served;
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
      const pageErrors: string[] = [];
      page.on("pageerror", (e) => pageErrors.push(e.message));

      await t.step(
        "lm6, 2 epochs, seed 42: the CLI's table; predictions and export equal node's",
        async () => {
          const cli = await cliRows([
            "lm6",
            "--epochs",
            "2",
            "--seed",
            "42",
            "--out",
            `${dir}/cli6`,
          ]);
          await page.goto(`${server.url}#train=lm6&epochs=2&seed=42&start`);
          assert.equal(await waitForState(page, ["finished", "error"]), "finished");
          assert.equal(await page.textContent("#train-message"), "");
          const header = await page.locator("#train-table thead th").allTextContents();
          assert.deepEqual(header, TABLE_COLUMNS);
          assertRowsMatch(await pageRows(page), cli, "lm6");
          assert.equal(
            await page.evaluate(() => document.getElementById("train-progress").value),
            49,
          );
          assert.match(
            (await page.textContent("#train-speed"))!,
            /epoch 2\/2: 49\/49 batches.*steps\/s/,
          );
          assert.match((await page.getAttribute("#train-curve", "src"))!, /^data:image\/svg\+xml/);
          assert.match(page.url(), /#train=lm6&epochs=2&seed=42&start$/);
          assert.equal(await page.evaluate(() => crossOriginIsolated), true);
          await Deno.mkdir(SCREENSHOT.replace(/\/[^/]*$/, ""), { recursive: true });
          await page.locator("#train").screenshot({ path: SCREENSHOT });

          // The prediction panels switched to the model just trained.
          await page.waitForSelector('#status[data-state="ready"]', { timeout: 30_000 });
          const option = await page.locator("#model option:checked").textContent();
          assert.match(option!, /^lm6 · accuracy 0\.\d{3} · .* · trained in this page$/);
          await Deno.mkdir(`${dir}/export6`);
          for (const file of ["lm6.onnx", "lm6.json"]) {
            await download(page, file, `${dir}/export6/${file}`);
          }
          const reference = await Reference.load(`${dir}/export6`, "lm6");
          for (const prompt of ["one . two . three .", "seven thousand three hundred"]) {
            await page.fill("#prompt", prompt);
            assertSameTop5(await pageTop5(page, prompt), await reference.top(prompt), prompt);
          }

          // The checkpoint is the CLI's format: deno task export turns it into the very bytes
          // the page exported.
          await Deno.mkdir(`${dir}/page6`);
          await download(page, "checkpoint.safetensors", `${dir}/page6/checkpoint.safetensors`);
          const exported = await runTool("export", [`${dir}/page6`, "--out", `${dir}/cli-export6`]);
          assert.equal(exported.code, 0, exported.stderr);
          for (const file of ["lm6.onnx", "lm6.json"]) {
            assert.deepEqual(
              await Deno.readFile(`${dir}/cli-export6/${file}`),
              await Deno.readFile(`${dir}/export6/${file}`),
              file,
            );
          }
        },
      );

      await t.step(
        "lm7 (dropout): Stop keeps epoch 0, the CLI resumes its checkpoint, Resume finishes",
        async () => {
          const cli = await cliRows([
            "lm7",
            "--epochs",
            "2",
            "--seed",
            "42",
            "--out",
            `${dir}/cli7`,
          ]);
          await page.goto("about:blank"); // a fresh page: a new hash alone is no new load
          await page.goto(`${server.url}#train=lm7&epochs=2&seed=42&start`);
          // Stop in the second epoch, once its first batches have run.
          await page.waitForFunction(
            () =>
              document.querySelectorAll("#train-table tbody tr").length === 1 &&
              /^epoch 2\/2/.test(document.getElementById("train-speed").textContent),
            undefined,
            { timeout: 120_000, polling: 20 },
          );
          await page.click("#train-stop");
          assert.equal(await waitForState(page, ["stopped", "finished", "error"]), "stopped");
          assert.match((await page.textContent("#train-status"))!, /after epoch 0/);
          assertRowsMatch(await pageRows(page), cli.slice(0, 1), "lm7 before Stop");
          assert.equal(await page.isEnabled("#train-resume"), true);

          await Deno.mkdir(`${dir}/page7`);
          await download(page, "checkpoint.safetensors", `${dir}/page7/checkpoint.safetensors`);
          const resumed = await cliRows(["lm7", "--resume", "--out", `${dir}/page7`]);
          assertRowsMatch(resumed, cli.slice(1), "lm7 resumed by the CLI");

          await page.click("#train-resume");
          assert.equal(await waitForState(page, ["finished", "error"]), "finished");
          assertRowsMatch(await pageRows(page), cli, "lm7 resumed in the page");
        },
      );

      await t.step("a bad link and a bad field get a message naming the setting", async () => {
        await page.goto("about:blank");
        await page.goto(`${server.url}#train=lm9&epochs=2`);
        await page.waitForSelector('#train-status[data-state="idle"]');
        assert.match(
          (await page.textContent("#train-message"))!,
          /unknown model "lm9": expected one of lm1, lm2/,
        );
        await page.fill("#train-epochs", "0");
        await page.click("#train-start");
        assert.match(
          (await page.textContent("#train-message"))!,
          /epochs must be an integer from 1 to 1000: got "0"/,
        );
        assert.equal(await page.getAttribute("#train-status", "data-state"), "idle");
      });

      await t.step("a diverging run says so in the page, with the way forward", async () => {
        await page.goto("about:blank");
        await page.goto(`${server.url}#train=lm4&epochs=1&lr=10&start`);
        assert.equal(await waitForState(page, ["error", "finished"]), "error");
        assert.match(
          (await page.textContent("#train-message"))!,
          /^Training loss is NaN at epoch 0, batch \d+: stopping: the weights diverged at lr 10; train again with a lower lr, e\.g\. 1$/,
        );
        assert.equal(await page.isEnabled("#train-start"), true);
      });

      assert.deepEqual(pageErrors, []);
    } finally {
      await browser.close();
      await served.close();
    }
  },
});
