/**
 * A folder's model list, `models/index.json`: what `deno task serve` answers and `deno task
 * site` writes, each entry a sidecar plus `name`, `file`, `size` and, for a model found
 * unusable, `error`. Read and checked here once for the page, each entry with the sidecar
 * check every reader uses (`parseSidecar`). Browser-compatible.
 *
 * @module
 */

import { parseSidecar, type Sidecar } from "../export/sidecar.ts";

/** One model of a list, checked. */
export interface ModelEntry {
  /** Its name (the sidecar's base name, `lm6`). */
  readonly name: string;
  /** The `.onnx` file, relative to the list. */
  readonly file: string;
  /** The file's size in bytes, when known. */
  readonly size?: number;
  /** The checked sidecar; absent when the model cannot be used. */
  readonly sidecar?: Sidecar;
  /** Why the model cannot be used (the server's verdict, or the sidecar check's). */
  readonly problem?: string;
  /** The model itself, for one that did not come from a list (trained in the page). */
  readonly bytes?: Uint8Array;
}

/**
 * Checks one entry of a list.
 *
 * @param value The entry as the list has it.
 * @returns The entry, with its sidecar or its problem.
 */
export function checkModelEntry(value: unknown): ModelEntry {
  const raw = (typeof value === "object" && value !== null ? value : {}) as Record<
    string,
    unknown
  >;
  const name = typeof raw.name === "string" && raw.name !== "" ? raw.name : "(unnamed)";
  const file = typeof raw.file === "string" ? raw.file : `${name}.onnx`;
  const size = typeof raw.size === "number" ? { size: raw.size } : {};
  if (typeof raw.error === "string") return { name, file, ...size, problem: raw.error };
  try {
    const sidecar = parseSidecar(raw, `${name}.json`);
    return { name, file: sidecar.file, ...size, sidecar };
  } catch (error) {
    return { name, file, ...size, problem: (error as Error).message };
  }
}

/**
 * Fetches and checks a model list.
 *
 * @param url The list's URL (`models/index.json`, relative to the page).
 * @returns Its entries, usable or not, in its order.
 * @throws Error saying what the server answered, or that the list is not a list.
 */
export async function readModelList(url: string | URL): Promise<ModelEntry[]> {
  const response = await fetch(url);
  const body = await response.json().catch(() => undefined);
  if (!response.ok) {
    throw new Error(
      (body as { error?: string } | undefined)?.error ?? `the server answered ${response.status}`,
    );
  }
  if (!Array.isArray(body)) throw new Error(`${url} is not a list of models`);
  return body.map(checkModelEntry);
}

/**
 * The entry of a model trained in the page: its export's sidecar and bytes.
 *
 * @param sidecar The export's sidecar (JSON value).
 * @param bytes The `.onnx` bytes.
 * @returns The entry (with a problem when the sidecar does not check).
 */
export function trainedEntry(sidecar: unknown, bytes: Uint8Array): ModelEntry {
  const checked = checkModelEntry({
    ...(sidecar as object),
    name: (sidecar as { model?: unknown }).model,
    size: bytes.length,
  });
  return { ...checked, bytes };
}
