/**
 * Makes the CUDA libraries in the folders `setup:cuda --lib-path` recorded visible to the CUDA
 * provider without LD_LIBRARY_PATH, which the dynamic loader reads only when a process starts.
 * Each library is opened by its full path, in dependency order; when onnxruntime later loads the
 * provider, the loader finds its `DT_NEEDED` names (libcudart.so.13, ...) already loaded and uses
 * them, and cuDNN's own run-time loads of its parts find them too.
 *
 * @module
 */

import { readRecord } from "./requirements.ts";

/** Opened libraries stay open for the life of the process. */
const opened: Deno.DynamicLibrary<Record<string, never>>[] = [];
const done = new Set<string>();

/** The order a library must be opened in: what it needs first. */
const ORDER = [
  /^libcuda\.so\.1$/,
  /^libcudart\.so\.\d+$/,
  /^libcublasLt\.so\.\d+$/,
  /^libcublas\.so\.\d+$/,
  /^libcurand\.so\.\d+$/,
  /^libcufft\.so\.\d+$/,
  /^libnvrtc\.so\.\d+$/,
  /^libcudnn_graph\.so\.\d+$/,
  /^libcudnn_\w+\.so\.\d+$/,
  /^libcudnn\.so\.\d+$/,
];

/**
 * Opens the recorded folders' CUDA libraries, once per process and binding folder.
 *
 * @param binDir onnxruntime-node's binding folder, where the record is.
 * @returns The libraries that would not open, with the loader's reason (empty when all did, or
 *   when nothing is recorded).
 */
export function preloadCudaLibraries(binDir: string): string[] {
  if (done.has(binDir)) return [];
  done.add(binDir);
  const libPaths = readRecord(binDir)?.libPaths ?? [];
  const files: string[] = [];
  for (const dir of libPaths) {
    try {
      for (const e of Deno.readDirSync(dir)) {
        if (e.isFile || e.isSymlink) files.push(`${dir}/${e.name}`);
      }
    } catch { /* a folder that went away: the report names what is missing */ }
  }
  const queue = ORDER.flatMap((pattern) =>
    files.filter((f) => pattern.test(f.slice(f.lastIndexOf("/") + 1)))
  );
  // A library whose own needs are not open yet fails; it is tried again after the others, until
  // a pass opens nothing more.
  let failed: string[] = [];
  for (let pending = queue; pending.length;) {
    const retry: string[] = [];
    failed = [];
    for (const path of pending) {
      try {
        opened.push(Deno.dlopen(path, {}));
      } catch (error) {
        retry.push(path);
        failed.push(`${path}: ${(error as Error).message}`);
      }
    }
    if (retry.length === pending.length) break;
    pending = retry;
  }
  return failed;
}
