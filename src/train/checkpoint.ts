/**
 * Checkpoints in the safetensors format: an 8-byte little-endian header length, a JSON
 * header (`name → {dtype, shape, data_offsets}` plus string `__metadata__`), then the raw
 * little-endian tensor bytes. PyTorch users can load the weights with the `safetensors`
 * package; onnx-lm keeps its training state in the metadata as JSON.
 *
 * @module
 */

import type { DType } from "../onnx/dtype.ts";
import { allocate, BYTES_PER_ELEMENT } from "../onnx/dtype.ts";
import { sizeOf, type Tensor } from "../onnx/tensor.ts";

/** Everything needed to continue or deploy a run. */
export interface Checkpoint {
  /** Tensors by name: parameters (`i_h.weight`) and optimizer state (`adam.m.i_h.weight`). */
  readonly tensors: ReadonlyMap<string, Tensor>;
  /** JSON-serializable training state (model, recipe, vocab, seed, epoch, step, ...). */
  readonly meta: object;
}

/** Raised for bytes that are not a readable checkpoint. */
export class CheckpointError extends Error {
  override name = "CheckpointError";
}

/** The element types a training checkpoint holds (compressed types are for exports only). */
const SAFETENSORS_DTYPE: Readonly<Partial<Record<DType, string>>> = {
  float32: "F32",
  float64: "F64",
  int64: "I64",
  bool: "BOOL",
};

/**
 * Encodes a checkpoint (tensors in name order, so the same checkpoint gives the same bytes).
 *
 * @param ckpt The checkpoint.
 * @returns safetensors bytes.
 */
export function encodeCheckpoint(ckpt: Checkpoint): Uint8Array {
  const names = [...ckpt.tensors.keys()].sort();
  const header: Record<string, unknown> = {
    __metadata__: { "onnx-lm": JSON.stringify(ckpt.meta) },
  };
  let offset = 0;
  for (const name of names) {
    const t = ckpt.tensors.get(name)!;
    if (!SAFETENSORS_DTYPE[t.dtype]) {
      throw new Error(`Cannot checkpoint "${name}": ${t.dtype} tensors are for exports only`);
    }
    const bytes = t.data.length * BYTES_PER_ELEMENT[t.dtype];
    header[name] = {
      dtype: SAFETENSORS_DTYPE[t.dtype],
      shape: t.dims,
      data_offsets: [offset, offset + bytes],
    };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8); // keeps the data 8-byte aligned
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const name of names) {
    const t = ckpt.tensors.get(name)!;
    const view = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    out.set(view, at);
    at += view.length;
  }
  return out;
}

/** The safetensors dtype codes we read, by code. */
const DTYPE_OF_CODE: ReadonlyMap<string, DType> = new Map(
  (Object.entries(SAFETENSORS_DTYPE) as [DType, string][]).map(([d, code]) => [code, d]),
);

const show = (v: unknown): string => JSON.stringify(v)?.slice(0, 60) ?? String(v);

/** One tensor entry of the header, checked. */
interface Entry {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
}

/**
 * Checks one header entry: a known dtype, a shape of non-negative safe integers, two integer
 * offsets spanning exactly the shape's bytes, inside the data.
 */
function readEntry(
  name: string,
  value: unknown,
  dataBytes: number,
  fail: (w: string) => never,
): Entry {
  const at = `tensor "${name}"`;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    fail(`${at} must be an object {dtype, shape, data_offsets}: got ${show(value)}`);
  }
  const { dtype: code, shape, data_offsets: offsets } = value as Record<string, unknown>;
  const dtype = typeof code === "string" ? DTYPE_OF_CODE.get(code) : undefined;
  if (!dtype) {
    fail(
      `${at}: "dtype" must be one of ${[...DTYPE_OF_CODE.keys()].join(", ")}: got ${show(code)}`,
    );
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    fail(`${at}: "shape" must be an array of integers >= 0: got ${show(shape)}`);
  }
  if (
    !Array.isArray(offsets) || offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)
  ) {
    fail(`${at}: "data_offsets" must be two integers >= 0: got ${show(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  const size = (shape as number[]).reduce((a, b) => a * b, 1);
  const bytes = size * BYTES_PER_ELEMENT[dtype!];
  if (!Number.isSafeInteger(bytes) || end - begin !== bytes || end > dataBytes) {
    fail(
      `${at} ${code}[${(shape as number[]).join(", ")}] needs ${bytes} bytes: ` +
        `data_offsets [${begin}, ${end}] (data: ${dataBytes} bytes)`,
    );
  }
  return { name, dtype: dtype!, shape: shape as number[], begin, end };
}

/**
 * Decodes checkpoint bytes: the one checked safetensors reader. The header must be a JSON
 * object of tensor entries (see `readEntry`) plus `__metadata__`, an object of strings with
 * onnx-lm's JSON under `onnx-lm`; the entries' byte ranges must tile the data exactly, with
 * no overlap and no gap, as the format requires.
 *
 * @param bytes safetensors bytes written by `encodeCheckpoint`.
 * @param source Where they came from, for messages.
 * @returns The checkpoint.
 * @throws CheckpointError naming the file and the entry for truncated, corrupt or foreign
 *   files.
 */
export function decodeCheckpoint(bytes: Uint8Array, source = "checkpoint"): Checkpoint {
  const fail = (what: string): never => {
    throw new CheckpointError(`Cannot read ${source} (${bytes.length} bytes): ${what}`);
  };
  if (bytes.length < 8) fail("too short for a safetensors header");
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (headerLength > BigInt(bytes.length - 8)) {
    fail(`the header claims ${headerLength} bytes; the file is truncated`);
  }
  const dataStart = 8 + Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, dataStart)),
    );
  } catch (error) {
    return fail(`the header is not JSON (${(error as Error).message})`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) {
    fail(`the header must be a JSON object: got ${show(header)}`);
  }
  const { __metadata__: metadata, ...rest } = header as Record<string, unknown>;
  if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) {
    fail(`"__metadata__" must be an object of strings: got ${show(metadata)}`);
  }
  const badKey = Object.entries(metadata as object).find(([, v]) => typeof v !== "string");
  if (badKey) {
    fail(`"__metadata__" must be an object of strings: "${badKey[0]}" is ${show(badKey[1])}`);
  }
  const metaText = (metadata as Record<string, string>)["onnx-lm"];
  if (metaText === undefined) fail("no onnx-lm metadata: not written by onnx-lm");
  const data = bytes.subarray(dataStart);
  const entries = Object.entries(rest).map(([name, v]) => readEntry(name, v, data.length, fail));
  // The ranges, sorted, must start at 0, meet end to end and end at the data's end.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const e of sorted) {
    if (e.begin !== expected) {
      const what = e.begin < expected ? "overlaps the tensor before it" : "leaves a gap before it";
      fail(
        `tensor "${e.name}" data_offsets [${e.begin}, ${e.end}] ${what} (expected it to start at ${expected})`,
      );
    }
    expected = e.end;
  }
  if (expected !== data.length) {
    fail(`the tensors cover ${expected} of the ${data.length} data bytes`);
  }
  const tensors = new Map<string, Tensor>();
  for (const e of entries) {
    const array = allocate(e.dtype, sizeOf(e.shape));
    new Uint8Array(array.buffer).set(data.subarray(e.begin, e.end));
    tensors.set(e.name, { dtype: e.dtype, dims: e.shape, data: array });
  }
  let meta: unknown;
  try {
    meta = JSON.parse(metaText);
  } catch (error) {
    return fail(`its onnx-lm metadata is not JSON (${(error as Error).message})`);
  }
  if (meta === null || typeof meta !== "object" || Array.isArray(meta)) {
    fail(`its onnx-lm metadata must be a JSON object: got ${show(meta)}`);
  }
  return { tensors, meta: meta as object };
}
