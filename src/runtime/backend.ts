/**
 * Which build of onnxruntime runs a `Session`: onnxruntime-node (the CLI and the tests) or
 * onnxruntime-web (the page and its training worker). Both export onnxruntime-common's
 * `InferenceSession` and `Tensor`, so one `Session` serves both; a backend says which devices
 * it has and how each is named to onnxruntime.
 *
 * onnxruntime-node is loaded on first use (`nodeBackend`), never imported statically, so the
 * browser bundle of `src/` does not pull in its native binding: the page passes
 * `webBackend(ort)` with the onnxruntime-web module it loaded.
 *
 * @module
 */

import type * as ortTypes from "onnxruntime-node";

/** The part of onnxruntime-common's API a session needs (both npm packages export it). */
export type OrtModule = Pick<typeof ortTypes, "InferenceSession" | "Tensor" | "env">;

/** Where onnxruntime runs a model: `wasm` is onnxruntime-web's CPU. */
export type Device = "cpu" | "cuda" | "webgpu" | "wasm";

/** onnxruntime's name for an execution provider, with options where it takes them. */
export type ProviderConfig = string | { readonly name: string; readonly deviceId: number };

/** A build of onnxruntime. */
export interface Backend {
  /** Its npm package and version, for messages and run records (`onnxruntime-node 1.30.0`). */
  readonly name: string;
  /** The module. */
  readonly ort: OrtModule;
  /** The devices it has, in the order `--device` lists them. */
  readonly devices: readonly Device[];
  /**
   * The execution provider for a device.
   *
   * @param device One of `devices`.
   * @param deviceId Which GPU, where there are several (CUDA).
   */
  provider(device: Device, deviceId?: number): ProviderConfig;
  /**
   * What a device needs beyond the npm package, for the error when it does not start.
   *
   * @param device One of `devices`.
   */
  needs(device: Device): string;
}

/** onnxruntime-node's devices, in the order `--device` lists them. */
export const NODE_DEVICES: readonly Device[] = ["cpu", "cuda", "webgpu"];

/** onnxruntime-web's devices. */
export const WEB_DEVICES: readonly Device[] = ["wasm", "webgpu"];

const NODE_NEEDS: Readonly<Record<string, string>> = {
  cuda: "onnxruntime-node's CUDA execution provider needs libonnxruntime_providers_cuda.so and " +
    "libonnxruntime_providers_shared.so next to its binding (the npm package does not ship them) " +
    "plus CUDA 13 (cudart, cuBLAS, cuRAND), cuDNN 9 and a driver of 580 or later: run " +
    "deno task setup:cuda",
  webgpu: "the WebGPU execution provider needs a GPU adapter reachable through Vulkan " +
    "(libvulkan.so.1 and a driver)",
};

let node: Promise<Backend> | undefined;

/**
 * onnxruntime-node, imported on first call.
 *
 * @returns The backend.
 */
export function nodeBackend(): Promise<Backend> {
  node ??= import("onnxruntime-node").then((ort) => {
    // onnxruntime's errors reach callers as exceptions with their message; its own console
    // log would print them a second time (in red, with source paths), so only fatal ones pass.
    ort.env.logLevel = "fatal";
    return {
      name: `onnxruntime-node ${ort.env.versions.node ?? ort.env.versions.common}`,
      ort,
      devices: NODE_DEVICES,
      provider: (device, deviceId) =>
        device === "cuda" && deviceId !== undefined ? { name: "cuda", deviceId } : device,
      needs: (device) => NODE_NEEDS[device] ?? "",
    };
  });
  return node;
}

/**
 * onnxruntime-web, as the page loaded it (`/ort/ort.min.mjs`). Its wasm thread count is
 * `ort.env.wasm.numThreads`, set before the first session; a session's own `threads` option
 * does not apply there.
 *
 * @param ort The onnxruntime-web module.
 * @returns The backend.
 */
export function webBackend(ort: OrtModule): Backend {
  ort.env.logLevel = "fatal";
  const version = ort.env.versions.web ?? ort.env.versions.common;
  return {
    name: `onnxruntime-web ${version}`,
    ort,
    devices: WEB_DEVICES,
    provider: (device) => device,
    needs: (device) =>
      device === "webgpu"
        ? "this browser offers no WebGPU adapter (navigator.gpu.requestAdapter() gave none)"
        : "",
  };
}
