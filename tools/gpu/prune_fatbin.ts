/**
 * Keeps one GPU architecture's machine code in a CUDA library, so that it travels in one
 * device call: `deno run -A tools/gpu/prune_fatbin.ts IN OUT [--sm 90]`.
 *
 * onnxruntime's CUDA provider (272 MB) holds each kernel as cubins for sm_75, 80, 86, 89, 90
 * and 120. The lent H200 runs only sm_90's. This does what CUDA's `nvprune` does, in place:
 * each fatbin container in the `.nv_fatbin` section is rewritten with only the entries for the
 * wanted architecture, and the bytes freed at its end are zeroed, so that the file keeps its
 * layout (no relinking: the pointers in `.nvFatBinSegment` still hold) and compresses to a
 * third of its size. A container with no entry for that architecture is left whole.
 *
 * The layout read here (every field little-endian):
 * - container: u32 magic 0xBA55ED50, u16 version, u16 header size, u64 size of its entries;
 * - entry: u16 kind (1 PTX, 2 cubin), u16 version, u32 header size, u64 payload size, then at
 *   byte 28 of the header the u32 architecture (90 for sm_90 and sm_90a).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { elfSection } from "../lib/device/elf.ts";

const CONTAINER_MAGIC = 0xba55ed50;

/** What pruning kept and dropped. */
export interface PruneReport {
  /** Containers in the section. */
  readonly containers: number;
  /** Containers left whole because they hold nothing for the architecture. */
  readonly untouched: number;
  /** Entries kept and dropped, and the payload bytes dropped. */
  readonly kept: number;
  readonly dropped: number;
  readonly droppedBytes: number;
}

/**
 * Drops every fatbin entry whose architecture is not `sm`, in place.
 *
 * @param file The library's bytes (changed).
 * @param sm The architecture to keep (90).
 * @returns What was kept and dropped.
 */
export function pruneFatbins(file: Uint8Array, sm: number): PruneReport {
  const section = elfSection(file, ".nv_fatbin");
  if (!section) throw new Error("no .nv_fatbin section: not a CUDA library");
  const { offset, size } = section;
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  let containers = 0, untouched = 0, kept = 0, dropped = 0, droppedBytes = 0;
  let p = offset;
  const end = offset + size;
  while (p + 16 <= end) {
    if (v.getUint32(p, true) !== CONTAINER_MAGIC) {
      p += 8; // containers are 8-byte aligned, with zero padding between them
      continue;
    }
    containers++;
    const headerSize = v.getUint16(p + 6, true);
    const bodySize = Number(v.getBigUint64(p + 8, true));
    const bodyStart = p + headerSize, bodyEnd = bodyStart + bodySize;
    if (bodyEnd > end) throw new Error(`fatbin container at ${p} runs past its section`);
    const entries: { at: number; length: number; arch: number }[] = [];
    for (let q = bodyStart; q < bodyEnd;) {
      const length = v.getUint32(q + 4, true) + Number(v.getBigUint64(q + 8, true));
      entries.push({ at: q, length, arch: v.getUint32(q + 28, true) });
      q += length;
    }
    const keep = entries.filter((e) => e.arch === sm);
    if (keep.length === 0) {
      untouched++;
    } else if (keep.length < entries.length) {
      const body = keep.map((e) => file.slice(e.at, e.at + e.length));
      let w = bodyStart;
      for (const b of body) {
        file.set(b, w);
        w += b.length;
      }
      file.fill(0, w, bodyEnd);
      v.setBigUint64(p + 8, BigInt(w - bodyStart), true);
      droppedBytes += bodyEnd - w;
    }
    kept += keep.length || entries.length;
    dropped += keep.length ? entries.length - keep.length : 0;
    p = bodyEnd;
  }
  if (containers === 0) throw new Error("the .nv_fatbin section holds no fatbin container");
  return { containers, untouched, kept, dropped, droppedBytes };
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: { sm: { type: "string", default: "90" } },
  });
  if (positionals.length !== 2) {
    console.error("usage: prune_fatbin.ts IN OUT [--sm 90]");
    return 2;
  }
  const [input, output] = positionals as [string, string];
  const sm = Number(values.sm);
  const file = await Deno.readFile(input);
  const r = pruneFatbins(file, sm);
  const tmp = `${output}.tmp-${Deno.pid}`;
  await Deno.writeFile(tmp, file, { mode: 0o755 });
  await Deno.rename(tmp, output);
  console.log(
    `${input}: ${r.containers} fatbins, kept ${r.kept} entries (sm_${sm}), dropped ${r.dropped} ` +
      `(${
        (r.droppedBytes / 1e6).toFixed(1)
      } MB zeroed); ${r.untouched} without sm_${sm} left whole`,
  );
  return 0;
}

if (import.meta.main) Deno.exit(await main());
