/**
 * `deno task setup:cuda`: installs onnxruntime-node's CUDA execution provider, the two files the
 * npm package does not ship, in onnxruntime-node's exact version, then reports what else the
 * machine has and lacks for `--device cuda` (CUDA 13, cuDNN 9, a driver of 580 or later, compute
 * capability 7.5 or higher), each by its file name.
 *
 * Sources, in order: `--from FILE.nupkg`; else onnxruntime-node's own installer (nuget.org);
 * else a NuGet restore through `dotnet`, which uses the machine's configured sources (a mirror).
 * It can be run again: files already installed in the right version are kept (`--force`
 * replaces them), and `--lib-path` alone updates where CUDA's libraries are looked for.
 *
 * @module
 */

import { resolve } from "node:path";
import { parseFlags, runTool, UsageError } from "./lib/cli/cli.ts";
import { probeDevice } from "./lib/device/device.ts";
import {
  fromNugetRestore,
  fromNupkg,
  installFiles,
  type ProviderBytes,
  ProviderSourceError,
} from "./lib/device/cuda/install.ts";
import { ortBindingDir, ortNodeVersion } from "./lib/device/cuda/ort_dir.ts";
import { cudaReport, formatReport } from "./lib/device/cuda/report.ts";
import {
  type CudaRecord,
  NUGET_NATIVE_DIR,
  NUGET_PACKAGE,
  PROVIDER_FILES,
  readRecord,
  RECORD_FILE,
} from "./lib/device/cuda/requirements.ts";

const USAGE =
  `Usage: deno task setup:cuda [--from FILE.nupkg] [--lib-path DIR[:DIR]] [--force] [--check]

Installs onnxruntime-node's CUDA execution provider (${PROVIDER_FILES.join(", ")}) from NuGet's
${NUGET_PACKAGE} in onnxruntime-node's version, then reports what --device cuda needs:
CUDA 13 (cudart, cuBLAS, cuRAND), cuDNN 9, an NVIDIA driver of 580 or later, compute capability 7.5+.

  --from FILE     install from a downloaded ${NUGET_PACKAGE} .nupkg (no network)
  --lib-path DIR  folders holding CUDA 13 and cuDNN 9 libraries (for example PyTorch's
                  site-packages/nvidia/cu13/lib and nvidia/cudnn/lib), recorded so that
                  --device cuda finds them without LD_LIBRARY_PATH; colon-separated or repeated
  --force         install again even when the right version is already there
  --check         install nothing: only report
  --into DIR      install there instead of onnxruntime-node's binding folder

Without --from it tries onnxruntime-node's own installer (nuget.org), then a NuGet restore
through dotnet with the machine's configured sources.`;

const FLAGS = {
  from: { type: "string" },
  "lib-path": { type: "string", multiple: true },
  force: { type: "boolean" },
  check: { type: "boolean" },
  into: { type: "string" },
} as const;

/** Whether both files are there in the sizes the record names, for this version. */
function installed(binDir: string, version: string): CudaRecord | undefined {
  const record = readRecord(binDir);
  const sizeOf = (f: string) => {
    try {
      return Deno.statSync(`${binDir}/${f}`).size;
    } catch {
      return -1;
    }
  };
  if (record) {
    const whole = PROVIDER_FILES.every((f) => sizeOf(f) === record.sizes[f]);
    return whole && record.version === version ? record : undefined;
  }
  // Placed by onnxruntime-node's installer or by hand: take them as they are, recorded now.
  if (PROVIDER_FILES.every((f) => sizeOf(f) > 0)) {
    return {
      version,
      source: "found in place",
      libPaths: [],
      sizes: Object.fromEntries(PROVIDER_FILES.map((f) => [f, sizeOf(f)])),
    };
  }
  return undefined;
}

/** onnxruntime-node's installer, which writes into its binding folder itself. */
async function viaInstaller(binDir: string): Promise<ProviderBytes> {
  const pkg = binDir.replace(/\/bin\/napi-v6\/.*$/, "");
  const before = new Set(PROVIDER_FILES.filter((f) => exists(`${binDir}/${f}`)));
  const node = await new Deno.Command("node", { args: ["--version"], stdout: "null" })
    .output().then((o) => o.success, () => false);
  const out = await new Deno.Command(node ? "node" : Deno.execPath(), {
    args: node ? [`${pkg}/script/install.js`] : ["run", "-A", `${pkg}/script/install.js`],
    cwd: pkg,
    env: { ONNXRUNTIME_NODE_INSTALL: "cuda12" }, // its name for the CUDA 13 build of 1.30
    stdout: "null",
    stderr: "piped",
    signal: AbortSignal.timeout(300_000),
  }).output().catch((e: Error) => ({
    success: false,
    stderr: new TextEncoder().encode(e.message),
  }));
  const files = new Map<string, Uint8Array>();
  for (const f of PROVIDER_FILES) {
    if (exists(`${binDir}/${f}`)) files.set(f, await Deno.readFile(`${binDir}/${f}`));
  }
  // Whatever it left half-written is removed; files that were there before stay.
  const cleanUp = () => {
    for (const f of PROVIDER_FILES) {
      if (!before.has(f)) Deno.removeSync(`${binDir}/${f}`, { recursive: false });
    }
  };
  if (!out.success || files.size < PROVIDER_FILES.length) {
    try {
      cleanUp();
    } catch { /* not there */ }
    const err = new TextDecoder().decode(out.stderr);
    const offline = /getaddrinfo|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT/.test(err);
    throw new ProviderSourceError(
      `onnxruntime-node's installer did not bring them` +
        (offline ? " (it cannot reach api.nuget.org)" : "") +
        (err.trim() && !offline ? `: ${err.trim().split("\n").slice(-1)[0]}` : ""),
    );
  }
  return files;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<number> {
  const flags = parseFlags(Deno.args, FLAGS, USAGE);
  if (!flags) return 0;
  const { values, positionals } = flags;
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"\n${USAGE}`);
  const binDir = values.into ? resolve(values.into) : ortBindingDir();
  if (values.into && !exists(binDir)) {
    throw new UsageError(`--into ${values.into}: no such folder`);
  }
  const libPaths = (values["lib-path"] ?? []).flatMap((p) => p.split(":")).filter(Boolean)
    .map((p) => resolve(p));
  for (const dir of libPaths) {
    if (!exists(dir)) throw new UsageError(`--lib-path ${dir}: no such folder`);
  }
  const version = await ortNodeVersion();
  console.log(`onnxruntime-node ${version}: ${binDir}`);

  if (!values.check) {
    const have = values.force || values.from ? undefined : installed(binDir, version);
    if (have) {
      console.log(`the provider is already installed (${have.source}); --force replaces it`);
      if (libPaths.length || !readRecord(binDir)) {
        await installRecordOnly(binDir, {
          ...have,
          libPaths: libPaths.length ? libPaths : have.libPaths,
        });
      }
    } else {
      // onnxruntime-node's installer writes into its own package, so not with --into.
      const { files, source } = await fetchProvider(values.from, version, binDir, !values.into);
      const record = await installFiles(files, binDir, { version, source, libPaths });
      const mb = (record.sizes[PROVIDER_FILES[0]]! / 1e6).toFixed(0);
      console.log(`installed ${PROVIDER_FILES.join(" and ")} (${mb} MB) from ${source}`);
    }
  }

  const recorded = readRecord(binDir)?.libPaths ?? [];
  const report = await cudaReport({ binDir, libPaths: libPaths.length ? libPaths : recorded });
  console.log("what --device cuda needs:");
  for (const line of formatReport(report)) console.log(line);
  if (report.problems.length) {
    console.error(`error: --device cuda cannot start yet:\n  ${report.problems.join("\n  ")}`);
    return 1;
  }
  if (values.into) return 0; // a folder onnxruntime-node does not load from: nothing to probe
  const probe = await probeDevice("cuda");
  if (!probe.ok) {
    console.error(`error: every file is there, but the provider does not start: ${probe.reason}`);
    return 1;
  }
  console.log("--device cuda works on this machine.");
  return 0;
}

/** The provider's files from --from, else the installer, else dotnet. */
async function fetchProvider(
  from: string | undefined,
  version: string,
  binDir: string,
  useInstaller: boolean,
): Promise<{ files: ProviderBytes; source: string }> {
  if (from) return { files: await fromNupkg(from, version), source: resolve(from) };
  const failures: string[] = [];
  const sources = [
    ...(useInstaller ? [["installer", () => viaInstaller(binDir)] as const] : []),
    ["nuget", () => fromNugetRestore(version)] as const,
  ];
  for (const [source, get] of sources) {
    console.log(
      `trying ${source === "installer" ? "onnxruntime-node's installer" : "dotnet restore"} ...`,
    );
    try {
      return { files: await get(), source };
    } catch (error) {
      if (!(error instanceof ProviderSourceError)) throw error;
      failures.push(error.message);
    }
  }
  throw new ProviderSourceError(
    `no source gave the provider:\n  ${failures.join("\n  ")}\n` +
      `Download ${NUGET_PACKAGE} ${version} (.nupkg, from nuget.org or your mirror) and run ` +
      `deno task setup:cuda --from FILE.nupkg, or copy ${PROVIDER_FILES.join(" and ")} from ` +
      `its ${NUGET_NATIVE_DIR}/ into ${binDir}.`,
  );
}

/** Rewrites the record alone, atomically. */
async function installRecordOnly(binDir: string, record: CudaRecord): Promise<void> {
  const tmp = `${binDir}/.${RECORD_FILE}.tmp-${Deno.pid}`;
  await Deno.writeTextFile(tmp, JSON.stringify(record, null, 2) + "\n");
  await Deno.rename(tmp, `${binDir}/${RECORD_FILE}`);
  console.log(`recorded library folders: ${record.libPaths.join(", ") || "none"}`);
}

if (import.meta.main) await runTool(main);
