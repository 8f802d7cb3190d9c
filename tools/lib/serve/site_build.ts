/**
 * The static site `deno task site` writes: the page, its bundles, onnxruntime-web's files and
 * the models, in the layout `deno task serve` answers (`index.html`, `web/`, `lib/`, `ort/`,
 * `models/`), with relative URLs only, so any static host serves it under any sub-path.
 * Nothing is generated at request time: `models/index.json` is the list `serve` would answer.
 * Written into a temporary folder beside the target, then renamed into place.
 *
 * @module
 */

import { readModelFiles } from "../../../src/api/model_source.ts";
import type { WeightStorage } from "../../../src/export/weight_storage.ts";
import { exportChecked } from "../run/export_check.ts";
import { bundleScripts, PROJECT_ROOT } from "./serve_app.ts";
import { listModels } from "./serve_models.ts";
import { findOrtDist } from "./serve_ort.ts";
import { readRunForExport } from "../run/run_dir.ts";

/**
 * onnxruntime-web's files the page can load: two ES modules, each with its runtime. The page
 * and the training worker take the wasm-only build for the wasm backend (`ortBuildFor`: 14 MB
 * of wasm to download and compile, not 28) and the JSEP build, which also runs WebGPU, for
 * webgpu; a visitor fetches one of them. Found by recording what headless Chromium requests
 * while the page predicts and trains on each backend, with and without cross-origin isolation
 * (a threaded build runs on one thread without it); the other builds in `dist/` (asyncify,
 * JSPI, WebGL, the bundles and the maps) are never requested. `tests/e2e/site_test.ts` checks
 * that the page asks for these files and no other.
 */
export const ORT_FILES: readonly string[] = [
  "ort.wasm.min.mjs",
  "ort-wasm-simd-threaded.mjs",
  "ort-wasm-simd-threaded.wasm",
  "ort.min.mjs",
  "ort-wasm-simd-threaded.jsep.mjs",
  "ort-wasm-simd-threaded.jsep.wasm",
];

/** A model to put on the site. */
export interface SiteModel {
  /** Its file base name (`lm6` → `models/lm6.onnx`). */
  readonly name: string;
  /** Where it came from, for messages. */
  readonly source: string;
  /** The `.onnx` bytes. */
  readonly onnx: Uint8Array;
  /** The sidecar's JSON text. */
  readonly sidecar: string;
}

/** Raised for a site that cannot be built from what was given; the message says why. */
export class SiteError extends Error {
  override name = "SiteError";
}

/**
 * A model from a run directory (exported in memory, as `deno task export` does) or from an
 * exported `.onnx` with its sidecar (checked as every reader checks it).
 *
 * @param source A run directory or a `.onnx` path.
 * @returns The model's files.
 * @throws SiteError naming the source when it cannot be read or checked.
 */
export async function siteModel(
  source: string,
  storage: WeightStorage = "float32",
): Promise<SiteModel & { readonly summary?: string; readonly problem?: string }> {
  if (source.endsWith(".onnx")) {
    if (storage !== "float32") {
      throw new SiteError(
        `Cannot store ${source} as ${storage}: --dtype and --quantize take run directories ` +
          `(an export's float32 weights are not re-read); export it with the flag instead`,
      );
    }
    let files;
    try {
      files = await readModelFiles(source);
    } catch (error) {
      throw new SiteError((error as Error).message);
    }
    const base = source.slice(source.lastIndexOf("/") + 1, -".onnx".length);
    const json = JSON.parse(
      await Deno.readTextFile(`${source.slice(0, -".onnx".length)}.json`),
    ) as Record<string, unknown>;
    // The pair may have been renamed: the site's sidecar names the file it sits beside.
    const sidecar = JSON.stringify({ ...json, file: `${base}.onnx` }, null, 2) + "\n";
    return { name: base, source, onnx: files.bytes, sidecar };
  }
  const run = await readRunForExport(source, `Cannot put ${source} on the site`);
  if (!run.finished) throw new SiteError(`Cannot put ${source} on the site: no finished epoch`);
  // The same export, and for compressed weights the same check, as deno task export.
  const checked = await exportChecked(run, run.meta, storage);
  const { sidecar, files } = checked.exported;
  const base = sidecar.file.slice(0, -".onnx".length);
  return {
    name: base,
    source,
    onnx: files.get(sidecar.file)!,
    sidecar: new TextDecoder().decode(files.get(`${base}.json`)!),
    ...(checked.summary ? { summary: checked.summary } : {}),
    ...(checked.problem ? { problem: checked.problem } : {}),
  };
}

/** Bytes written, by part of the site. */
export interface SiteSizes {
  /** `index.html` and `web/`. */
  readonly page: number;
  /** `lib/`: the model API's bundle and the training worker's. */
  readonly lib: number;
  /** `ort/`: onnxruntime-web. */
  readonly ort: number;
  /** `models/`: the models, their sidecars and `index.json`. */
  readonly models: number;
}

/**
 * Writes a site into an empty folder.
 *
 * @param dir The folder (created; must not exist yet).
 * @param models The models, with distinct names.
 * @param root The project (its `web/`, `src/` and `node_modules/`).
 * @returns The bytes written by part.
 * @throws SiteError for two models of one name; BundleError when bundling fails.
 */
export async function writeSite(
  dir: string,
  models: readonly SiteModel[],
  root = PROJECT_ROOT,
): Promise<SiteSizes> {
  const seen = new Map<string, string>();
  for (const m of models) {
    const other = seen.get(m.name);
    if (other !== undefined) {
      throw new SiteError(
        `${other} and ${m.source} are both "${m.name}": export one with ` +
          `"deno task export RUN --name OTHER" and pass its .onnx`,
      );
    }
    seen.set(m.name, m.source);
  }
  const sizes = { page: 0, lib: 0, ort: 0, models: 0 };
  const write = async (part: keyof SiteSizes, path: string, data: Uint8Array | string) => {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    await Deno.writeFile(`${dir}/${path}`, bytes);
    sizes[part] += bytes.length;
  };
  const ortDir = await findOrtDist(root);
  const scripts = await bundleScripts(root);
  for (const sub of ["", "/web", "/lib", "/ort", "/models"]) await Deno.mkdir(`${dir}${sub}`);
  await write("page", "index.html", await Deno.readFile(`${root}/web/index.html`));
  for await (const e of Deno.readDir(`${root}/web`)) {
    if (e.isFile && e.name !== "index.html" && !e.name.startsWith(".")) {
      await write("page", `web/${e.name}`, await Deno.readFile(`${root}/web/${e.name}`));
    }
  }
  for (const [path, js] of Object.entries(scripts)) await write("lib", path.slice(1), js);
  for (const f of ORT_FILES) await write("ort", `ort/${f}`, await Deno.readFile(`${ortDir}/${f}`));
  for (const m of models) {
    await write("models", `models/${m.name}.onnx`, m.onnx);
    await write("models", `models/${m.name}.json`, m.sidecar);
  }
  // The very list serve answers, made once, now.
  const list = await listModels(`${dir}/models`);
  await write("models", "models/index.json", JSON.stringify(list, null, 2) + "\n");
  return sizes;
}
