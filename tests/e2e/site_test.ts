/**
 * `deno task site`, as a person would use it: a model trained with the CLI, a site built from
 * its run directory, the folder served under a sub-path by a plain static file server (not
 * `serve`), once without the COOP/COEP headers (one thread) and once with them. In headless
 * Chromium no request fails, the page's top-5 equals onnxruntime-node's, the model API gives
 * the CLI's text for the same seed, and the README's own 15-line page works.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { runTool } from "../helpers/cli.ts";
import { serveStatic } from "../../tools/lib/serve/static_server.ts";
import { ignoreWithoutChromium, launchChromium } from "./browser.ts";
import { assertSameTop5, pageTop5 } from "./page_helpers.ts";
import { Reference } from "./reference.ts";
import { waitForState } from "./train_helpers.ts";
import { ORT_FILES } from "../../tools/lib/serve/site_build.ts";

// The page's globals, for the functions that run in it (no DOM library here).
// deno-lint-ignore no-explicit-any
declare const document: any;

const NAME = "deno task site: a static folder works under a sub-path, with and without COOP/COEP";
const PROMPT = "eight thousand one . eight thousand two .";
const SAMPLING = [
  "--n",
  "30",
  "--temperature",
  "1",
  "--top-k",
  "10",
  "--top-p",
  "0.9",
  "--seed",
  "7",
];

/** The README's page for one's own site: its only html block. */
async function readmePage(): Promise<string> {
  const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  const blocks = [...readme.matchAll(/```html\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.equal(blocks.length, 1, "README has one html block: the site's own page");
  return blocks[0];
}

/** Fails on any request that fails or answers an error, and on errors in the page. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on("requestfailed", (r) => problems.push(`${r.url()}: ${r.failure()?.errorText}`));
  page.on("response", (r) => {
    if (r.status() >= 400) problems.push(`${r.url()}: HTTP ${r.status()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  return problems;
}

Deno.test({
  name: NAME,
  ignore: ignoreWithoutChromium(NAME),
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const dir = await Deno.makeTempDir({ prefix: "onnx-lm-site-" });
    const browser = await launchChromium({});
    try {
      const run = `${dir}/run`;
      const trained = await runTool("train", ["lm6", "--epochs", "2", "--out", run]);
      assert.equal(trained.code, 0, trained.stderr);
      const site = `${dir}/site`;
      const built = await runTool("site", [run, "--out", site]);
      assert.equal(built.code, 0, built.stderr);
      assert.match(built.stdout, /ort\/\s+4\d\.\d MB/);
      const cli = await runTool("generate", [run, "--prompt", PROMPT, ...SAMPLING]);
      assert.equal(cli.code, 0, cli.stderr);
      await Deno.writeTextFile(`${site}/mine.html`, await readmePage());
      const reference = await Reference.load(`${site}/models`, "lm6");
      const want = await reference.top(PROMPT);

      for (const isolation of [false, true]) {
        await t.step(
          isolation ? "with COOP/COEP: threads" : "no COOP/COEP: one thread",
          async () => {
            const server = serveStatic(site, { base: "/some/project/", isolation });
            const page = await browser.newPage();
            const problems = watch(page);
            try {
              await page.goto(server.url);
              await page.waitForSelector('#status[data-state="ready"]', { timeout: 60_000 });
              assert.equal(
                await page.evaluate(() =>
                  (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated
                ),
                isolation,
              );
              await page.fill("#prompt", PROMPT);
              assertSameTop5(await pageTop5(page, PROMPT), want, "the site's page");
              const note = (await page.textContent("#backend-info")) ?? "";
              const threads = (await page.textContent("#train-threads-info")) ?? "";
              if (isolation) {
                assert.doesNotMatch(note, /one thread/);
                assert.match(threads, /cross-origin isolated: wasm can use up to/);
              } else {
                for (const text of [note, threads]) {
                  assert.match(text, /on one thread/);
                  assert.match(text, /Cross-Origin-Opener-Policy: same-origin/);
                  assert.match(text, /Cross-Origin-Embedder-Policy: require-corp/);
                }
              }
              // The model API, imported from the site as one's own page would, gives the CLI's text.
              const text = await page.evaluate(async (prompt) => {
                const ort = await import("./ort/ort.min.mjs");
                const api = await import("./lib/onnx_lm.js");
                const model = await api.loadModel("models/lm6.onnx", { ort, backend: "wasm" });
                const out = await model.generate(prompt, {
                  n: 30,
                  temperature: 1,
                  topK: 10,
                  topP: 0.9,
                  seed: 7,
                });
                await model.release();
                return out;
              }, PROMPT);
              assert.equal(text + "\n", cli.stdout);

              // The README's 15-line page.
              await page.goto(`${server.url}mine.html`);
              await page.click("#go");
              await page.waitForFunction(
                () => (document.getElementById("out")?.textContent ?? "").split(/\s+/).length > 10,
                undefined,
                { timeout: 30_000 },
              );
              // The Train panel: its worker, and the worker's onnxruntime-web, resolve under the
              // sub-path too (with COOP/COEP on the default threads, else on one).
              await page.goto("about:blank");
              await page.goto(`${server.url}#train=lm1&epochs=1&seed=42&start`);
              assert.equal(await waitForState(page, ["finished", "error"]), "finished");
              assert.deepEqual(problems, [], "no request fails and the page logs no error");
              assert.ok(server.log.every((r) => r.path.startsWith("/some/project/")), "relative");
              // Every onnxruntime-web file the site holds is loaded, and no other is asked for.
              const ort = server.log.filter((r) => r.path.startsWith("/some/project/ort/"))
                .map((r) => r.path.slice("/some/project/ort/".length));
              assert.deepEqual([...new Set(ort)].sort(), [...ORT_FILES].sort());
            } finally {
              await page.close();
              await server.close();
            }
          },
        );
      }
    } finally {
      await browser.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
