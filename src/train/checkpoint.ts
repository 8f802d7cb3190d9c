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

const SAFETENSORS_DTYPE: Readonly<Record<DType, string>> = {
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

/**
 * Decodes checkpoint bytes.
 *
 * @param bytes safetensors bytes written by `encodeCheckpoint`.
 * @param source Where they came from, for messages.
 * @returns The checkpoint.
 * @throws CheckpointError for truncated, corrupt or foreign files.
 */
export function decodeCheckpoint(bytes: Uint8Array, source = "checkpoint"): Checkpoint {
  const fail = (what: string): never => {
    throw new CheckpointError(`Cannot read ${source} (${bytes.length} bytes): ${what}`);
  };
  if (bytes.length < 8) fail("too short for a safetensors header");
  const headerLength = Number(
    new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true),
  );
  if (headerLength > bytes.length - 8) {
    fail(`the header claims ${headerLength} bytes; the file is truncated`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)),
    );
  } catch (error) {
    return fail(`the header is not JSON (${(error as Error).message})`);
  }
  const metaText = (header.__metadata__ as Record<string, string> | undefined)?.["onnx-lm"];
  if (metaText === undefined) fail("no onnx-lm metadata: not written by onnx-lm");
  const data = bytes.subarray(8 + headerLength);
  const tensors = new Map<string, Tensor>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const { dtype: code, shape, data_offsets: offsets } = entry as {
      dtype: string;
      shape: number[];
      data_offsets: [number, number];
    };
    const dtype = (Object.keys(SAFETENSORS_DTYPE) as DType[]).find((d) =>
      SAFETENSORS_DTYPE[d] === code
    );
    if (!dtype) return fail(`tensor "${name}" has unsupported dtype ${code}`);
    const n = sizeOf(shape);
    const [begin, end] = offsets;
    if (end - begin !== n * BYTES_PER_ELEMENT[dtype] || end > data.length || begin < 0) {
      fail(
        `tensor "${name}" ${code}[${
          shape.join(", ")
        }] has bad offsets [${begin}, ${end}] (data: ${data.length} bytes)`,
      );
    }
    const array = allocate(dtype, n);
    new Uint8Array(array.buffer).set(data.subarray(begin, end));
    tensors.set(name, { dtype, dims: shape, data: array });
  }
  let meta: object;
  try {
    meta = JSON.parse(metaText as string);
  } catch (error) {
    return fail(`its onnx-lm metadata is not JSON (${(error as Error).message})`);
  }
  return { tensors, meta };
}
