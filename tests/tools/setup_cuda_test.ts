import assert from "node:assert/strict";
import { zipSync } from "fflate";
import { runTool } from "../helpers/cli.ts";
import { buildElf } from "../helpers/elf.ts";
import { elfNeeded } from "../../tools/lib/device/elf.ts";
import { installFiles } from "../../tools/lib/device/cuda/install.ts";
import { ortBindingDir, ortNodeVersion } from "../../tools/lib/device/cuda/ort_dir.ts";
import { cudaReport } from "../../tools/lib/device/cuda/report.ts";
import { preloadCudaLibraries } from "../../tools/lib/device/cuda/preload.ts";

const NATIVE = "runtimes/linux-x64/native";
/** A library no machine has, so that the report's "missing" does not depend on the machine. */
const NOWHERE = "libonnxlm_test_nowhere.so.7";

/** A CUDA provider stand-in: an ELF that needs cudart and NOWHERE, over a megabyte. */
function fakeProvider(): Uint8Array {
  return buildElf({
    sections: [{ name: ".text", data: new Uint8Array(1_100_000) }],
    needed: ["libcudart.so.13", NOWHERE, "libc.so.6"],
  });
}

/** A `.nupkg` of the GPU package, with the given version and files. */
function nupkg(
  version: string,
  files: Record<string, Uint8Array>,
  id = "Microsoft.ML.OnnxRuntime.Gpu.Linux",
) {
  const nuspec = `<?xml version="1.0"?><package><metadata><id>${id}</id>` +
    `<version>${version}</version></metadata></package>`;
  const entries: Record<string, Uint8Array> = {
    [`${id}.nuspec`]: new TextEncoder().encode(nuspec),
  };
  for (const [name, bytes] of Object.entries(files)) entries[`${NATIVE}/${name}`] = bytes;
  return zipSync(entries);
}

const BOTH = () => ({
  "libonnxruntime_providers_cuda.so": fakeProvider(),
  "libonnxruntime_providers_shared.so": buildElf({ needed: ["libc.so.6"] }),
});

async function listing(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
}

Deno.test("elfNeeded reads DT_NEEDED in order, and refuses what is not ELF", () => {
  assert.deepEqual(elfNeeded(fakeProvider()), ["libcudart.so.13", NOWHERE, "libc.so.6"]);
  assert.deepEqual(elfNeeded(buildElf({})), []);
  assert.throws(() => elfNeeded(new Uint8Array(100)), /not a 64-bit little-endian ELF file/);
});

Deno.test("setup:cuda --from places the provider, records --lib-path and reports each library by name", async () => {
  const dir = await Deno.makeTempDir();
  const into = `${dir}/bin`, libs = `${dir}/cuda-libs`;
  await Deno.mkdir(into);
  await Deno.mkdir(libs);
  await Deno.writeFile(`${libs}/libcudart.so.13`, buildElf({}));
  const version = await ortNodeVersion();
  await Deno.writeFile(`${dir}/gpu.nupkg`, nupkg(version, BOTH()));
  const args = ["--from", `${dir}/gpu.nupkg`, "--into", into, "--lib-path", libs];
  const r = await runTool("setup_cuda", args);
  assert.equal(r.code, 1, r.stderr); // installed, but this machine lacks what it needs
  assert.match(
    r.stdout,
    /installed libonnxruntime_providers_cuda\.so and libonnxruntime_providers_shared\.so/,
  );
  assert.match(r.stdout, new RegExp(`found +libcudart\\.so\\.13 +${libs}/libcudart\\.so\\.13`));
  assert.match(r.stdout, new RegExp(`MISSING ${NOWHERE.replaceAll(".", "\\.")}`));
  assert.match(r.stdout, /libcudnn\.so\.9/); // opened at run time, so listed though not DT_NEEDED
  assert.doesNotMatch(r.stdout, /libc\.so\.6/); // system libraries are not reported
  assert.match(
    r.stderr,
    new RegExp(`^error: --device cuda cannot start yet:\\n  missing ${NOWHERE}`),
  );
  assert.ok(!r.stderr.includes("    at "), r.stderr);
  assert.deepEqual(await listing(into), [
    "libonnxruntime_providers_cuda.so",
    "libonnxruntime_providers_shared.so",
    "onnx-lm-cuda.json",
  ]);
  const record = JSON.parse(await Deno.readTextFile(`${into}/onnx-lm-cuda.json`));
  assert.deepEqual(record.libPaths, [libs]);
  assert.equal(record.version, version);
  assert.equal(record.sizes["libonnxruntime_providers_cuda.so"], fakeProvider().length);

  // Run again without --from: the files stay, and it says so.
  const again = await runTool("setup_cuda", ["--into", into]);
  assert.match(again.stdout, /the provider is already installed/);
  assert.equal(
    (await Deno.stat(`${into}/libonnxruntime_providers_cuda.so`)).size,
    fakeProvider().length,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("setup:cuda refuses a wrong package, version or file, and leaves the folder empty", async () => {
  const dir = await Deno.makeTempDir();
  const into = `${dir}/bin`;
  await Deno.mkdir(into);
  const version = await ortNodeVersion();
  const { "libonnxruntime_providers_cuda.so": cuda } = BOTH();
  const cases: [string, Uint8Array, RegExp][] = [
    [
      "old.nupkg",
      nupkg("1.29.0", BOTH()),
      /Gpu\.Linux 1\.29\.0, but onnxruntime-node is .*the same version/,
    ],
    [
      "cpu.nupkg",
      nupkg(version, BOTH(), "Microsoft.ML.OnnxRuntime"),
      /expected the Microsoft\.ML\.OnnxRuntime\.Gpu\.Linux package, got Microsoft\.ML\.OnnxRuntime$/m,
    ],
    [
      "half.nupkg",
      nupkg(version, { "libonnxruntime_providers_cuda.so": cuda }),
      /has no libonnxruntime_providers_shared\.so/,
    ],
    [
      "tiny.nupkg",
      nupkg(version, { ...BOTH(), "libonnxruntime_providers_cuda.so": buildElf({}) }),
      /too small for the CUDA provider/,
    ],
    ["text.nupkg", new TextEncoder().encode("not a zip"), /not a NuGet package \(a zip\)/],
  ];
  for (const [name, bytes, message] of cases) {
    await Deno.writeFile(`${dir}/${name}`, bytes);
    const r = await runTool("setup_cuda", ["--from", `${dir}/${name}`, "--into", into]);
    assert.equal(r.code, 1, `${name}: ${r.stderr}`);
    assert.match(r.stderr, message, name);
    assert.ok(!r.stderr.includes("    at "), r.stderr);
    assert.deepEqual(await listing(into), [], `${name} left files behind`);
  }
  const missing = await runTool("setup_cuda", ["--from", `${dir}/none.nupkg`, "--into", into]);
  assert.match(missing.stderr, /--from .*none\.nupkg: cannot read it/);
  const bad = await runTool("setup_cuda", ["--lib-path", `${dir}/no-such-dir`, "--into", into]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^error: --lib-path .*no-such-dir: no such folder$/m);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("installFiles puts everything back when a rename fails halfway", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/libonnxruntime_providers_cuda.so`, "old provider");
  const files = new Map(Object.entries(BOTH()));
  const record = { version: "1.30.0", source: "test", libPaths: [] };
  // The second file's move into place fails, after the first has been replaced.
  const failing = (from: string, to: string) =>
    to.endsWith("/libonnxruntime_providers_shared.so")
      ? Promise.reject(new Error("disk full"))
      : Deno.rename(from, to);
  await assert.rejects(installFiles(files, dir, record, failing), /disk full/);
  assert.equal(await Deno.readTextFile(`${dir}/libonnxruntime_providers_cuda.so`), "old provider");
  assert.deepEqual(await listing(dir), ["libonnxruntime_providers_cuda.so"]);
  // A folder where a file goes is refused before anything is written.
  await Deno.mkdir(`${dir}/onnx-lm-cuda.json`);
  await assert.rejects(installFiles(files, dir, record), /onnx-lm-cuda\.json is in the way/);
  assert.deepEqual(await listing(dir), ["libonnxruntime_providers_cuda.so", "onnx-lm-cuda.json"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("cudaReport lists CUDA 13's libraries before the provider is installed", async () => {
  const dir = await Deno.makeTempDir();
  const r = await cudaReport({
    binDir: dir,
    system: false,
    queryDriver: () =>
      Promise.resolve({
        driver: "575.51",
        gpus: [{ name: "Tesla T4", computeCapability: 7.5 }, {
          name: "Tesla P100",
          computeCapability: 6,
        }],
      }),
  });
  assert.deepEqual(r.libraries.map((l) => l.file), [
    "libcublasLt.so.13",
    "libcublas.so.13",
    "libcurand.so.10",
    "libcudart.so.13",
    "libcuda.so.1",
    "libcudnn.so.9",
  ]);
  assert.ok(r.problems.includes("the NVIDIA driver is 575.51: CUDA 13 needs 580 or later"));
  assert.ok(r.problems.some((p) => p.startsWith("Tesla P100 has compute capability 6:")));
  assert.ok(!r.problems.some((p) => p.startsWith("Tesla T4")));
  await Deno.remove(dir);
});

Deno.test("train --device cuda stops before training with the dependency report", async () => {
  const installed = [...Deno.readDirSync(ortBindingDir())].some((e) =>
    e.name.includes("providers_cuda")
  );
  if (installed) return; // a machine with the provider: the safety test's failure does not apply
  const out = await Deno.makeTempDir();
  const r = await runTool("train", ["lm1", "--device", "cuda", "--out", `${out}/run`]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: --device cuda cannot start .*run deno task setup:cuda/m);
  assert.match(r.stderr, /MISSING libonnxruntime_providers_cuda\.so/);
  assert.match(r.stderr, /MISSING libcudart\.so\.13 +CUDA 13 runtime/);
  assert.deepEqual(await listing(out), []); // nothing written
  await Deno.remove(out, { recursive: true });
});

Deno.test("preloadCudaLibraries opens the recorded folders' libraries and names those that fail", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(`${dir}/libs`);
  await Deno.writeFile(`${dir}/libs/libcudart.so.13`, buildElf({})); // an ELF with nothing to load
  await Deno.writeTextFile(`${dir}/libs/notes.txt`, "not a library: never opened");
  const record = { version: "1.30.0", source: "test", libPaths: [`${dir}/libs`], sizes: {} };
  await Deno.writeTextFile(`${dir}/onnx-lm-cuda.json`, JSON.stringify(record));
  const failed = preloadCudaLibraries(dir);
  assert.equal(failed.length, 1, failed.join("\n"));
  assert.ok(failed[0]!.startsWith(`${dir}/libs/libcudart.so.13: `), failed[0]);
  assert.deepEqual(preloadCudaLibraries(dir), []); // once per process
  await Deno.remove(dir, { recursive: true });
});
