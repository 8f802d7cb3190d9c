/**
 * Where a model comes from: a URL (the browser, or `http:`/`file:` anywhere), a file path
 * (Deno and Node), or the bytes themselves. A `.onnx` file's sidecar is the `.json` beside it;
 * bytes carry their sidecar facts in the file's `metadata_props`, which every export writes.
 * Browser-compatible: file paths are read through `Deno` or Node's `fs`, found at run time.
 *
 * @module
 */

import { type ModelHeader, readModelHeader } from "../onnx/model_header.ts";
import { nonFiniteProblem } from "../onnx/finite_weights.ts";
import { parseSidecar, readSidecarText, type Sidecar, sidecarMismatch } from "../export/sidecar.ts";

/** A model to load: a URL or path of its `.onnx` file, or the file's bytes. */
export type ModelSource = string | URL | Uint8Array | ArrayBuffer;

/** Raised when a model cannot be read, checked or opened: the message names the file. */
export class ModelLoadError extends Error {
  /** The error name. */
  override name = "ModelLoadError";
}

/** A model's files, read and checked against each other. */
export interface ModelFiles {
  /** The `.onnx` bytes. */
  readonly bytes: Uint8Array;
  /** The file's header (its inputs, outputs and metadata). */
  readonly data: ModelHeader;
  /** The checked sidecar. */
  readonly sidecar: Sidecar;
  /** Where the model came from, for messages. */
  readonly source: string;
}

/** Whether this is Deno or Node (a file system), not a browser. */
export function hasFileSystem(): boolean {
  const g = globalThis as { Deno?: unknown; process?: { versions?: { node?: string } } };
  return g.Deno !== undefined || g.process?.versions?.node !== undefined;
}

const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** Reads a URL or a path as bytes; undefined when there is no such file. */
async function readBytes(where: string): Promise<Uint8Array | undefined> {
  if (SCHEME.test(where) && !/^[a-z]:[\\/]/i.test(where)) {
    const response = await fetch(where);
    if (response.status === 404) return undefined;
    if (!response.ok) {
      throw new ModelLoadError(
        `Cannot fetch ${where}: the server answered ${response.status} ${response.statusText}`,
      );
    }
    return new Uint8Array(await response.arrayBuffer());
  }
  const g = globalThis as {
    Deno?: {
      readFile(path: string): Promise<Uint8Array>;
      stat(path: string): Promise<{ isFile: boolean; size: number }>;
    };
    process?: { getBuiltinModule?(name: string): unknown };
  };
  try {
    if (g.Deno) {
      checkKind(where, await g.Deno.stat(where));
      return await g.Deno.readFile(where);
    }
    const fs = g.process?.getBuiltinModule?.("node:fs/promises") as
      | {
        readFile(path: string): Promise<Uint8Array>;
        stat(path: string): Promise<{ isFile(): boolean; size: number }>;
      }
      | undefined;
    if (!fs) throw new ModelLoadError(`Cannot read ${where}: this runtime has no file system`);
    const info = await fs.stat(where);
    checkKind(where, { isFile: info.isFile(), size: info.size });
    return new Uint8Array(await fs.readFile(where));
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ENOENT" || (error as Error).name === "NotFound") return undefined;
    if (error instanceof ModelLoadError) throw error;
    throw new ModelLoadError(`Cannot read ${where}: ${(error as Error).message}`);
  }
}

/** The largest model or sidecar file read (a few GB is plenty for these models). */
const MAX_FILE_BYTES = 4 * 1024 ** 3;

/**
 * Refuses what a read would hang on or exhaust memory with: a FIFO, a device such as
 * `/dev/zero` (also through a link), a folder, or a file over the limit.
 */
function checkKind(where: string, info: { isFile: boolean; size: number }): void {
  if (!info.isFile) {
    throw new ModelLoadError(
      `Cannot read ${where}: it is not a regular file (a folder, FIFO or device)`,
    );
  }
  if (info.size > MAX_FILE_BYTES) {
    throw new ModelLoadError(`Cannot read ${where}: it is ${info.size} bytes, over 4 GiB`);
  }
}

/** The URL or path a string names: relative URLs against the page in a browser. */
function locate(source: string | URL): string {
  if (source instanceof URL) return source.href;
  if (hasFileSystem() || SCHEME.test(source)) return source;
  const base = (globalThis as { location?: { href: string } }).location?.href;
  return base ? new URL(source, base).href : source;
}

/**
 * Reads a model and its sidecar, and checks that they belong together.
 *
 * @param source A URL or path of the `.onnx` file, or its bytes.
 * @param sidecar The sidecar's JSON value, for bytes whose sidecar is not in the file.
 * @returns The checked files.
 * @throws ModelLoadError naming the file: missing, unreadable, not ONNX, not an onnx-lm export,
 *   a malformed sidecar, or a sidecar of another model.
 */
export async function readModelFiles(source: ModelSource, sidecar?: unknown): Promise<ModelFiles> {
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) {
    const bytes = source instanceof Uint8Array ? source : new Uint8Array(source);
    const name = "the model's bytes";
    const data = decode(bytes, name);
    const checked = sidecar === undefined
      ? sidecarFromMetadata(data, name)
      : check(() => parseSidecar(sidecar, "the sidecar given"));
    return matched({ bytes, data, sidecar: checked, source: name });
  }
  if (typeof source !== "string" && !(source instanceof URL)) {
    throw new ModelLoadError(
      `loadModel() takes a URL, a path or the bytes of a .onnx file: got ${typeName(source)}`,
    );
  }
  const where = locate(source);
  const jsonAt = sidecarPath(where);
  // Both files at once: over a network that halves the wait.
  const [bytes, json] = await Promise.all([
    readBytes(where),
    sidecar === undefined ? readBytes(jsonAt) : Promise.resolve(undefined),
  ]);
  if (!bytes) throw new ModelLoadError(`Cannot load ${where}: there is no such file`);
  const data = decode(bytes, where);
  let checked: Sidecar;
  if (sidecar !== undefined) {
    checked = check(() => parseSidecar(sidecar, "the sidecar given"));
  } else {
    if (!json) {
      throw new ModelLoadError(
        `Cannot load ${where}: its sidecar ${jsonAt} is missing (deno task export writes both)`,
      );
    }
    checked = check(() => readSidecarText(new TextDecoder().decode(json), jsonAt));
  }
  return matched({ bytes, data, sidecar: checked, source: where });
}

/** `x.onnx` → `x.json` (query and fragment kept off). */
function sidecarPath(where: string): string {
  const cut = where.search(/[?#]/);
  const path = cut < 0 ? where : where.slice(0, cut);
  return path.endsWith(".onnx") ? `${path.slice(0, -".onnx".length)}.json` : `${path}.json`;
}

function decode(bytes: Uint8Array, name: string): ModelHeader {
  let header: ModelHeader;
  try {
    header = readModelHeader(bytes, name);
  } catch (error) {
    throw new ModelLoadError((error as Error).message);
  }
  const diverged = nonFiniteProblem(bytes);
  if (diverged) throw new ModelLoadError(`Cannot load ${name}: ${diverged}`);
  return header;
}

function check(read: () => Sidecar): Sidecar {
  try {
    return read();
  } catch (error) {
    throw new ModelLoadError((error as Error).message);
  }
}

/**
 * The sidecar an export wrote into the file's `metadata_props` (`onnx_lm.*`).
 *
 * @param data The decoded file.
 * @param name Its name, for messages.
 * @returns The checked sidecar.
 * @throws ModelLoadError when the file is not an onnx-lm export.
 */
export function sidecarFromMetadata(data: ModelHeader, name: string): Sidecar {
  const meta = new Map(data.metadata);
  if (!meta.has("onnx_lm.vocab")) {
    throw new ModelLoadError(
      `Cannot load ${name}: it has no onnx_lm.* metadata (not an onnx-lm export); pass its ` +
        `sidecar as { sidecar }`,
    );
  }
  const json = (key: string) => {
    const text = meta.get(`onnx_lm.${key}`);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text);
    } catch {
      throw new ModelLoadError(`Cannot load ${name}: its metadata onnx_lm.${key} is not JSON`);
    }
  };
  const value = {
    format: "onnx-lm-export",
    version: 2,
    model: meta.get("onnx_lm.model"),
    description: data.docString ?? "",
    file: `${meta.get("onnx_lm.model") ?? "model"}.onnx`,
    kind: meta.get("onnx_lm.kind"),
    context: Number(meta.get("onnx_lm.context")),
    vocab: json("vocab"),
    tokenizer: json("tokenizer"),
    ...(meta.has("onnx_lm.arch") ? { arch: json("arch") } : {}),
    state: json("state"),
    metrics: json("metrics"),
    recipe: json("recipe"),
    seed: Number(meta.get("onnx_lm.seed")),
    producer: meta.get("onnx_lm.producer") ?? "",
    opset: Number(meta.get("onnx_lm.opset")),
    ir_version: data.irVersion,
    ...(meta.has("onnx_lm.export_id") ? { export_id: meta.get("onnx_lm.export_id") } : {}),
  };
  return check(() => parseSidecar(value, `${name}'s metadata`));
}

/** Refuses a sidecar that describes another model than the file. */
function matched(files: ModelFiles): ModelFiles {
  const { data, sidecar, source } = files;
  const mismatch = sidecarMismatch(data, sidecar, source);
  if (mismatch) throw new ModelLoadError(`Cannot load ${source}: ${mismatch}`);
  return files;
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  return typeof value === "object" ? (value.constructor?.name ?? "an object") : typeof value;
}
