/**
 * Element types onnx-lm supports, with their ONNX `TensorProto.DataType` codes and the
 * typed arrays that hold them (the same arrays onnxruntime's JavaScript API uses).
 *
 * @module
 */

/**
 * Element types a tensor or value may have. `bool` is stored one byte per element (0 or 1);
 * `float16` as its IEEE half-precision bits (a `Uint16Array`, as onnxruntime's JavaScript API
 * takes it); `float16` and `int8` hold compressed weights, which graphs cast or dequantize to
 * float32 before computing.
 */
export type DType = "float32" | "float64" | "int64" | "bool" | "float16" | "int8";

/** The typed array that stores each element type. */
export interface TypedArrayOf {
  /** 32-bit floats. */
  float32: Float32Array;
  /** 64-bit floats. */
  float64: Float64Array;
  /** 64-bit integers, as bigints. */
  int64: BigInt64Array;
  /** Booleans, one byte each (0 or 1). */
  bool: Uint8Array;
  /** Half-precision floats, as their 16 bits. */
  float16: Uint16Array;
  /** 8-bit signed integers. */
  int8: Int8Array;
}

/** Any typed array that can hold tensor data. */
export type TensorData = TypedArrayOf[DType];

/** All supported dtypes, in a fixed order (used in error messages). */
export const DTYPES: readonly DType[] = ["float32", "float64", "int64", "bool", "float16", "int8"];

/** ONNX `TensorProto.DataType` code of each supported dtype (facts from the ONNX spec). */
export const ONNX_DATA_TYPE: Readonly<Record<DType, number>> = {
  float32: 1,
  int8: 3,
  int64: 7,
  bool: 9,
  float16: 10,
  float64: 11,
};

/** Names of every ONNX data type code, so errors about unsupported types read well. */
const ONNX_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: "UNDEFINED",
  1: "FLOAT",
  2: "UINT8",
  3: "INT8",
  4: "UINT16",
  5: "INT16",
  6: "INT32",
  7: "INT64",
  8: "STRING",
  9: "BOOL",
  10: "FLOAT16",
  11: "DOUBLE",
  12: "UINT32",
  13: "UINT64",
  14: "COMPLEX64",
  15: "COMPLEX128",
  16: "BFLOAT16",
};

/** Bytes per element in `raw_data`. */
export const BYTES_PER_ELEMENT: Readonly<Record<DType, number>> = {
  float32: 4,
  float64: 8,
  int64: 8,
  bool: 1,
  float16: 2,
  int8: 1,
};

/** Whether arithmetic on this dtype is floating point. */
export function isFloat(dtype: DType): boolean {
  return dtype === "float32" || dtype === "float64" || dtype === "float16";
}

/**
 * The dtype for an ONNX data type code, or a clear error for codes onnx-lm does not read.
 *
 * @param code `TensorProto.DataType` value.
 * @param where What carries the code, for the error message (e.g. `initializer "w"`).
 * @returns The matching dtype.
 */
export function dtypeFromOnnx(code: number, where: string): DType {
  for (const dtype of DTYPES) {
    if (ONNX_DATA_TYPE[dtype] === code) return dtype;
  }
  const name = ONNX_TYPE_NAMES[code] ?? "unknown";
  throw new Error(
    `Unsupported element type for ${where}: got ONNX data type ${code} (${name}); ` +
      `onnx-lm supports ${DTYPES.join(", ")}`,
  );
}

/**
 * A zero-filled typed array of the right kind for `dtype`.
 *
 * @param dtype Element type.
 * @param length Number of elements.
 * @returns The new array.
 */
export function allocate<D extends DType>(dtype: D, length: number): TypedArrayOf[D] {
  switch (dtype) {
    case "float32":
      return new Float32Array(length) as TypedArrayOf[D];
    case "float64":
      return new Float64Array(length) as TypedArrayOf[D];
    case "int64":
      return new BigInt64Array(length) as TypedArrayOf[D];
    case "float16":
      return new Uint16Array(length) as TypedArrayOf[D];
    case "int8":
      return new Int8Array(length) as TypedArrayOf[D];
    default:
      return new Uint8Array(length) as TypedArrayOf[D];
  }
}

/**
 * The dtype a typed array holds, or undefined for arrays of other kinds.
 *
 * `Uint8Array` is read as `bool`, as onnxruntime's JavaScript API does.
 *
 * @param data A typed array.
 * @returns Its dtype.
 */
export function dtypeOfArray(data: unknown): DType | undefined {
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Float64Array) return "float64";
  if (data instanceof BigInt64Array) return "int64";
  if (data instanceof Uint8Array) return "bool";
  if (data instanceof Uint16Array) return "float16";
  if (data instanceof Int8Array) return "int8";
  return undefined;
}
