import assert from "node:assert/strict";
import { pruneFatbins } from "../../tools/gpu/prune_fatbin.ts";
import { buildElf } from "../helpers/elf.ts";

/** A fatbin entry: a 64-byte header (kind 2 = cubin, architecture at byte 28), then payload. */
function entry(arch: number, payload: number[]): Uint8Array {
  const e = new Uint8Array(64 + payload.length);
  const v = new DataView(e.buffer);
  v.setUint16(0, 2, true);
  v.setUint16(2, 0x0101, true);
  v.setUint32(4, 64, true);
  v.setBigUint64(8, BigInt(payload.length), true);
  v.setUint32(28, arch, true);
  e.set(payload, 64);
  return e;
}

/** A container: magic, version, 16-byte header, the size of its entries, then the entries. */
function container(entries: Uint8Array[]): Uint8Array {
  const size = entries.reduce((n, e) => n + e.length, 0);
  const c = new Uint8Array(16 + size);
  const v = new DataView(c.buffer);
  v.setUint32(0, 0xba55ed50, true);
  v.setUint16(4, 1, true);
  v.setUint16(6, 16, true);
  v.setBigUint64(8, BigInt(size), true);
  let at = 16;
  for (const e of entries) {
    c.set(e, at);
    at += e.length;
  }
  return c;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

Deno.test("pruneFatbins keeps one architecture's cubins in place and zeroes the rest", () => {
  const a = [entry(80, [1, 1, 1, 1, 1, 1, 1, 1]), entry(90, [9, 9, 9, 9, 9, 9, 9, 9])];
  const mixed = container([...a, entry(120, [7, 7, 7, 7, 7, 7, 7, 7])]);
  const only75 = container([entry(75, [5, 5, 5, 5, 5, 5, 5, 5])]);
  const section = concat([mixed, new Uint8Array(8), only75]); // zero padding between containers
  const file = buildElf({
    sections: [{ name: ".text", data: new Uint8Array([0xc3]) }, {
      name: ".nv_fatbin",
      data: section,
    }],
  });
  const before = file.slice();
  const at = file.indexOf(0x50); // the first container's magic starts with 0x50
  const report = pruneFatbins(file, 90);
  assert.deepStrictEqual(report, {
    containers: 2,
    untouched: 1,
    kept: 2,
    dropped: 2,
    droppedBytes: 144,
  });
  assert.deepStrictEqual(file.length, before.length);
  const v = new DataView(file.buffer);
  assert.deepStrictEqual(v.getBigUint64(at + 8, true), 72n); // the container now holds one entry
  assert.deepStrictEqual(file.slice(at + 16, at + 16 + 72), entry(90, [9, 9, 9, 9, 9, 9, 9, 9]));
  assert.deepStrictEqual(file.slice(at + 88, at + mixed.length).every((b) => b === 0), true);
  const rest = at + mixed.length;
  assert.deepStrictEqual(file.slice(rest), before.slice(rest)); // the sm_75-only container is whole
});

Deno.test("pruneFatbins refuses files that are not CUDA libraries", () => {
  assert.throws(
    () => pruneFatbins(new TextEncoder().encode("#!/bin/sh\n"), 90),
    /not a 64-bit little-endian ELF/,
  );
  const plain = buildElf({ sections: [{ name: ".text", data: new Uint8Array(8) }] });
  assert.throws(() => pruneFatbins(plain, 90), /no \.nv_fatbin section: not a CUDA library/);
  const empty = buildElf({ sections: [{ name: ".nv_fatbin", data: new Uint8Array(16) }] });
  assert.throws(() => pruneFatbins(empty, 90), /holds no fatbin container/);
});
