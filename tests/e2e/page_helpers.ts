/**
 * Reading the page in the browser tests: its top-5 list, its message, the end of a
 * generation, and comparing a top-5 with onnxruntime-node's.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import type { Ranked } from "./reference.ts";

/** Page and node run different float32 kernels (wasm vs native): probabilities within this. */
export const PROB_TOL = 1e-5;

/**
 * The page's top-5 once it shows the predictions for `prompt` (the prompt as typed; any
 * text, spaces and newlines included).
 *
 * @param page The page.
 * @param prompt The prompt the predictions must be for.
 * @returns The rows, most likely first.
 */
export async function pageTop5(page: Page, prompt: string): Promise<Ranked[]> {
  // A string, evaluated in the page: this file is type-checked without the DOM library.
  await page.waitForFunction(
    `document.getElementById("top5").dataset.prompt === ${JSON.stringify(prompt)}`,
    undefined,
    { timeout: 20_000 },
  );
  const rows = page.locator("#top5 li");
  const tokens = await rows.evaluateAll((items) =>
    items.map((li) => li.getAttribute("data-token"))
  );
  const probs = await rows.evaluateAll((items) => items.map((li) => li.getAttribute("data-prob")));
  return tokens.map((token, i) => ({ token: token ?? "", prob: Number(probs[i]) }));
}

/**
 * Asserts the same tokens in the same order, probabilities within `PROB_TOL`.
 *
 * @param got The page's.
 * @param want onnxruntime-node's.
 * @param what For messages.
 */
export function assertSameTop5(got: Ranked[], want: Ranked[], what: string): void {
  assert.deepEqual(got.map((r) => r.token), want.map((r) => r.token), `${what}: tokens`);
  got.forEach((r, i) => {
    assert.ok(
      Math.abs(r.prob - want[i].prob) <= PROB_TOL,
      `${what}: p(${JSON.stringify(r.token)}) is ${r.prob} in the page, ${want[i].prob} in ` +
        "onnxruntime-node",
    );
  });
}

/**
 * The page's message, once shown.
 *
 * @param page The page.
 * @returns Its text.
 */
export async function message(page: Page): Promise<string> {
  await page.waitForSelector("#message:not([hidden])", { timeout: 10_000 });
  return (await page.textContent("#message")) ?? "";
}

/**
 * Waits until generation has finished and `condition` holds, over the prompt's `value` and
 * its number of `tokens` (chips).
 *
 * @param page The page.
 * @param condition A JavaScript expression.
 */
export async function waitForGeneration(page: Page, condition: string): Promise<void> {
  await page.waitForFunction(
    `(() => { const value = document.getElementById("prompt").value; ` +
      `const tokens = document.querySelectorAll("#tokens .token").length; ` +
      `return document.getElementById("continue").textContent === "Continue" && ${condition}; })()`,
    undefined,
    { timeout: 20_000 },
  );
}

/**
 * The model picker's label for a model.
 *
 * @param page The page.
 * @param name The model's name.
 * @returns The option's text.
 */
export async function optionLabel(page: Page, name: string): Promise<string> {
  const labels = await page.locator("#model option").allTextContents();
  const label = labels.find((l) => l.startsWith(`${name} ·`));
  assert.ok(label, `no option for ${name} among ${JSON.stringify(labels)}`);
  return label;
}
