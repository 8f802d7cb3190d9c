/**
 * `deno task setup:cuda`: installs onnxruntime-node's CUDA 12 execution provider with the
 * package's own installer (it downloads `Microsoft.ML.OnnxRuntime.Gpu.Linux` from NuGet, which
 * Deno's npm install does not run), checks that the provider loads, and says what else the
 * machine needs: CUDA 12 and cuDNN 9 runtime libraries and an NVIDIA driver.
 *
 * @module
 */

import { parseFlags, runTool } from "./lib/cli.ts";
import { probeDevice } from "./lib/device.ts";
import { PROJECT_ROOT } from "./lib/serve_app.ts";

const USAGE = `Usage: deno task setup:cuda

Runs onnxruntime-node's installer for its CUDA 12 execution provider (needs internet: NuGet),
then checks that --device cuda can start. Prints what is missing, if anything.`;

/** What the CUDA provider needs besides onnxruntime-node's files. */
export const CUDA_NEEDS = "CUDA 12 runtime libraries (libcudart.so.12, libcublas.so.12, " +
  "libcublasLt.so.12, libcufft.so.11, libcurand.so.10), cuDNN 9 (libcudnn.so.9) and an NVIDIA " +
  "driver for CUDA 12, on the library path (LD_LIBRARY_PATH)";

/** onnxruntime-node's package folder (`nodeModulesDir: "auto"` links it into node_modules). */
function ortNodeDir(): string {
  const link = `${PROJECT_ROOT}/node_modules/onnxruntime-node`;
  try {
    return Deno.realPathSync(link);
  } catch {
    throw new Error(`onnxruntime-node is not installed at ${link}: run deno install first`);
  }
}

async function main(): Promise<number> {
  const parsed = parseFlags(Deno.args, {}, USAGE);
  if (!parsed) return 0;
  const dir = ortNodeDir();
  const bin = `${dir}/bin/napi-v6/linux/x64`;
  console.log(`onnxruntime-node: ${dir}`);
  // Node runs the installer as npm would; Deno runs no install scripts of npm packages.
  const node = await new Deno.Command("node", {
    args: ["--version"],
    stdout: "null",
    stderr: "null",
  })
    .output().then((o) => o.success, () => false);
  const runner = node ? "node" : Deno.execPath();
  const args = node ? [`${dir}/script/install.js`] : ["run", "-A", `${dir}/script/install.js`];
  console.log(
    `running its installer (${
      runner === "node" ? "node" : "deno"
    }) with ONNXRUNTIME_NODE_INSTALL=cuda12 ...`,
  );
  const install = await new Deno.Command(runner, {
    args,
    cwd: dir,
    env: { ONNXRUNTIME_NODE_INSTALL: "cuda12" },
    stdout: "inherit",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(install.stderr);
  const files = ["libonnxruntime_providers_cuda.so", "libonnxruntime_providers_shared.so"];
  const missing = files.filter((f) => {
    try {
      return !Deno.statSync(`${bin}/${f}`).isFile;
    } catch {
      return true;
    }
  });
  if (missing.length) {
    const offline = /getaddrinfo|ENOTFOUND|EAI_AGAIN|ECONNREFUSED/.test(err);
    console.error(
      `error: the installer did not bring ${missing.join(" and ")} into ${bin}` +
        (offline ? " (it cannot reach api.nuget.org: this machine is offline)" : "") +
        `. On a machine with internet, run deno task setup:cuda again, or copy those files from ` +
        `NuGet's Microsoft.ML.OnnxRuntime.Gpu.Linux 1.30 (runtimes/linux-x64/native/) into ${bin}.` +
        (err.trim() && !offline ? `\n${err.trim().split("\n").slice(-3).join("\n")}` : ""),
    );
    return 1;
  }
  console.log(`installed: ${files.join(", ")} in ${bin}`);
  const probe = await probeDevice("cuda");
  if (!probe.ok) {
    console.error(
      `error: --device cuda cannot start yet: ${probe.reason}\nIt also needs ${CUDA_NEEDS}.`,
    );
    return 1;
  }
  console.log(`--device cuda works on this machine.`);
  return 0;
}

if (import.meta.main) await runTool(main);
