/**
 * Minimal ELF64 little-endian files for tests of code that reads shared libraries: named
 * sections with given bytes, and optionally a `.dynamic` section listing `DT_NEEDED` libraries.
 * Nothing here is loadable; it has what `readelf -S` and `readelf -d` read.
 *
 * @module
 */

/** What the file holds. */
export interface ElfSpec {
  /** Sections, in order, with their bytes. */
  readonly sections?: readonly { readonly name: string; readonly data: Uint8Array }[];
  /** Libraries the file says it needs (`DT_NEEDED`), in order. */
  readonly needed?: readonly string[];
}

const SHT_PROGBITS = 1, SHT_STRTAB = 3, SHT_DYNAMIC = 6, DT_NEEDED = 1n;

/**
 * Builds the file.
 *
 * @param spec Its sections and needed libraries.
 * @returns The bytes.
 */
export function buildElf(spec: ElfSpec): Uint8Array {
  const enc = new TextEncoder();
  const parts: { name: string; type: number; data: Uint8Array; link?: number }[] = (
    spec.sections ?? []
  ).map((s) => ({ name: s.name, type: SHT_PROGBITS, data: s.data }));
  if (spec.needed) {
    const names: number[] = [];
    const strtab = [0];
    for (const lib of spec.needed) {
      names.push(strtab.length);
      strtab.push(...enc.encode(lib), 0);
    }
    const dynstrIndex = parts.length + 1;
    parts.push({ name: ".dynstr", type: SHT_STRTAB, data: new Uint8Array(strtab) });
    const dynamic = new DataView(new ArrayBuffer(16 * (names.length + 1)));
    names.forEach((at, i) => {
      dynamic.setBigUint64(16 * i, DT_NEEDED, true);
      dynamic.setBigUint64(16 * i + 8, BigInt(at), true);
    });
    parts.push({
      name: ".dynamic",
      type: SHT_DYNAMIC,
      data: new Uint8Array(dynamic.buffer),
      link: dynstrIndex,
    });
  }
  const shstr = [0];
  const nameAt = parts.map((p) => {
    const at = shstr.length;
    shstr.push(...enc.encode(p.name), 0);
    return at;
  });
  const shstrName = shstr.length;
  shstr.push(...enc.encode(".shstrtab"), 0);
  parts.push({ name: ".shstrtab", type: SHT_STRTAB, data: new Uint8Array(shstr) });
  nameAt.push(shstrName);

  const align8 = (n: number) => (n + 7) & ~7;
  let offset = 64;
  const offsets = parts.map((p) => {
    const at = offset;
    offset = align8(offset + p.data.length);
    return at;
  });
  const shoff = offset, shnum = parts.length + 1;
  const file = new Uint8Array(shoff + 64 * shnum);
  const v = new DataView(file.buffer);
  file.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]); // ELF, 64-bit, little-endian, version 1
  v.setUint16(16, 3, true); // ET_DYN
  v.setUint16(18, 62, true); // x86-64
  v.setUint32(20, 1, true);
  v.setBigUint64(0x28, BigInt(shoff), true);
  v.setUint16(0x34, 64, true);
  v.setUint16(0x3a, 64, true);
  v.setUint16(0x3c, shnum, true);
  v.setUint16(0x3e, shnum - 1, true); // .shstrtab is last
  parts.forEach((p, i) => {
    file.set(p.data, offsets[i]!);
    const h = shoff + 64 * (i + 1);
    v.setUint32(h, nameAt[i]!, true);
    v.setUint32(h + 4, p.type, true);
    v.setBigUint64(h + 0x18, BigInt(offsets[i]!), true);
    v.setBigUint64(h + 0x20, BigInt(p.data.length), true);
    v.setUint32(h + 0x28, p.link ?? 0, true);
    if (p.type === SHT_DYNAMIC) v.setBigUint64(h + 0x38, 16n, true);
  });
  return file;
}
