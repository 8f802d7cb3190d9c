/**
 * The Train panel's Find lr in headless Chromium: fastai's lr_find runs in the page's worker
 * (onnxruntime-web, wasm) with the panel's settings, fills the lr field with its `valley`
 * suggestion, shows the three suggestions and the plot, and agrees with `deno task lr-find`.
 *
 * Tolerance: wasm and native kernels round differently (about 1e-6 in a loss after a few
 * dozen steps, see train_page_test.ts). On the flat start of the sweep neighbouring smoothed
 * losses differ by as little as 1e-5, so the longest decreasing run `valley` reads may gain or
 * lose a point there: the page's suggestions may sit a step (a factor 10^0.08) from the CLI's.
 * The check allows two steps; another schedule, momentum or batch order moves them far more.
 *
 * @module
 */

import assert from "node:assert/strict";
import { runTool } from "../helpers/cli.ts";
import { ignoreWithoutChromium, launchChromium } from "./browser.ts";
import { trainServer, waitForState } from "./train_helpers.ts";

// Functions run in the page (see train_helpers.ts): its globals, declared.
// deno-lint-ignore no-explicit-any
declare const document: any;

const NAME = "the Train panel's Find lr runs lr_find in the worker and fills the lr field";

/** log10 of one step of the default sweep: 8 decades over 100 steps. */
const STEP = 8 / 100;

Deno.test({
  name: NAME,
  ignore: ignoreWithoutChromium(NAME),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const served = await trainServer("onnx-lm-lr-find-page-");
    const { dir, server } = served;
    const browser = await launchChromium();
    try {
      const cli = await runTool("lr_find", ["lm6", "--json", "--svg", `${dir}/cli.svg`]);
      assert.equal(cli.code, 0, cli.stderr);
      const expected = JSON.parse(cli.stdout).suggestions;

      const page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
      const pageErrors: string[] = [];
      page.on("pageerror", (e) => pageErrors.push(e.message));
      await page.goto(`${server.url}#train=lm6&epochs=2&seed=42`);
      await page.waitForSelector('#train-status[data-state="idle"]');
      assert.equal(await page.inputValue("#train-lr"), "0.01"); // the book's
      assert.equal(await page.isEnabled("#train-lr-find"), true);
      await page.click("#train-lr-find");
      // Locked while it runs, like Train.
      assert.equal(await page.isEnabled("#train-start"), false);
      assert.equal(await page.isEnabled("#train-lr-find"), false);
      await page.waitForFunction(
        () => /^lr_find|failed/.test(document.getElementById("train-status").textContent),
        undefined,
        { timeout: 180_000, polling: 100 },
      );
      assert.equal(await waitForState(page, ["idle", "error"]), "idle");
      assert.equal(await page.textContent("#train-message"), "");
      const status = (await page.textContent("#train-status"))!;
      const m = status.match(
        /^lr_find \((\d+) steps\): valley ([\d.e-]+), now in the lr field; minimum ([\d.e-]+), steep ([\d.e-]+)$/,
      );
      assert.ok(m, status);
      const lr = await page.inputValue("#train-lr");
      assert.equal(lr, m[2]);
      const got = { valley: Number(m[2]), minimum: Number(m[3]), steep: Number(m[4]) };
      for (const name of ["valley", "minimum", "steep"] as const) {
        const steps = Math.abs(Math.log10(got[name] / expected[name])) / STEP;
        assert.ok(steps <= 2.01, `${name}: ${got[name]} in the page, ${expected[name]} in the CLI`);
      }
      // The CLI's lm6 test pins [1e-3, 1e-1]; its valley sits at 1e-3, a step lower is allowed.
      assert.ok(got.valley >= 8e-4 && got.valley <= 1e-1, `valley ${got.valley}`);
      const shot = Deno.env.get("ONNX_LM_LR_FIND_SCREENSHOT");
      if (shot) await page.locator("#train").screenshot({ path: shot });
      // The link carries the lr found; the plot shows where the curves go.
      assert.match((await page.getAttribute("#train-link", "href"))!, new RegExp(`lr=${lr}`));
      const src = decodeURIComponent((await page.getAttribute("#train-curve", "src"))!);
      assert.match(src, /^data:image\/svg\+xml/);
      assert.match(src, />lm6: lr_find</);
      assert.match(src, new RegExp(`>valley: ${m[2].replace(/\./g, "\\.")}<`));
      assert.equal(await page.isVisible("#train-curve"), true);
      assert.equal(
        await page.getAttribute("#train-curve", "alt"),
        "lr_find: the smoothed loss against the learning rate, with valley, minimum, steep marked",
      );
      assert.match((await page.textContent("#train-speed"))!, /^lr_find: step \d+\/100, lr /);
      // Unlocked, and the field's value is one Train takes.
      assert.equal(await page.isEnabled("#train-start"), true);
      assert.equal(await page.isEnabled("#train-lr-find"), true);
      assert.equal(await page.isEnabled("#train-resume"), false);
      // Stop ends a sweep early: what it has is shown, fewer than 100 steps.
      await page.click("#train-lr-find");
      await page.waitForFunction(
        () => /^lr_find: step/.test(document.getElementById("train-speed").textContent),
        undefined,
        { timeout: 60_000, polling: 20 },
      );
      await page.click("#train-stop");
      await page.waitForFunction(
        () => /^lr_find[ :(]/.test(document.getElementById("train-status").textContent),
        undefined,
        { timeout: 60_000, polling: 50 },
      );
      const stopped = (await page.textContent("#train-status"))!;
      const steps = Number(stopped.match(/(\d+) steps?/)?.[1]);
      assert.ok(steps >= 1 && steps < 100, stopped);
      assert.equal(await page.isEnabled("#train-lr-find"), true);

      // Train takes the lr found (a stopped sweep with enough points fills in its own).
      await page.fill("#train-lr", lr);
      await page.fill("#train-epochs", "1");
      await page.click("#train-start");
      assert.equal(await waitForState(page, ["finished", "error"]), "finished");
      assert.equal(await page.locator("#train-table tbody tr").count(), 1);
      assert.match(
        (await page.textContent("#train-info"))!,
        new RegExp(`\\b${lr.replace(/\./g, "\\.")}\\b`),
      );
      assert.match(await page.getAttribute("#train-curve", "alt") ?? "", /^Training curves/);
      assert.deepEqual(pageErrors, []);
    } finally {
      await browser.close();
      await served.close();
    }
  },
});
