/**
 * Reading a 64-bit little-endian ELF shared library's section table and the libraries it needs
 * (`DT_NEEDED`), as `readelf -S` and `readelf -d` show them: enough to check a CUDA provider
 * before loading it, and to cut its GPU code (`tools/gpu/prune_fatbin.ts`).
 *
 * @module
 */

/** One section header. */
export interface ElfSection {
  readonly name: string;
  /** `SHT_*`: 6 is `SHT_DYNAMIC`. */
  readonly type: number;
  /** Where its bytes start in the file, and how many. */
  readonly offset: number;
  readonly size: number;
  /** The section it refers to (for `.dynamic`, its string table). */
  readonly link: number;
}

/** Raised for bytes that are not a 64-bit little-endian ELF file, or a broken one. */
export class ElfError extends Error {
  override name = "ElfError";
}

const SHT_DYNAMIC = 6;
const DT_NULL = 0n, DT_NEEDED = 1n;

function cString(bytes: Uint8Array, at: number): string {
  const end = bytes.indexOf(0, at);
  return new TextDecoder().decode(bytes.subarray(at, end < 0 ? bytes.length : end));
}

/** Reads `length` bytes at `offset` of a file (fewer at its end). */
type ReadAt = (offset: number, length: number) => Uint8Array;

const bytesAt = (bytes: Uint8Array): ReadAt => (offset, length) =>
  bytes.subarray(offset, offset + length);

/** The section headers (without names) and the index of the names' string table. */
function sectionHeaders(
  readAt: ReadAt,
  fileSize: number,
): { raw: (Omit<ElfSection, "name"> & { nameAt: number })[]; shstrndx: number } {
  const h = readAt(0, 64);
  const magic = h.length >= 64 && h[0] === 0x7f && h[1] === 0x45 && h[2] === 0x4c &&
    h[3] === 0x46;
  if (!magic || h[4] !== 2 || h[5] !== 1) {
    throw new ElfError("not a 64-bit little-endian ELF file");
  }
  const hv = new DataView(h.buffer, h.byteOffset, h.byteLength);
  const shoff = Number(hv.getBigUint64(0x28, true));
  const shentsize = hv.getUint16(0x3a, true);
  const shnum = hv.getUint16(0x3c, true);
  const shstrndx = hv.getUint16(0x3e, true);
  if (shentsize < 64 || shoff + shnum * shentsize > fileSize || shstrndx >= shnum) {
    throw new ElfError(`its section table (${shnum} entries at byte ${shoff}) is cut short`);
  }
  const table = readAt(shoff, shnum * shentsize);
  const v = new DataView(table.buffer, table.byteOffset, table.byteLength);
  const raw = Array.from({ length: shnum }, (_, i) => {
    const at = i * shentsize;
    return {
      nameAt: v.getUint32(at, true),
      type: v.getUint32(at + 4, true),
      offset: Number(v.getBigUint64(at + 0x18, true)),
      size: Number(v.getBigUint64(at + 0x20, true)),
      link: v.getUint32(at + 0x28, true),
    };
  });
  return { raw, shstrndx };
}

/**
 * The section table.
 *
 * @param bytes The file.
 * @returns Its sections, in file order.
 * @throws ElfError when the bytes are not a 64-bit little-endian ELF file.
 */
export function elfSections(bytes: Uint8Array): ElfSection[] {
  const { raw, shstrndx } = sectionHeaders(bytesAt(bytes), bytes.length);
  const names = raw[shstrndx]!.offset;
  return raw.map(({ nameAt, ...s }) => ({ ...s, name: cString(bytes, names + nameAt) }));
}

/**
 * The section with a name.
 *
 * @param bytes The file.
 * @param name For example `.nv_fatbin`.
 * @returns Its header, or undefined when there is none.
 */
export function elfSection(bytes: Uint8Array, name: string): ElfSection | undefined {
  return elfSections(bytes).find((s) => s.name === name);
}

/** `DT_NEEDED` through a reader: only the headers, `.dynamic` and its strings are read. */
function neededAt(readAt: ReadAt, fileSize: number): string[] {
  const { raw } = sectionHeaders(readAt, fileSize);
  const dynamic = raw.find((s) => s.type === SHT_DYNAMIC);
  if (!dynamic) return [];
  const strings = raw[dynamic.link];
  if (!strings || dynamic.offset + dynamic.size > fileSize) {
    throw new ElfError("its .dynamic section is cut short");
  }
  const entries = readAt(dynamic.offset, dynamic.size);
  const table = readAt(strings.offset, strings.size);
  const v = new DataView(entries.buffer, entries.byteOffset, entries.byteLength);
  const needed: string[] = [];
  for (let at = 0; at + 16 <= entries.length; at += 16) {
    const tag = v.getBigUint64(at, true);
    if (tag === DT_NULL) break;
    if (tag === DT_NEEDED) needed.push(cString(table, Number(v.getBigUint64(at + 8, true))));
  }
  return needed;
}

/**
 * The libraries the file needs, by the names the dynamic loader looks for.
 *
 * @param bytes The file.
 * @returns `DT_NEEDED` entries in order (empty for a file with no `.dynamic` section).
 */
export function elfNeeded(bytes: Uint8Array): string[] {
  return neededAt(bytesAt(bytes), bytes.length);
}

/**
 * `elfNeeded` of a file on disk, reading only its headers and dynamic section (a CUDA
 * provider is 272 MB; its `DT_NEEDED` lies in a few kilobytes).
 *
 * @param path The file.
 * @returns `DT_NEEDED` entries in order.
 */
export function elfNeededOfFile(path: string): string[] {
  const f = Deno.openSync(path, { read: true });
  try {
    const readAt: ReadAt = (offset, length) => {
      f.seekSync(offset, Deno.SeekMode.Start);
      const buf = new Uint8Array(length);
      let n = 0;
      while (n < length) {
        const got = f.readSync(buf.subarray(n));
        if (got === null) break;
        n += got;
      }
      return buf.subarray(0, n);
    };
    return neededAt(readAt, f.statSync().size);
  } finally {
    f.close();
  }
}
