/**
 * `deno task site <run dir | model.onnx>... --out DIR`: a static folder that works on any
 * static host (GitHub Pages, S3, `python3 -m http.server`) under any sub-path: the page with
 * its prediction panels and Train panel, the model API's bundle and the training worker,
 * onnxruntime-web's files, and the models with their sidecars and `models/index.json`.
 * Written beside DIR and renamed into place; an existing DIR is replaced only with `--force`.
 *
 * @module
 */

import { parseFlags, runTool, UsageError } from "./lib/cli/cli.ts";
import { storageFlag } from "./lib/run/export_check.ts";
import { atPath, osProblem } from "./lib/cli/fs_errors.ts";
import { formatBytes } from "../src/web/page_format.ts";
import {
  SiteError,
  type SiteModel,
  siteModel,
  type SiteSizes,
  writeSite,
} from "./lib/serve/site_build.ts";

const USAGE = `Usage: deno task site <run dir | model.onnx>... --out DIR [--force]

Writes a static site to DIR: index.html (the page, with its Train panel), web/ (its scripts),
lib/ (the model API and the training worker, bundled), ort/ (onnxruntime-web: only the files the
page loads) and models/ (each model's .onnx and .json, and index.json). Every URL is relative,
so any static host serves it under any sub-path. A run directory is exported as deno task export
does; an exported .onnx comes with the .json beside it.

Options:
  --out DIR          the folder to write (must not exist or be empty, unless --force)
  --dtype float16    store the run directories' weights as half floats (as deno task export)
  --quantize int8    store them as int8 with a scale per row (as deno task export)
  --force            replace DIR (the old one is removed only once the new one is in place),
                     and keep a compressed model that falls below export's thresholds`;

/** Whether a path is missing, or an empty folder; refuses a file. */
async function isVacant(path: string): Promise<boolean> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return true;
    throw new UsageError(`--out ${path}: ${osProblem(error)}`);
  }
  if (!info.isDirectory) throw new UsageError(`--out ${path}: it is a file, not a folder`);
  for await (const _ of Deno.readDir(path)) return false;
  return true;
}

/** The files that mark a folder as a site this command wrote. */
const SITE_MARKS = ["index.html", "lib/onnx_lm.js", "models/index.json"];

/**
 * Refuses to replace a folder that is not a site: `--force` with a mistyped `--out` (`.`, a
 * home folder) would otherwise delete whatever is there once the new site is in place.
 */
async function assertSite(path: string): Promise<void> {
  for (const mark of SITE_MARKS) {
    try {
      await Deno.lstat(`${path}/${mark}`);
    } catch {
      throw new Error(
        `--out ${path} is not a site written by "deno task site" (it has no ${mark}): ` +
          "refusing to replace it, even with --force; choose another folder",
      );
    }
  }
}

function report(out: string, models: readonly SiteModel[], sizes: SiteSizes): void {
  const total = sizes.page + sizes.lib + sizes.ort + sizes.models;
  console.log(`wrote ${out}/ (${formatBytes(total)}):`);
  const rows: [string, number, string][] = [
    ["index.html, web/", sizes.page, "the page"],
    ["lib/", sizes.lib, "the model API and the training worker"],
    ["ort/", sizes.ort, "onnxruntime-web (wasm and WebGPU)"],
    ["models/", sizes.models, models.map((m) => m.name).join(", ")],
  ];
  for (const [part, bytes, what] of rows) {
    console.log(`  ${part.padEnd(18)}${formatBytes(bytes).padStart(9)}  ${what}`);
  }
  console.log(
    `Serve ${out}/ from any static host; without the headers Cross-Origin-Opener-Policy: ` +
      "same-origin and Cross-Origin-Embedder-Policy: require-corp the page runs on one thread.",
  );
}

async function main(): Promise<number> {
  const parsed = parseFlags(Deno.args, {
    out: { type: "string" },
    force: { type: "boolean" },
    dtype: { type: "string" },
    quantize: { type: "string" },
  }, USAGE);
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length === 0) {
    throw new UsageError(`give at least one run directory or exported .onnx\n${USAGE}`);
  }
  const out = values.out?.replace(/\/+$/, "");
  if (!out) throw new UsageError(`--out DIR is required\n${USAGE}`);
  const vacant = await isVacant(out);
  if (!vacant && !values.force) {
    throw new UsageError(`--out ${out} is not empty: choose another folder, or pass --force`);
  }
  if (!vacant) await assertSite(out);
  const storage = storageFlag(values.dtype, values.quantize);
  const models: SiteModel[] = [];
  for (const source of positionals) {
    let model;
    try {
      model = await siteModel(source, storage);
    } catch (error) {
      if (error instanceof SiteError) throw new Error(error.message);
      throw error;
    }
    if (model.summary) console.log(model.summary);
    if (model.problem && !values.force) {
      throw new Error(`${model.problem}; nothing written (--force keeps it anyway)`);
    }
    models.push(model);
  }
  const slash = out.lastIndexOf("/");
  const parent = slash >= 0 ? out.slice(0, slash) || "/" : ".";
  const base = out.slice(slash + 1);
  await atPath("--out", parent, () => Deno.mkdir(parent, { recursive: true }));
  const tmp = `${parent}/.${base}.site-${Deno.pid}`;
  let sizes: SiteSizes;
  try {
    sizes = await writeSite(tmp, models);
    if (vacant) {
      await Deno.remove(out).catch(() => {}); // an empty folder, if any
      await atPath("--out", out, () => Deno.rename(tmp, out));
    } else {
      // The old site stays whole until the new one is in place.
      const old = `${parent}/.${base}.old-${Deno.pid}`;
      await atPath("--out", out, () => Deno.rename(out, old));
      try {
        await atPath("--out", out, () => Deno.rename(tmp, out));
      } catch (error) {
        await Deno.rename(old, out); // the old site back where it was
        throw error;
      }
      await Deno.remove(old, { recursive: true });
    }
  } catch (error) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    if (error instanceof SiteError) throw new Error(error.message);
    throw error;
  }
  report(out, models, sizes);
  return 0;
}

if (import.meta.main) await runTool(main);
