/**
 * The one rule for where a model runs when nobody says: the CPU under onnxruntime-node (Deno
 * and Node), and under onnxruntime-web (the browser) WebGPU when the browser offers a hardware
 * adapter, else WebAssembly (and always WebAssembly outside a browser, where onnxruntime-web
 * has no WebGPU backend). A software adapter (SwiftShader, llvmpipe, any `isFallbackAdapter`)
 * emulates a GPU on the CPU and is slower than wasm for these models, so it never becomes the
 * default; asking for `webgpu` still uses it. The page's prediction panels, its Train panel
 * and `loadModel` all use this rule. Browser-compatible.
 *
 * @example
 * ```ts
 * import { defaultDevice } from "./devices.ts";
 * const none = { available: false, software: false, description: "" };
 * defaultDevice("onnxruntime-node", none); // "cpu"
 * defaultDevice("onnxruntime-web", none); // "wasm"
 * defaultDevice("onnxruntime-web", { available: true, software: false, description: "" }); // "webgpu"
 * ```
 * @module
 */

import type { Device } from "../runtime/backend.ts";

/** What the browser's WebGPU offers. */
export interface WebGpuFacts {
  /** Whether `navigator.gpu.requestAdapter()` gave an adapter. */
  readonly available: boolean;
  /** Whether that adapter emulates a GPU on the CPU (SwiftShader, a fallback adapter). */
  readonly software: boolean;
  /** The adapter's vendor, architecture and description, for people (may be empty). */
  readonly description: string;
}

/** No WebGPU at all. */
export const NO_WEBGPU: WebGpuFacts = { available: false, software: false, description: "" };

/** The part of a WebGPU adapter read here (`GPUAdapter`). */
interface AdapterLike {
  readonly isFallbackAdapter?: boolean;
  readonly info?: {
    readonly vendor?: string;
    readonly architecture?: string;
    readonly description?: string;
    readonly isFallbackAdapter?: boolean;
  };
}

/** Mesa's and Chromium's CPU renderers, which some adapters do not flag as fallback. */
const SOFTWARE_RENDERER = /swiftshader|llvmpipe|lavapipe|softpipe/i;

/**
 * Asks the browser (or Deno) for a WebGPU adapter and says what it is.
 *
 * @param gpu `navigator.gpu` (looked up when absent).
 * @returns What WebGPU offers; never throws.
 */
export async function probeWebGpu(gpu?: unknown): Promise<WebGpuFacts> {
  const api = (gpu ?? (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu) as
    | { requestAdapter(): Promise<AdapterLike | null> }
    | undefined;
  let adapter: AdapterLike | null = null;
  try {
    adapter = api ? await api.requestAdapter() : null;
  } catch {
    adapter = null;
  }
  if (!adapter) return NO_WEBGPU;
  const info = adapter.info ?? {};
  const description = [info.vendor, info.architecture, info.description]
    .filter((s) => typeof s === "string" && s !== "").join(" ");
  return {
    available: true,
    software: adapter.isFallbackAdapter === true || info.isFallbackAdapter === true ||
      SOFTWARE_RENDERER.test(description),
    description,
  };
}

/**
 * The device a model runs on when none is asked for.
 *
 * @param runtime Which onnxruntime build runs it (its npm package name).
 * @param webgpu What the browser's WebGPU offers (ignored under onnxruntime-node).
 * @returns `cpu` under onnxruntime-node; `webgpu` or `wasm` under onnxruntime-web.
 */
export function defaultDevice(
  runtime: "onnxruntime-node" | "onnxruntime-web",
  webgpu: WebGpuFacts,
): Device {
  if (runtime === "onnxruntime-node") return "cpu";
  return webgpu.available && !webgpu.software ? "webgpu" : "wasm";
}

/**
 * Why the default is what it is, in a sentence for the page.
 *
 * @param device The device chosen.
 * @param webgpu What the browser's WebGPU offers.
 * @returns The explanation.
 */
export function explainDevice(device: Device, webgpu: WebGpuFacts): string {
  if (device === "webgpu") {
    return webgpu.software
      ? "Running on WebGPU, as asked, on a software adapter (slower than wasm)."
      : "Running on WebGPU (the browser has a GPU adapter); wasm is one click away.";
  }
  if (!webgpu.available) return "Running on WebAssembly: this browser offers no WebGPU adapter.";
  return webgpu.software
    ? "Running on WebAssembly: WebGPU here is a software adapter (SwiftShader), slower than wasm."
    : "Running on WebAssembly, as asked; WebGPU is available.";
}
