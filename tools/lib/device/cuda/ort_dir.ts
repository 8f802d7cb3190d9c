/**
 * Where onnxruntime-node's native binding lives, which is where it looks for the CUDA provider.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/**
 * onnxruntime-node's binding folder (`bin/napi-v6/linux/x64` of its package, which Deno's
 * `nodeModulesDir: "auto"` links into the project's node_modules).
 *
 * @returns The folder's absolute path.
 * @throws Error when onnxruntime-node is not installed.
 */
export function ortBindingDir(): string {
  const link = fileURLToPath(new URL("../../../../node_modules/onnxruntime-node", import.meta.url));
  let pkg: string;
  try {
    pkg = Deno.realPathSync(link);
  } catch {
    throw new Error(`onnxruntime-node is not installed at ${link}: run deno install first`);
  }
  const os = Deno.build.os === "windows" ? "win32" : Deno.build.os;
  return `${pkg}/bin/napi-v6/${os}/${Deno.build.arch === "aarch64" ? "arm64" : "x64"}`;
}

/**
 * onnxruntime-node's package version.
 *
 * @returns For example `1.30.0`.
 */
export async function ortNodeVersion(): Promise<string> {
  const ort = await import("onnxruntime-node");
  return ort.env.versions.node ?? ort.env.versions.common;
}
