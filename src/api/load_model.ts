/**
 * `loadModel`: an exported onnx-lm model, ready to predict and generate, with one call that is
 * the same in the browser, Deno and Node. It reads the `.onnx` file and its sidecar, checks
 * them (`parseSidecar`, and that they belong together), and opens a session on the backend
 * asked for, or on the default one (`devices.ts`).
 *
 * @example Load an export and continue a prompt (Deno; `deno task export` wrote the files)
 * ```ts ignore
 * import { loadModel } from "./load_model.ts";
 * const model = await loadModel("runs/export/lm6.onnx");
 * console.log(await model.nextTokens("one . two .", 3));
 * console.log(await model.generate("one . two .", { n: 8, temperature: 0 }));
 * await model.release();
 * ```
 * @module
 */

import {
  type Backend,
  type Device,
  nodeBackend,
  type OrtModule,
  webBackend,
} from "../runtime/backend.ts";
import { Session } from "../runtime/session.ts";
import { defaultDevice, NO_WEBGPU, probeWebGpu } from "./devices.ts";
import { hasFileSystem, ModelLoadError, type ModelSource, readModelFiles } from "./model_source.ts";
import { TextModel } from "./text_model.ts";

/** How to load a model. */
export interface LoadOptions {
  /**
   * Where it runs: `cpu` or `cuda` (onnxruntime-node), `wasm` (onnxruntime-web), `webgpu`
   * (either). The default: `cpu` under onnxruntime-node; under onnxruntime-web `webgpu` when the
   * browser has a hardware adapter, else `wasm`.
   */
  readonly backend?: Device;
  /**
   * The onnxruntime module to run it with. Required in a browser (onnxruntime-web, e.g.
   * `import * as ort from "./ort/ort.min.mjs"`); onnxruntime-node by default in Deno and Node.
   */
  readonly ort?: OrtModule;
  /** The sidecar's JSON value, for bytes (else the facts the export wrote into the file). */
  readonly sidecar?: unknown;
  /** Threads inside one operator under onnxruntime-node (1: these steps are too small to split). */
  readonly threads?: number;
}

/**
 * Loads an exported model.
 *
 * @param source A URL or path of the `.onnx` file (its sidecar is the `.json` beside it), or
 *   the file's bytes.
 * @param options Backend, onnxruntime module, sidecar, threads.
 * @returns The model.
 * @throws ModelLoadError naming the file for a missing, unreadable or mismatched file, or a
 *   backend that is not available.
 */
export async function loadModel(
  source: ModelSource,
  options: LoadOptions = {},
): Promise<TextModel> {
  const files = await readModelFiles(source, options.sidecar);
  const backend = await chooseRuntime(options.ort);
  const device = options.backend ?? defaultDevice(
    backend.name.startsWith("onnxruntime-web") ? "onnxruntime-web" : "onnxruntime-node",
    // onnxruntime-web's WebGPU backend exists only in a browser.
    backend.name.startsWith("onnxruntime-web") && !hasFileSystem()
      ? await probeWebGpu()
      : NO_WEBGPU,
  );
  if (!backend.devices.includes(device)) {
    throw new ModelLoadError(
      `Cannot load ${files.source} on "${device}": ${backend.name} runs ${
        backend.devices.map((d) => `"${d}"`).join(", ")
      }`,
    );
  }
  let session: Session;
  try {
    session = await Session.create(files.bytes, {
      backend,
      device,
      threads: options.threads ?? 1,
      source: files.source,
    });
  } catch (error) {
    throw new ModelLoadError(`Cannot load ${files.source}: ${(error as Error).message}`);
  }
  return new TextModel(files.sidecar, session, device);
}

async function chooseRuntime(ort: OrtModule | undefined): Promise<Backend> {
  if (ort) return ort.env.versions.web !== undefined ? webBackend(ort) : await nodeBackend();
  if (!hasFileSystem()) {
    throw new ModelLoadError(
      "loadModel() in a browser needs onnxruntime-web: pass it as { ort } " +
        '(import * as ort from "./ort/ort.min.mjs")',
    );
  }
  return await nodeBackend();
}
