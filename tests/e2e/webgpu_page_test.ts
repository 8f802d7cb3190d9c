/**
 * The page's WebGPU backend in headless Chromium, on SwiftShader's software adapter: it is
 * chosen when the browser has an adapter, says so, and gives the wasm backend's top-5.
 *
 * @module
 */

import assert from "node:assert/strict";
import { startServer } from "../../tools/lib/serve/serve_app.ts";
import { ignoreWithoutChromium, launchChromium } from "./browser.ts";
import { exportFixture } from "./fixture.ts";
import { pageTop5 } from "./page_helpers.ts";
import type { Ranked } from "./reference.ts";

/**
 * WebGPU's float32 kernels (and SwiftShader's) reduce in another order than wasm's: logits
 * differ by about 1e-6, probabilities by less; 1e-4 is the bound the issue sets.
 */
const TOL = 1e-4;

const NAME = "the page runs on WebGPU when the browser has an adapter, with wasm's top-5";

Deno.test({
  name: NAME,
  ignore: ignoreWithoutChromium(NAME),
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "onnx-lm-webgpu-page-" });
    await exportFixture(dir, "lm7", 3, 42);
    await exportFixture(dir, "lm1", 1, 42);
    const server = await startServer({ port: 0, host: "127.0.0.1", modelsDir: dir });
    const browser = await launchChromium({ webgpu: true });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      const top5 = async (ep: string, model: string, prompt: string): Promise<Ranked[]> => {
        await page.goto(`${server.url}?model=${model}&ep=${ep}`);
        await page.waitForSelector('#status[data-state="ready"]', { timeout: 60_000 });
        assert.equal(await page.getAttribute("#backend-info", "data-backend"), ep);
        await page.fill("#prompt", prompt);
        // Wait with a selector first: the page's CSP forbids the string evaluation a polling
        // waitForFunction needs, and pageTop5's check then passes at once.
        await page.waitForSelector(`#top5[data-prompt=${JSON.stringify(prompt)}]`, {
          timeout: 60_000,
        });
        return await pageTop5(page, prompt);
      };
      for (const [model, prompt] of [["lm7", "one . two . three ."], ["lm1", "one . two"]]) {
        const wasm = await top5("wasm", model, prompt);
        const gpu = await top5("webgpu", model, prompt);
        assert.deepEqual(gpu.map((r) => r.token), wasm.map((r) => r.token), model);
        gpu.forEach((r, i) =>
          assert.ok(
            Math.abs(r.prob - wasm[i].prob) <= TOL,
            `${model}: p(${r.token}) ${r.prob} on webgpu, ${wasm[i].prob} on wasm`,
          )
        );
      }
      // Without ?ep the page follows the one default rule (src/api/devices.ts): this adapter
      // is SwiftShader, a GPU emulated on the CPU, so wasm, and the page says why.
      await page.goto(`${server.url}?model=lm7`);
      await page.waitForSelector('#status[data-state="ready"]', { timeout: 60_000 });
      assert.equal(await page.getAttribute("#backend-info", "data-backend"), "wasm");
      assert.match(
        (await page.textContent("#backend-info")) ?? "",
        /Running on WebAssembly: WebGPU here is a software adapter/,
      );
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await server.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
