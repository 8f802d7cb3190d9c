/**
 * A model's interface without its weights: the graph's inputs, outputs and initializer names,
 * the IR version, the doc string and `metadata_props`, read straight off the protobuf wire
 * format. Opening a session needs no more, and this reader needs neither a copy of the weights
 * nor protobufjs's generated decoders (which compile code with `new Function`, so a page under
 * a Content-Security-Policy without `'unsafe-eval'` cannot use them). Field numbers are
 * ONNX's (`proto/onnx.proto`). Browser-compatible.
 *
 * @module
 */

import protobuf from "protobufjs";
import { type DType, dtypeFromOnnx } from "./dtype.ts";
import { checkIrVersion, corruptModel, OnnxFormatError } from "./decode.ts";
import type { Dim, ValueInfo } from "./model.ts";

/** What a runtime needs to know of a model before running it. */
export interface ModelHeader {
  /** ONNX IR version. */
  readonly irVersion: number;
  /** The model's doc string. */
  readonly docString?: string;
  /** `metadata_props` in file order. */
  readonly metadata: readonly (readonly [string, string])[];
  /** The graph's interface. */
  readonly graph: {
    /** Graph inputs, including those an initializer gives a default. */
    readonly inputs: readonly ValueInfo[];
    /** Graph outputs. */
    readonly outputs: readonly ValueInfo[];
    /** Names of the weights stored in the file. */
    readonly initializerNames: readonly string[];
  };
}

/** The protobuf wire type of bytes, strings, sub-messages and packed repeated fields. */
export const LENGTH_DELIMITED = 2;

/**
 * Calls `field` for every field of a message, with a reader positioned at its value; a field
 * that `field` does not read (it returns false) is skipped.
 *
 * @param bytes The message.
 * @param field Reads one field: its number, its wire type and the reader; true if it read it.
 */
export function fields(
  bytes: Uint8Array,
  field: (number: number, wire: number, r: protobuf.Reader) => boolean,
): void {
  const r = protobuf.Reader.create(bytes);
  while (r.pos < r.len) {
    const key = r.uint32();
    const wire = key & 7;
    if (!field(key >>> 3, wire, r)) r.skipType(wire);
  }
}

/** A length-delimited field's bytes (a view, no copy); other wire types are skipped. */
function sub(wire: number, r: protobuf.Reader): Uint8Array | undefined {
  return wire === LENGTH_DELIMITED ? r.bytes() : undefined;
}

function valueInfo(bytes: Uint8Array, role: string): ValueInfo {
  let name = "";
  let elemType = 0;
  let tensor = false;
  const shape: Dim[] = [];
  fields(bytes, (n, wire, r) => {
    if (n === 1 && wire === LENGTH_DELIMITED) name = r.string();
    else if (n === 2 && wire === LENGTH_DELIMITED) {
      fields(r.bytes(), (tn, tw, tr) => { // TypeProto.tensor_type = 1
        if (tn !== 1 || tw !== LENGTH_DELIMITED) return false;
        tensor = true;
        fields(tr.bytes(), (f, fw, fr) => {
          if (f === 1 && fw === 0) elemType = fr.int32(); // elem_type
          else if (f === 2 && fw === LENGTH_DELIMITED) { // shape
            fields(fr.bytes(), (d, dw, dr) => {
              if (d !== 1 || dw !== LENGTH_DELIMITED) return false;
              let dim: Dim = null;
              fields(dr.bytes(), (k, kw, kr) => {
                if (k === 1 && kw === 0) dim = Number(kr.int64()); // dim_value
                else if (k === 2 && kw === LENGTH_DELIMITED) { // dim_param
                  const param = kr.string();
                  if (param !== "") dim = param;
                } else return false;
                return true;
              });
              shape.push(dim);
              return true;
            });
          } else return false;
          return true;
        });
        return true;
      });
    } else return false;
    return true;
  });
  if (!tensor) throw new Error(`${role} "${name}" is not a tensor`);
  const dtype: DType = dtypeFromOnnx(elemType, `${role} "${name}"`);
  return { name, dtype, shape };
}

function stringField(bytes: Uint8Array, number: number): string {
  let value = "";
  fields(bytes, (n, wire, r) => {
    if (n !== number || wire !== LENGTH_DELIMITED) return false;
    value = r.string();
    return true;
  });
  return value;
}

/**
 * Reads a model's header.
 *
 * @param bytes The `.onnx` file's contents.
 * @param source Where they came from, for messages.
 * @returns The header.
 * @throws OnnxFormatError when the bytes are truncated, corrupt or not ONNX.
 */
export function readModelHeader(bytes: Uint8Array, source = "ONNX model"): ModelHeader {
  let ir: number | undefined;
  let docString: string | undefined;
  let graph: Uint8Array | undefined;
  const metadata: [string, string][] = [];
  const inputs: ValueInfo[] = [];
  const outputs: ValueInfo[] = [];
  const initializerNames: string[] = [];
  try {
    fields(bytes, (n, wire, r) => {
      if (n === 1 && wire === 0) ir = Number(r.int64());
      else if (n === 6 && wire === LENGTH_DELIMITED) docString = r.string();
      else if (n === 7) graph = sub(wire, r);
      else if (n === 14 && wire === LENGTH_DELIMITED) {
        const entry = r.bytes();
        metadata.push([stringField(entry, 1), stringField(entry, 2)]);
      } else return false;
      return true;
    });
  } catch (error) {
    throw corruptModel(source, bytes, error);
  }
  const fail = (what: string): never => {
    throw new OnnxFormatError(`Cannot read ${source} (${bytes.length} bytes): ${what}`);
  };
  checkIrVersion(ir, fail);
  if (!graph) return fail("the model has no graph");
  try {
    fields(graph, (n, wire, r) => {
      if (wire !== LENGTH_DELIMITED) return false;
      if (n === 5) initializerNames.push(stringField(r.bytes(), 8)); // TensorProto.name = 8
      else if (n === 11) inputs.push(valueInfo(r.bytes(), "input"));
      else if (n === 12) outputs.push(valueInfo(r.bytes(), "output"));
      else return false;
      return true;
    });
  } catch (error) {
    if (error instanceof OnnxFormatError) throw error;
    fail((error as Error).message);
  }
  return {
    irVersion: ir as number,
    ...(docString ? { docString } : {}),
    metadata,
    graph: { inputs, outputs, initializerNames },
  };
}
