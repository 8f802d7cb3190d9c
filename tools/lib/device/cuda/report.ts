/**
 * The CUDA dependency report: for each library the provider really needs (its `DT_NEEDED`
 * entries, plus cuDNN, which it opens at run time), where it is found or that it is missing; the
 * driver's version and each GPU's compute capability. `setup:cuda` prints it, and `--device cuda`
 * prints it when the provider does not start.
 *
 * @module
 */

import { elfNeededOfFile } from "../elf.ts";
import {
  describeLibrary,
  EXPECTED_NEEDED,
  isSystemLibrary,
  MIN_COMPUTE_CAPABILITY,
  MIN_DRIVER,
  OPENED_AT_RUN_TIME,
  PROVIDER_FILES,
} from "./requirements.ts";

/** One library: found where, or missing. */
export interface LibraryStatus {
  readonly file: string;
  readonly what: string;
  /** Its path, when found. */
  readonly path?: string;
}

/** A GPU as the driver reports it. */
export interface GpuStatus {
  readonly name: string;
  readonly computeCapability: number;
}

/** Everything the provider needs, checked. */
export interface CudaReport {
  /** The provider files themselves. */
  readonly provider: readonly LibraryStatus[];
  /** What the provider needs. */
  readonly libraries: readonly LibraryStatus[];
  /** The driver's version, when a driver is found. */
  readonly driver?: string;
  readonly gpus: readonly GpuStatus[];
  /** Every problem, one line each; empty when `--device cuda` should start. */
  readonly problems: readonly string[];
}

/** Where to look, and how to ask the machine. */
export interface ReportOptions {
  /** onnxruntime-node's binding folder, where the provider belongs. */
  readonly binDir: string;
  /** Extra folders to search first (`--lib-path`). */
  readonly libPaths?: readonly string[];
  /** Also search LD_LIBRARY_PATH, the loader's cache and the usual folders (default true). */
  readonly system?: boolean;
  /** The driver and GPUs (default: `nvidia-smi`, else `/proc/driver/nvidia/version`). */
  readonly queryDriver?: () => Promise<{ driver?: string; gpus: GpuStatus[] }>;
}

const USUAL_DIRS = [
  "/usr/local/cuda/lib64",
  "/usr/local/nvidia/lib64",
  "/usr/lib/x86_64-linux-gnu",
  "/lib/x86_64-linux-gnu",
  "/usr/lib64",
  "/lib64",
];

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

async function run(cmd: string, args: string[]): Promise<string | undefined> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "null" }).output();
    return out.success ? new TextDecoder().decode(out.stdout) : undefined;
  } catch {
    return undefined; // not installed, or --allow-run not granted
  }
}

/** `ldconfig -p`'s cache: library name to path. */
async function loaderCache(): Promise<Map<string, string>> {
  const text = await run("ldconfig", ["-p"]) ?? await run("/sbin/ldconfig", ["-p"]) ?? "";
  const cache = new Map<string, string>();
  for (const m of text.matchAll(/^\s*(\S+) \(([^)]*)\) => (\S+)$/gm)) {
    if (m[2]!.includes("x86-64") && !cache.has(m[1]!)) cache.set(m[1]!, m[3]!);
  }
  return cache;
}

/** The driver and GPUs from `nvidia-smi`, else the kernel module's version alone. */
export async function queryNvidia(): Promise<{ driver?: string; gpus: GpuStatus[] }> {
  const smi = await run("nvidia-smi", [
    "--query-gpu=name,driver_version,compute_cap",
    "--format=csv,noheader",
  ]);
  if (smi) {
    const rows = smi.trim().split("\n").map((l) => l.split(",").map((c) => c.trim()));
    return {
      driver: rows[0]?.[1],
      gpus: rows.map((r) => ({ name: r[0] ?? "?", computeCapability: Number(r[2]) })),
    };
  }
  try {
    const text = Deno.readTextFileSync("/proc/driver/nvidia/version");
    const version = /Kernel Module\s+(\d+\.\d+(?:\.\d+)?)/.exec(text)?.[1];
    return version ? { driver: version, gpus: [] } : { gpus: [] };
  } catch {
    return { gpus: [] };
  }
}

/**
 * Checks what the provider in `binDir` needs on this machine.
 *
 * @param options Where to look.
 * @returns The report.
 */
export async function cudaReport(options: ReportOptions): Promise<CudaReport> {
  const system = options.system ?? true;
  const dirs = [
    ...(options.libPaths ?? []),
    ...(system ? (Deno.env.get("LD_LIBRARY_PATH") ?? "").split(":").filter(Boolean) : []),
    options.binDir,
  ];
  const cache = system ? await loaderCache() : new Map<string, string>();
  const find = (file: string): string | undefined =>
    dirs.map((d) => `${d}/${file}`).find(isFile) ?? cache.get(file) ??
      (system ? USUAL_DIRS.map((d) => `${d}/${file}`).find(isFile) : undefined);
  const status = (file: string): LibraryStatus => {
    const path = find(file);
    return { file, what: describeLibrary(file), ...(path ? { path } : {}) };
  };

  const provider = PROVIDER_FILES.map((file) => {
    const path = `${options.binDir}/${file}`;
    return {
      file,
      what: "onnxruntime's CUDA execution provider",
      ...(isFile(path) ? { path } : {}),
    };
  });
  const problems: string[] = [];
  let needed: string[] = [...EXPECTED_NEEDED];
  const cudaPath = provider[0]!.path;
  if (cudaPath) {
    try {
      needed = elfNeededOfFile(cudaPath).filter((f) => !isSystemLibrary(f));
    } catch (error) {
      problems.push(`${cudaPath} is not a provider library: ${(error as Error).message}`);
    }
  }
  for (const p of provider) {
    if (!p.path) problems.push(`missing ${p.file} in ${options.binDir} (deno task setup:cuda)`);
  }
  const libraries = [...new Set([...needed, ...OPENED_AT_RUN_TIME])].map(status);
  for (const l of libraries) if (!l.path) problems.push(`missing ${l.file} (${l.what})`);

  const { driver, gpus } = await (options.queryDriver ?? queryNvidia)();
  if (!driver) {
    problems.push("no NVIDIA driver found (no nvidia-smi, no /proc/driver/nvidia/version)");
  } else if (Number.parseInt(driver) < MIN_DRIVER) {
    problems.push(`the NVIDIA driver is ${driver}: CUDA 13 needs ${MIN_DRIVER} or later`);
  }
  for (const g of gpus) {
    if (!(g.computeCapability >= MIN_COMPUTE_CAPABILITY)) {
      problems.push(
        `${g.name} has compute capability ${g.computeCapability}: onnxruntime's CUDA 13 build ` +
          `needs ${MIN_COMPUTE_CAPABILITY} or higher`,
      );
    }
  }
  return { provider, libraries, ...(driver ? { driver } : {}), gpus, problems };
}

/**
 * The report as lines for a terminal.
 *
 * @param r The report.
 * @returns One line per file, the driver and GPUs, and what to do when something is missing.
 */
export function formatReport(r: CudaReport): string[] {
  const line = (l: LibraryStatus) =>
    `  ${l.path ? "found  " : "MISSING"} ${l.file.padEnd(36)} ${l.path ?? l.what}`;
  const lines = [...r.provider.map(line), ...r.libraries.map(line)];
  lines.push(`  driver  ${r.driver ?? "none found"}`);
  for (const g of r.gpus) {
    lines.push(`  GPU     ${g.name}, compute capability ${g.computeCapability}`);
  }
  if (r.libraries.some((l) => !l.path)) {
    lines.push(
      "CUDA 13's libraries (cudart, cuBLAS, cuRAND) and cuDNN 9 come with NVIDIA's CUDA 13 " +
        "toolkit and cuDNN packages, or with PyTorch's CUDA 13 wheels " +
        "(site-packages/nvidia/cu13/lib and nvidia/cudnn/lib): put their folders on " +
        "LD_LIBRARY_PATH, or give them once to deno task setup:cuda --lib-path DIR.",
    );
  }
  return lines;
}
