/**
 * `deno task bench:load [model.onnx...]`: how soon the page is useful. Builds a site
 * (`deno task site`'s code) from the models, serves it with a plain static server under a
 * sub-path, and in headless Chromium reads the page's own marks: the model loaded, the first
 * top-5 shown, and the first generated token (Continue clicked as soon as the top-5 shows),
 * each counted from the start of navigation; cold (a new browser profile: nothing cached) and
 * warm (a reload: the HTTP cache and Chromium's compiled wasm kept). Without models it
 * measures `examples/lm6.onnx` and a 4 MB word model it trains on a generated corpus.
 * Prints a Markdown table with the machine named.
 *
 * @module
 */

import type { Browser } from "playwright-core";
import { launchChromium } from "./lib/serve/chromium.ts";
import { parseFlags, runTool, UsageError } from "./lib/cli/cli.ts";
import { machineLine, median } from "./lib/bench/machine.ts";
import { PROJECT_ROOT } from "./lib/serve/serve_app.ts";
import { siteModel, writeSite } from "./lib/serve/site_build.ts";
import { serveStatic } from "./lib/serve/static_server.ts";
import { formatBytes } from "../src/web/page_format.ts";

const USAGE = `Usage: deno task bench:load [model.onnx...] [--repeats N] [--isolated]

Times from page load to the model loaded, the first top-5 and the first generated token in
headless Chromium, cold (empty cache) and warm (reload), for each model (default:
examples/lm6.onnx and a 4 MB word model trained here). --isolated sends COOP/COEP.`;

/** The page's marks, in ms from navigation start. */
interface Marks {
  readonly loaded: number;
  readonly prediction: number;
  readonly token: number;
}

// The page's globals, for the functions that run in it (no DOM library here).
// deno-lint-ignore no-explicit-any
declare const document: any;

async function measure(
  browser: Browser,
  url: string,
  repeats: number,
): Promise<{ cold: Marks[]; warm: Marks[] }> {
  const cold: Marks[] = [];
  const warm: Marks[] = [];
  for (let r = 0; r < repeats; r++) {
    const context = await browser.newContext(); // a fresh profile: nothing cached
    const page = await context.newPage();
    for (const bucket of [cold, warm]) {
      await page.goto(url);
      await page.waitForFunction(
        () => performance.getEntriesByName("onnx-lm:first-prediction").length > 0,
        undefined,
        { timeout: 120_000, polling: 10 },
      );
      await page.click("#continue");
      await page.waitForFunction(
        () => performance.getEntriesByName("onnx-lm:first-token").length > 0,
        undefined,
        { timeout: 120_000, polling: 10 },
      );
      const marks = await page.evaluate(() => {
        const at = (name: string) => performance.getEntriesByName(name)[0]?.startTime ?? NaN;
        return {
          loaded: at("onnx-lm:model-loaded"),
          prediction: at("onnx-lm:first-prediction"),
          token: at("onnx-lm:first-token"),
        };
      });
      bucket.push(marks);
      // Let the generation end before the reload.
      await page.waitForFunction(() =>
        document.getElementById("continue").textContent === "Continue"
      );
    }
    await context.close();
  }
  return { cold, warm };
}

/** A 4 MB word model: lm6 on a generated corpus of 9,000 words, one epoch. */
async function wordModel(dir: string): Promise<string> {
  const run = async (args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", ...args],
      cwd: PROJECT_ROOT,
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  };
  console.error("training a 4 MB word model (lm6, 9,000 words, 1 epoch)…");
  await run(["tools/make_corpus.ts", "--out", `${dir}/words.txt`, "--mb", "1", "--words", "9000"]);
  await run([
    "tools/train.ts",
    "lm6",
    "--text",
    `${dir}/words.txt`,
    "--epochs",
    "1",
    "--out",
    `${dir}/run`,
  ]);
  await run(["tools/export.ts", `${dir}/run`, "--out", `${dir}/exp`, "--name", "words"]);
  return `${dir}/exp/words.onnx`;
}

async function main(): Promise<number> {
  const parsed = parseFlags(Deno.args, {
    repeats: { type: "string" },
    isolated: { type: "boolean" },
  }, USAGE);
  if (!parsed) return 0;
  const repeats = Number(parsed.values.repeats ?? 3);
  if (!Number.isInteger(repeats) || repeats < 1) {
    throw new UsageError(`--repeats must be an integer >= 1: got "${parsed.values.repeats}"`);
  }
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-bench-load-" });
  const browser = await launchChromium({});
  try {
    const sources = parsed.positionals.length
      ? parsed.positionals
      : [`${PROJECT_ROOT}/examples/lm6.onnx`, await wordModel(dir)];
    const models = [];
    for (const s of sources) models.push(await siteModel(s));
    await writeSite(`${dir}/site`, models);
    const server = serveStatic(`${dir}/site`, {
      base: "/bench/",
      isolation: parsed.values.isolated ?? false,
    });
    const rows = [
      "| model | .onnx | | model loaded | first top-5 | first token |",
      "| --- | ---: | --- | ---: | ---: | ---: |",
    ];
    try {
      for (const m of models) {
        const vocab = JSON.parse(m.sidecar).vocab as string[];
        // A prompt in the model's own words: its first ten non-special tokens.
        const prompt = vocab.filter((t) => !t.startsWith("xx")).slice(0, 10).join(" ");
        const url = `${server.url}?model=${m.name}&ep=wasm&prompt=${encodeURIComponent(prompt)}`;
        const { cold, warm } = await measure(browser, url, repeats);
        for (const [label, marks] of [["cold", cold], ["warm", warm]] as const) {
          const ms = (key: keyof Marks) => `${median(marks.map((x) => x[key])).toFixed(0)} ms`;
          rows.push(
            `| ${m.name} (vocab ${vocab.length.toLocaleString("en")}) | ${
              formatBytes(m.onnx.length)
            } | ${label} | ${ms("loaded")} | ${ms("prediction")} | ${ms("token")} |`,
          );
        }
      }
    } finally {
      await server.close();
    }
    console.log(
      `Medians of ${repeats}, from navigation start; ${machineLine()}, headless ` +
        `Chromium, wasm on ${
          parsed.values.isolated ? "several threads (COOP/COEP)" : "one thread"
        }, ` +
        "served from localhost.\n",
    );
    console.log(rows.join("\n"));
  } finally {
    await browser.close();
    await Deno.remove(dir, { recursive: true });
  }
  return 0;
}

if (import.meta.main) await runTool(main);
