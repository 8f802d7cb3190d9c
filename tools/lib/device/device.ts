/**
 * Choosing an execution provider: a probe that starts a session on a one-node graph, and
 * `--device auto`, which takes the first of cuda, webgpu and cpu that starts and says why it
 * skipped the others.
 *
 * @module
 */

import { Graph } from "../../../src/graph/graph.ts";
import { saveGraph } from "../../../src/graph/model_io.ts";
import { relu } from "../../../src/ops/elementwise.ts";
import { type Device, DEVICES, Session } from "../../../src/runtime/session.ts";
import { intFlag, UsageError } from "../cli/cli.ts";
import { ortBindingDir } from "./cuda/ort_dir.ts";
import { preloadCudaLibraries } from "./cuda/preload.ts";
import { cudaReport, formatReport } from "./cuda/report.ts";
import { readRecord } from "./cuda/requirements.ts";

/** Whether a device starts, and why not. */
export interface Probe {
  readonly ok: boolean;
  readonly reason: string;
}

let probeModel: Uint8Array | undefined;

/**
 * Starts and releases a session on `device`.
 *
 * @param device The execution provider.
 * @param deviceId Which GPU (cuda).
 * @returns Whether it started, with onnxruntime's reason when not.
 */
export async function probeDevice(device: Device, deviceId?: number): Promise<Probe> {
  const preloadFailures = device === "cuda" ? preloadCudaLibraries(ortBindingDir()) : [];
  if (!probeModel) {
    const g = new Graph("probe");
    g.output(relu(g.input("x", "float32", [1])), "y");
    probeModel = saveGraph(g);
  }
  try {
    const s = await Session.create(probeModel, {
      device,
      ...(deviceId !== undefined ? { deviceId } : {}),
      source: "device probe",
    });
    await s.release();
    return { ok: true, reason: "" };
  } catch (error) {
    const failed = preloadFailures.length ? ` (${preloadFailures.join("; ")})` : "";
    return { ok: false, reason: (error as Error).message + failed };
  }
}

/**
 * Starts `--device cuda` or says, before anything else runs, which of its files are missing.
 *
 * @param deviceId Which GPU.
 * @throws Error with onnxruntime's reason and the dependency report when the provider does not
 *   start.
 */
export async function checkCuda(deviceId?: number): Promise<void> {
  const probe = await probeDevice("cuda", deviceId);
  if (probe.ok) return;
  const binDir = ortBindingDir();
  const report = await cudaReport({ binDir, libPaths: readRecord(binDir)?.libPaths ?? [] });
  throw new Error(
    `--device cuda cannot start (${shortReason(probe.reason)}): run deno task setup:cuda, ` +
      `or use --device cpu. What it needs:\n${formatReport(report).join("\n")}`,
  );
}

/** The order `--device auto` tries. */
export const AUTO_ORDER: readonly Device[] = ["cuda", "webgpu", "cpu"];

/**
 * The first device of cuda, webgpu, cpu that starts.
 *
 * @param deviceId Which GPU, for cuda.
 * @returns The device and one line saying why the ones before it were skipped.
 */
export async function autoDevice(deviceId?: number): Promise<{ device: Device; note: string }> {
  const skipped: string[] = [];
  for (const device of AUTO_ORDER) {
    // SwiftShader emulates a GPU on the CPU: right for tests, far slower than the CPU EP.
    if (device === "webgpu" && /swiftshader/i.test(Deno.env.get("VK_ICD_FILENAMES") ?? "")) {
      skipped.push(
        "webgpu: only SwiftShader's software adapter (VK_ICD_FILENAMES), slower than cpu",
      );
      continue;
    }
    const probe = await probeDevice(device, deviceId);
    if (probe.ok) {
      const why = skipped.length ? ` (skipped ${skipped.join("; ")})` : "";
      return { device, note: `--device auto chose ${device}${why}` };
    }
    skipped.push(`${device}: ${shortReason(probe.reason)}`);
  }
  throw new Error(`--device auto: no execution provider starts: ${skipped.join("; ")}`);
}

/** The devices `--device` takes: the execution providers and `auto`. */
export const DEVICE_FLAGS: readonly string[] = [...DEVICES, "auto"];

/**
 * Checks `--device` and `--device-id`, and resolves `auto`.
 *
 * @param device `--device` (cpu by default).
 * @param deviceId `--device-id`.
 * @returns The device, its GPU index, and for `auto` a line saying what it chose and why.
 * @throws UsageError for an unknown device or an id where it does not apply.
 */
export async function deviceFlags(
  device: string | undefined,
  deviceId: string | undefined,
): Promise<{ device: Device; deviceId?: number; note?: string }> {
  const name = device ?? "cpu";
  if (!DEVICE_FLAGS.includes(name)) {
    throw new UsageError(`--device must be one of ${DEVICE_FLAGS.join(", ")}: got "${device}"`);
  }
  const id = deviceId === undefined ? undefined : intFlag("device-id", deviceId, 0, 255, 0);
  if (id !== undefined && name !== "cuda" && name !== "auto") {
    throw new UsageError(
      `--device-id picks one of several CUDA GPUs: it does not apply to --device ${name}`,
    );
  }
  const withId = id === undefined ? {} : { deviceId: id };
  if (name === "cuda") await checkCuda(id);
  if (name !== "auto") return { device: name as Device, ...withId };
  return { ...(await autoDevice(id)), ...withId };
}

/** The gist of a failed probe, for `auto`'s one line. */
function shortReason(reason: string): string {
  if (/Failed to load shared library|providers_cuda/.test(reason)) {
    return "its provider or the CUDA libraries it needs do not load";
  }
  if (/adapter/i.test(reason)) return "no WebGPU adapter (a GPU driver with Vulkan)";
  return reason.length > 120 ? `${reason.slice(0, 117)}...` : reason;
}
