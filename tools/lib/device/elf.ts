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

/**
 * The section table.
 *
 * @param bytes The file.
 * @returns Its sections, in file order.
 * @throws ElfError when the bytes are not a 64-bit little-endian ELF file.
 */
export function elfSections(bytes: Uint8Array): ElfSection[] {
  const magic = bytes.length >= 64 && bytes[0] === 0x7f && bytes[1] === 0x45 &&
    bytes[2] === 0x4c && bytes[3] === 0x46;
  if (!magic || bytes[4] !== 2 || bytes[5] !== 1) {
    throw new ElfError("not a 64-bit little-endian ELF file");
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shoff = Number(v.getBigUint64(0x28, true));
  const shentsize = v.getUint16(0x3a, true);
  const shnum = v.getUint16(0x3c, true);
  const shstrndx = v.getUint16(0x3e, true);
  if (shentsize < 64 || shoff + shnum * shentsize > bytes.length || shstrndx >= shnum) {
    throw new ElfError(`its section table (${shnum} entries at byte ${shoff}) is cut short`);
  }
  const raw = Array.from({ length: shnum }, (_, i) => {
    const h = shoff + i * shentsize;
    return {
      nameAt: v.getUint32(h, true),
      type: v.getUint32(h + 4, true),
      offset: Number(v.getBigUint64(h + 0x18, true)),
      size: Number(v.getBigUint64(h + 0x20, true)),
      link: v.getUint32(h + 0x28, true),
    };
  });
  const names = raw[shstrndx]!.offset;
  return raw.map((s) => ({ ...s, name: cString(bytes, names + s.nameAt) }));
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

/**
 * The libraries the file needs, by the names the dynamic loader looks for.
 *
 * @param bytes The file.
 * @returns `DT_NEEDED` entries in order (empty for a file with no `.dynamic` section).
 */
export function elfNeeded(bytes: Uint8Array): string[] {
  const sections = elfSections(bytes);
  const dynamic = sections.find((s) => s.type === SHT_DYNAMIC);
  if (!dynamic) return [];
  const strings = sections[dynamic.link];
  if (!strings || dynamic.offset + dynamic.size > bytes.length) {
    throw new ElfError("its .dynamic section is cut short");
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const needed: string[] = [];
  for (let at = dynamic.offset; at + 16 <= dynamic.offset + dynamic.size; at += 16) {
    const tag = v.getBigUint64(at, true);
    if (tag === DT_NULL) break;
    if (tag === DT_NEEDED) {
      needed.push(cString(bytes, strings.offset + Number(v.getBigUint64(at + 8, true))));
    }
  }
  return needed;
}
