/**
 * What onnxruntime-node's CUDA execution provider needs, and where onnx-lm records how it was
 * installed. Since onnxruntime 1.27, Microsoft's GPU builds target CUDA 13 (onnxruntime#29032,
 * #29500): `readelf -d` on `libonnxruntime_providers_cuda.so` 1.30.0 names libcublasLt.so.13,
 * libcublas.so.13, libcurand.so.10, libcudart.so.13 and libcuda.so.1, and the provider opens
 * cuDNN 9 (libcudnn.so.9) at run time. CUDA 13 needs an NVIDIA driver of version 580 or later and
 * a GPU of compute capability 7.5 or higher.
 *
 * @module
 */

/** The two files the npm package lacks, from NuGet's `runtimes/linux-x64/native/`. */
export const PROVIDER_FILES = [
  "libonnxruntime_providers_cuda.so",
  "libonnxruntime_providers_shared.so",
] as const;

/** The NuGet package that holds them, in the version of onnxruntime-node. */
export const NUGET_PACKAGE = "Microsoft.ML.OnnxRuntime.Gpu.Linux";

/** Where the files are inside that package. */
export const NUGET_NATIVE_DIR = "runtimes/linux-x64/native";

/** The record `setup:cuda` writes beside the provider. */
export const RECORD_FILE = "onnx-lm-cuda.json";

/** The oldest driver CUDA 13 runs on, and the least compute capability of its builds. */
export const MIN_DRIVER = 580;
export const MIN_COMPUTE_CAPABILITY = 7.5;

/**
 * `DT_NEEDED` of `libonnxruntime_providers_cuda.so` 1.30.0 (system libraries left out): what the
 * report lists before the provider is installed. Once it is, its own entries are read instead.
 */
export const EXPECTED_NEEDED: readonly string[] = [
  "libcublasLt.so.13",
  "libcublas.so.13",
  "libcurand.so.10",
  "libcudart.so.13",
  "libcuda.so.1",
];

/** Libraries opened at run time rather than named in `DT_NEEDED`. */
export const OPENED_AT_RUN_TIME: readonly string[] = ["libcudnn.so.9"];

/** What a library is, for the report. */
export function describeLibrary(file: string): string {
  const known: [RegExp, string][] = [
    [/^libcudart\.so\.(\d+)/, "CUDA $1 runtime"],
    [/^libcublasLt\.so\.(\d+)/, "cuBLASLt, CUDA $1"],
    [/^libcublas\.so\.(\d+)/, "cuBLAS, CUDA $1"],
    [/^libcurand\.so\.(\d+)/, "cuRAND $1, CUDA 13"],
    [/^libcufft\.so\.(\d+)/, "cuFFT $1"],
    [/^libcudnn\.so\.(\d+)/, "cuDNN $1"],
    [/^libcuda\.so\.1/, "the NVIDIA driver's CUDA library"],
    [/^libonnxruntime_providers_shared/, "onnxruntime's provider bridge"],
  ];
  for (const [pattern, what] of known) {
    const m = pattern.exec(file);
    if (m) return what.replace("$1", m[1] ?? "");
  }
  return "a library the provider needs";
}

/** Libraries every Linux system has, left out of the report. */
export function isSystemLibrary(file: string): boolean {
  return /^(libc|libm|libdl|librt|libpthread|libgcc_s|libstdc\+\+)\.so|^ld-linux/.test(file);
}

/** What `setup:cuda` installed, as `onnx-lm-cuda.json` records it. */
export interface CudaRecord {
  /** onnxruntime's version of the provider. */
  readonly version: string;
  /** Where it came from: `installer`, `nuget` or the `.nupkg` path. */
  readonly source: string;
  /** Extra folders searched for CUDA's libraries (`--lib-path`), absolute. */
  readonly libPaths: readonly string[];
  /** Each provider file's size in bytes. */
  readonly sizes: Readonly<Record<string, number>>;
}

/**
 * Reads the record beside the provider.
 *
 * @param binDir onnxruntime-node's binding folder.
 * @returns The record, or undefined when there is none or it cannot be read.
 */
export function readRecord(binDir: string): CudaRecord | undefined {
  try {
    const r = JSON.parse(Deno.readTextFileSync(`${binDir}/${RECORD_FILE}`)) as CudaRecord;
    return Array.isArray(r.libPaths) && typeof r.version === "string" ? r : undefined;
  } catch {
    return undefined;
  }
}
