/**
 * onnxruntime-web in a page or a worker: imported from the site's own copy (never the
 * internet), with its wasm threads set once, before the first session, as it requires. Threads
 * need cross-origin isolation (SharedArrayBuffer): a host that does not send the two headers
 * below gets one thread, and the page says so. Browser-compatible.
 *
 * @module
 */

import type { Device, OrtModule } from "../runtime/backend.ts";

/**
 * onnxruntime-web's ES module for a device, in the site's `ort/`: the wasm-only build for
 * `wasm`, whose runtime (14 MB) is half the one that also has WebGPU (the JSEP build, 28 MB,
 * for `webgpu`). A first visit downloads and compiles one of them; on 2 cores compiling the
 * larger took most of a cold page's load (docs/BENCHMARKS.md, "Page load").
 *
 * @param device `wasm` or `webgpu`.
 * @returns The module's file name.
 */
export function ortBuildFor(device: Device): string {
  return device === "webgpu" ? "ort.min.mjs" : "ort.wasm.min.mjs";
}

/** The two response headers that make a page cross-origin isolated, so wasm can use threads. */
export const ISOLATION_HEADERS: readonly string[] = [
  "Cross-Origin-Opener-Policy: same-origin",
  "Cross-Origin-Embedder-Policy: require-corp",
];

/**
 * Whether this page or worker is cross-origin isolated.
 *
 * @returns `crossOriginIsolated`, false where it is not defined.
 */
export function isIsolated(): boolean {
  return (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
}

/**
 * What the page says about threads.
 *
 * @param isolated Whether it is cross-origin isolated.
 * @param cores `navigator.hardwareConcurrency`.
 * @returns One sentence; without isolation it names the two headers.
 */
export function threadsNote(isolated: boolean, cores: number): string {
  return isolated
    ? `The page is cross-origin isolated: wasm can use up to ${cores} threads.`
    : "This page is not cross-origin isolated, so wasm trains and predicts on one thread; " +
      `a host that sends ${ISOLATION_HEADERS.join(" and ")} enables threads.`;
}

/**
 * Imports onnxruntime-web and sets its threads.
 *
 * @param url Its ES module (`ort/ort.min.mjs` of the site), resolved by the caller.
 * @param threads wasm threads wanted; one without cross-origin isolation, whatever is asked.
 * @returns The module.
 * @throws Error naming the URL when it cannot be imported.
 */
export async function loadOrtWeb(url: string | URL, threads = 1): Promise<OrtModule> {
  let ort: OrtModule;
  try {
    // A URL the bundler must leave alone: the site serves it, nothing bundles it.
    ort = (await import(String(url))) as OrtModule;
  } catch (error) {
    throw new Error(`onnxruntime-web did not load from ${url}: ${(error as Error).message}`);
  }
  ort.env.wasm.numThreads = isIsolated() ? threads : 1;
  ort.env.logLevel = "fatal";
  return ort;
}
