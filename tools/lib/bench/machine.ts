/**
 * The machine a result came from, and the one median every tool reports. Results repeat bit
 * for bit on one machine; across CPUs onnxruntime's kernels may round differently, so every
 * result records its CPU.
 *
 * @module
 */

import { cpus } from "node:os";

/** The CPU model, as the OS reports it (`Intel(R) Xeon(R) Processor`). */
export function cpuModel(): string {
  return cpus()[0]?.model.trim() || "unknown CPU";
}

/** The CPU model and core count, with Deno's version. */
export function machineLine(): string {
  return `${cpuModel()}, ${cpus().length} cores, Deno ${Deno.version.deno}`;
}

/**
 * The median: the middle value, or the mean of the two middle ones for an even count.
 *
 * @param values Numbers.
 * @returns The median (NaN for none).
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
