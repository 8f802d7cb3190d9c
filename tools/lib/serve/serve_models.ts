/**
 * The model list of `deno task serve` (`/models/index.json`): one entry per sidecar
 * (`<name>.json`, format `onnx-lm-export`) in the models directory, with the size of its
 * `.onnx` file. A sidecar that cannot be used is still listed, with an `error` saying why,
 * so the page can tell the person instead of silently hiding the model. Only what the page
 * reads is listed: a usable model's checked sidecar (the page loads the model with it, so
 * it fetches only the `.onnx`), and for an unusable one its name, file, size and error, not
 * the fields of a sidecar that may be megabytes of vocabulary nobody will use.
 *
 * @module
 */

import { parseSidecar, type Sidecar, sidecarMismatch } from "../../../src/export/sidecar.ts";
import { decodeModel } from "../../../src/onnx/decode.ts";
import { MAX_SIDECAR_BYTES, notAFile, readRegularFileInfo } from "../cli/regular_file.ts";

/** One entry of `/models/index.json`: the checked sidecar's fields plus these. */
export interface ModelListEntry {
  /** The sidecar's base name (`lm6` for `lm6.json`). */
  readonly name: string;
  /** The `.onnx` file the page should fetch, relative to `/models/`. */
  readonly file: string;
  /** Its size in bytes (absent when it is missing). */
  readonly size?: number;
  /** Why the model cannot be used, when it cannot (then no other field is listed). */
  readonly error?: string;
  readonly [field: string]: unknown;
}

/** Raised when the models directory itself cannot be read. */
export class ModelsDirError extends Error {
  override name = "ModelsDirError";
}

const PLAIN_FILE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*\.onnx$/;

function unusable(name: string, file: string, error: string, size?: number): ModelListEntry {
  return size === undefined ? { name, file, error } : { name, file, size, error };
}

async function entryFor(dir: string, jsonName: string): Promise<ModelListEntry | undefined> {
  const name = jsonName.slice(0, -".json".length);
  let sidecar: Record<string, unknown>;
  let sidecarInfo: Deno.FileInfo;
  try {
    const read = await readRegularFileInfo(`${dir}/${jsonName}`, "the sidecar", MAX_SIDECAR_BYTES);
    sidecarInfo = read.info;
    const parsed = JSON.parse(new TextDecoder().decode(read.bytes));
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      return unusable(name, `${name}.onnx`, `${jsonName} is not a JSON object`);
    }
    sidecar = parsed;
  } catch (error) {
    return unusable(name, `${name}.onnx`, `Cannot read ${jsonName}: ${(error as Error).message}`);
  }
  // Other JSON files (an index someone saved, editor settings) are not models.
  if (sidecar.format !== "onnx-lm-export") return undefined;
  let checked;
  try {
    checked = parseSidecar(sidecar, jsonName);
  } catch (error) {
    const declared = typeof sidecar.file === "string" && PLAIN_FILE.test(sidecar.file)
      ? sidecar.file
      : `${name}.onnx`;
    return unusable(name, declared, (error as Error).message);
  }
  const file = checked.file;
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(`${dir}/${file}`);
    if (notAFile(info)) {
      return unusable(name, file, `${file} is ${notAFile(info)}, not a model file`);
    }
  } catch {
    return unusable(name, file, `${file} is missing from the models directory`);
  }
  const problem = await onnxProblem(`${dir}/${file}`, file, info, checked, {
    path: `${dir}/${jsonName}`,
    info: sidecarInfo,
  });
  return problem
    ? unusable(name, file, problem, info.size)
    : { ...checked, name, file, size: info.size };
}

/** A file's identity for a cache: what changes when it is rewritten or replaced. */
export function fileStamp(info: Deno.FileInfo): string {
  return `${info.size}:${info.mtime?.getTime()}:${info.ino}`;
}

// Decoding a model costs a read of the whole file: remember the verdict per (.onnx, sidecar)
// pair, keyed on both files' size, mtime and inode, so that replacing either re-checks it.
const verdicts = new Map<string, { key: string; problem: string | undefined }>();

/** Why an `.onnx` file cannot be a model (empty, truncated, not ONNX), or undefined. */
async function onnxProblem(
  path: string,
  file: string,
  info: Deno.FileInfo,
  sidecar: Sidecar,
  sidecarFile: { readonly path: string; readonly info: Deno.FileInfo },
): Promise<string | undefined> {
  if (info.size === 0) return `${file} is empty (0 bytes): export the model again`;
  // Several sidecars may name one .onnx: the verdict belongs to the pair.
  const pair = `${sidecarFile.path}\0${path}`;
  const key = `${fileStamp(info)}/${fileStamp(sidecarFile.info)}`;
  const known = verdicts.get(pair);
  if (known?.key === key) return known.problem;
  let problem: string | undefined;
  try {
    problem = sidecarMismatch(decodeModel(await Deno.readFile(path), file), sidecar, file);
  } catch (error) {
    problem = `${(error as Error).message}: export the model again`;
  }
  verdicts.set(pair, { key, problem });
  return problem;
}

/**
 * Builds the model list from the sidecars in `dir`, sorted by name (`lm2` before `lm10`).
 *
 * @param dir The models directory.
 * @returns The entries.
 * @throws ModelsDirError when `dir` is missing or not a directory.
 */
export async function listModels(dir: string): Promise<ModelListEntry[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      // A site's models/ folder holds the list itself (deno task site): not a model.
      const list = e.name === "index.json";
      if (e.isFile && e.name.endsWith(".json") && !e.name.startsWith(".") && !list) {
        names.push(e.name);
      }
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new ModelsDirError(
        `The models directory "${dir}" does not exist: export a model there with ` +
          `"deno task export <run dir> --out ${dir}", or pass --models DIR`,
      );
    }
    throw new ModelsDirError(
      `Cannot read the models directory "${dir}": ${(error as Error).message}`,
    );
  }
  const collator = new Intl.Collator("en", { numeric: true });
  names.sort(collator.compare);
  const models: ModelListEntry[] = [];
  for (const name of names) {
    const entry = await entryFor(dir, name);
    if (entry) models.push(entry);
  }
  return models;
}
