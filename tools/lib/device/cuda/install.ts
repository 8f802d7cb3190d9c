/**
 * Getting the CUDA provider's two files and placing them beside onnxruntime-node's binding:
 * from a `.nupkg` (a zip), from a NuGet restore through `dotnet` (the user's configured sources,
 * a mirror included), or by onnxruntime-node's own installer (nuget.org). Each source is checked:
 * the package's id and version, the files' sizes against the archive, and that they are ELF
 * libraries. Installing stages both files in the binding folder and renames them into place, so a
 * failure leaves the folder as it was.
 *
 * @module
 */

import { unzipSync } from "fflate";
import { elfSections } from "../elf.ts";
import {
  type CudaRecord,
  NUGET_NATIVE_DIR,
  NUGET_PACKAGE,
  PROVIDER_FILES,
  RECORD_FILE,
} from "./requirements.ts";

/** Raised when a source cannot give the files, with what to do instead. */
export class ProviderSourceError extends Error {
  override name = "ProviderSourceError";
}

/** The two provider files' bytes, by file name. */
export type ProviderBytes = ReadonlyMap<string, Uint8Array>;

/** The smallest believable CUDA provider (1.30.0's is 272 MB; a cut one still holds its code). */
const MIN_PROVIDER_BYTES = 1_000_000;

/** Checks that each file is an ELF library of a believable size. */
function checkFiles(files: ProviderBytes, where: string): ProviderBytes {
  for (const name of PROVIDER_FILES) {
    const bytes = files.get(name);
    if (!bytes) throw new ProviderSourceError(`${where} has no ${name}`);
    try {
      elfSections(bytes);
    } catch (error) {
      throw new ProviderSourceError(`${where}: ${name} is ${(error as Error).message}`);
    }
  }
  const cuda = files.get(PROVIDER_FILES[0])!;
  if (cuda.length < MIN_PROVIDER_BYTES) {
    throw new ProviderSourceError(
      `${where}: ${PROVIDER_FILES[0]} is ${cuda.length} bytes, too small for the CUDA provider`,
    );
  }
  return files;
}

/**
 * The provider files from a `.nupkg` of `Microsoft.ML.OnnxRuntime.Gpu.Linux`.
 *
 * @param path The package file.
 * @param version The version it must be (onnxruntime-node's).
 * @returns The two files.
 * @throws ProviderSourceError for another package, another version, or missing files.
 */
export async function fromNupkg(path: string, version: string): Promise<ProviderBytes> {
  let zip: Uint8Array;
  try {
    zip = await Deno.readFile(path);
  } catch (error) {
    throw new ProviderSourceError(`--from ${path}: cannot read it (${(error as Error).message})`);
  }
  const wanted = new Set(PROVIDER_FILES.map((f) => `${NUGET_NATIVE_DIR}/${f}`));
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(zip, {
      filter: (f) => wanted.has(f.name) || (f.name.endsWith(".nuspec") && !f.name.includes("/")),
    });
  } catch (error) {
    throw new ProviderSourceError(
      `--from ${path}: not a NuGet package (a zip): ${(error as Error).message}`,
    );
  }
  const nuspecName = Object.keys(entries).find((n) => n.endsWith(".nuspec"));
  const nuspec = nuspecName ? new TextDecoder().decode(entries[nuspecName]) : "";
  const id = /<id>([^<]+)<\/id>/.exec(nuspec)?.[1]?.trim();
  const got = /<version>([^<]+)<\/version>/.exec(nuspec)?.[1]?.trim();
  if (!id || id.toLowerCase() !== NUGET_PACKAGE.toLowerCase()) {
    throw new ProviderSourceError(
      `--from ${path}: expected the ${NUGET_PACKAGE} package, got ${id ?? "no .nuspec"}`,
    );
  }
  if (got !== version) {
    throw new ProviderSourceError(
      `--from ${path}: ${NUGET_PACKAGE} ${got}, but onnxruntime-node is ${version}: ` +
        `the provider must be the same version`,
    );
  }
  const files = new Map(
    PROVIDER_FILES.map((f) => [f, entries[`${NUGET_NATIVE_DIR}/${f}`]] as const)
      .filter((e): e is [typeof e[0], Uint8Array] => e[1] !== undefined),
  );
  return checkFiles(files, `--from ${path}`);
}

/**
 * The provider files by a NuGet restore of the exact version through `dotnet`, which uses the
 * machine's configured NuGet sources (a mirror too).
 *
 * @param version onnxruntime-node's version.
 * @returns The two files.
 * @throws ProviderSourceError when dotnet is missing or the restore fails.
 */
export async function fromNugetRestore(version: string): Promise<ProviderBytes> {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-nuget-" });
  try {
    await Deno.writeTextFile(
      `${dir}/restore.csproj`,
      `<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup>
  <ItemGroup><PackageReference Include="${NUGET_PACKAGE}" Version="[${version}]" /></ItemGroup>
</Project>
`,
    );
    let out: Deno.CommandOutput;
    try {
      out = await new Deno.Command("dotnet", {
        args: ["restore", `${dir}/restore.csproj`, "--packages", `${dir}/packages`],
        stdout: "piped",
        stderr: "piped",
      }).output();
    } catch {
      throw new ProviderSourceError("dotnet is not installed (or --allow-run was not granted)");
    }
    if (!out.success) {
      const log = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
      const why = log.split("\n").find((l) => /error/i.test(l))?.trim() ?? log.trim().slice(-300);
      throw new ProviderSourceError(`dotnet restore of ${NUGET_PACKAGE} ${version} failed: ${why}`);
    }
    const native = `${dir}/packages/${NUGET_PACKAGE.toLowerCase()}/${version}/${NUGET_NATIVE_DIR}`;
    const files = new Map<string, Uint8Array>();
    for (const f of PROVIDER_FILES) {
      try {
        files.set(f, await Deno.readFile(`${native}/${f}`));
      } catch { /* reported by checkFiles */ }
    }
    return checkFiles(files, `NuGet's ${NUGET_PACKAGE} ${version}`);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/**
 * Places the files in `binDir` with the record, all or nothing: each file is written under a
 * temporary name carrying this process's id, then renamed; on any failure the temporary files
 * are removed and the files already renamed are put back as they were.
 *
 * @param files The provider files.
 * @param binDir onnxruntime-node's binding folder.
 * @param record What to record beside them.
 * @param rename How files are renamed (a test makes one fail).
 * @returns The record written.
 */
export async function installFiles(
  files: ProviderBytes,
  binDir: string,
  record: Omit<CudaRecord, "sizes">,
  rename: (from: string, to: string) => Promise<void> = Deno.rename,
): Promise<CudaRecord> {
  const full: CudaRecord = {
    ...record,
    sizes: Object.fromEntries([...files].map(([name, bytes]) => [name, bytes.length])),
  };
  const writes = new Map<string, Uint8Array>([
    ...files,
    [RECORD_FILE, new TextEncoder().encode(JSON.stringify(full, null, 2) + "\n")],
  ]);
  for (const name of writes.keys()) {
    const stat = await Deno.lstat(`${binDir}/${name}`).catch(() => undefined);
    if (stat && !stat.isFile) {
      throw new ProviderSourceError(`${binDir}/${name} is in the way: it is not a file`);
    }
  }
  const staged: [string, string][] = [];
  const replaced: [string, string][] = []; // [target, backup]
  const renamed: string[] = [];
  try {
    for (const [name, bytes] of writes) {
      const tmp = `${binDir}/.${name}.tmp-${Deno.pid}`;
      staged.push([tmp, `${binDir}/${name}`]);
      await Deno.writeFile(tmp, bytes, { mode: 0o755 });
    }
    for (const [tmp, target] of staged) {
      const backup = `${target}.old-${Deno.pid}`;
      try {
        await rename(target, backup);
        replaced.push([target, backup]);
      } catch { /* nothing there yet */ }
      await rename(tmp, target);
      renamed.push(target);
    }
  } catch (error) {
    for (const target of renamed) await Deno.remove(target).catch(() => {});
    for (const [target, backup] of replaced) await Deno.rename(backup, target).catch(() => {});
    for (const [tmp] of staged) await Deno.remove(tmp).catch(() => {});
    throw error;
  }
  for (const [, backup] of replaced) await Deno.remove(backup).catch(() => {});
  return full;
}
