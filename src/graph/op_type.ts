/**
 * The operators onnx-lm builds: their names, and a check for a name read from a file.
 *
 * @module
 */

/** Every ONNX operator (default domain, opset 17) onnx-lm can build, in alphabetical order. */
export const OP_TYPES = [
  "Add",
  "ArgMax",
  "Cast",
  "Concat",
  "Constant",
  "DequantizeLinear",
  "Div",
  "Equal",
  "Erf",
  "Exp",
  "Expand",
  "Gather",
  "GatherElements",
  "Gemm",
  "Greater",
  "Identity",
  "Log",
  "LogSoftmax",
  "Loop",
  "MatMul",
  "Mul",
  "Neg",
  "Pad",
  "Pow",
  "Reciprocal",
  "ReduceMax",
  "ReduceMean",
  "ReduceSum",
  "Relu",
  "Reshape",
  "ScatterElements",
  "Shape",
  "Sigmoid",
  "Slice",
  "Softmax",
  "Split",
  "Sqrt",
  "Squeeze",
  "Sub",
  "Sum",
  "Tanh",
  "Transpose",
  "Unsqueeze",
  "Where",
] as const;

/** Every ONNX operator (default domain, opset 17) onnx-lm can build. */
export type OpType = typeof OP_TYPES[number];

const KNOWN: ReadonlySet<string> = new Set(OP_TYPES);

/**
 * Whether a string names an operator onnx-lm supports.
 *
 * @param opType An ONNX op_type.
 * @returns True for members of `OpType`.
 */
export function isOpType(opType: string): opType is OpType {
  return KNOWN.has(opType);
}
