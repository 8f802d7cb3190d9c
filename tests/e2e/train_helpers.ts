/**
 * Driving the Train panel in the browser tests: waiting for a run's end, reading its table,
 * downloading its files, and comparing its rows with `deno task train --json`'s within the
 * tolerance `train_page_test.ts` justifies.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { type RunningServer, startServer } from "../../tools/lib/serve/serve_app.ts";
import { runTool } from "../helpers/cli.ts";

/** Losses: wasm and native kernels round differently (measured: under 1.3e-6 after 2 epochs). */
export const LOSS_TOL = 1e-4;
/** Accuracy: 12 of lm6's 12,288 validation predictions. */
export const ACCURACY_TOL = 1e-3;

/** One epoch of the table. */
export interface Row {
  readonly train_loss: number;
  readonly valid_loss: number;
  readonly accuracy: number;
}

/** The table rows `deno task train <model> --json` prints, one per epoch. */
export async function cliRows(args: readonly string[]): Promise<Row[]> {
  const r = await runTool("train", [...args, "--json"]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim().split("\n").map((l) => JSON.parse(l)).filter((o) => "valid_loss" in o);
}

/** Asserts the page's rows equal the CLI's within the tolerances. */
export function assertRowsMatch(page: readonly Row[], cli: readonly Row[], what: string): void {
  assert.equal(page.length, cli.length, `${what}: epochs`);
  page.forEach((row, i) => {
    for (const key of ["train_loss", "valid_loss"] as const) {
      assert.ok(
        Math.abs(row[key] - cli[i][key]) <= LOSS_TOL,
        `${what}, epoch ${i}: ${key} ${row[key]} in the page, ${cli[i][key]} in the CLI`,
      );
    }
    assert.ok(
      Math.abs(row.accuracy - cli[i].accuracy) <= ACCURACY_TOL,
      `${what}, epoch ${i}: accuracy ${row.accuracy} in the page, ${cli[i].accuracy} in the CLI`,
    );
  });
}

// The page's policy allows no eval, so waits are functions (their source runs in the page),
// not strings. This file is type-checked without the DOM library: the page's globals are
// declared here.
// deno-lint-ignore no-explicit-any
declare const document: any;

/** Waits until the panel's state is one of `states`, and returns it. */
export async function waitForState(page: Page, states: readonly string[], timeout = 180_000) {
  await page.waitForFunction(
    (wanted) => wanted.includes(document.getElementById("train-status").dataset.state),
    states,
    { timeout, polling: 100 },
  );
  return await page.getAttribute("#train-status", "data-state");
}

/** The table's rows, at full precision (its `data-` attributes). */
export async function pageRows(page: Page): Promise<Row[]> {
  return await page.locator("#train-table tbody tr").evaluateAll((trs) =>
    trs.map((tr) => ({
      train_loss: Number(tr.getAttribute("data-train-loss")),
      valid_loss: Number(tr.getAttribute("data-valid-loss")),
      accuracy: Number(tr.getAttribute("data-accuracy")),
    }))
  );
}

/** Saves one of the panel's downloads. */
export async function download(page: Page, file: string, path: string): Promise<void> {
  const [d] = await Promise.all([
    page.waitForEvent("download"),
    page.click(`#train-downloads a[data-file="${file}"]`),
  ]);
  await d.saveAs(path);
}

/** A served page with an empty models directory, in a temporary directory. */
export interface TrainServer {
  /** The temporary directory (the models directory is `<dir>/models`). */
  readonly dir: string;
  readonly server: RunningServer;
  /** Stops the server and removes the directory. */
  close(): Promise<void>;
}

/**
 * Serves the page with no exported models: all the Train panel needs.
 *
 * @param prefix The temporary directory's prefix.
 * @returns The server and its directory.
 */
export async function trainServer(prefix: string): Promise<TrainServer> {
  const dir = await Deno.makeTempDir({ prefix });
  await Deno.mkdir(`${dir}/models`);
  const server = await startServer({ port: 0, host: "127.0.0.1", modelsDir: `${dir}/models` });
  return {
    dir,
    server,
    async close() {
      await server.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}
