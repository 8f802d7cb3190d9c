/**
 * What shape inference knows about each operator onnx-lm builds.
 *
 * `OP_SCHEMAS` is a `Record` over `OpType`, so adding an operator without its inference rule
 * is a compile error.
 *
 * @module
 */

import type { OpType } from "./op_type.ts";
import type { Dim, TypeInfo } from "./value.ts";
import type { InferContext } from "./infer/context.ts";
import * as ew from "./infer/elementwise.ts";
import { inferGemm, inferMatMul } from "./infer/linalg.ts";
import { inferGather, inferGatherElements, inferScatterElements } from "./infer/indexing.ts";
import { inferDequantizeLinear } from "./infer/quantize.ts";
import { inferArgMax, inferReduceAttr, inferReduceSum, inferSoftmax } from "./infer/reduce.ts";
import * as so from "./infer/shape_ops.ts";
import { inferLoop } from "./infer/control.ts";

/** What shape inference needs to know about one operator. */
export interface OpSchema {
  /** Input names from the ONNX spec, in order (the last repeats for variadic ops). */
  readonly inputs: readonly string[];
  /** Output types from input types and attributes. */
  readonly infer: (ctx: InferContext) => TypeInfo[];
  /** The int64 output value when it is known at build time (shape arithmetic). */
  readonly value?: (ctx: InferContext) => Dim[] | undefined;
}

const unary = (infer: OpSchema["infer"]): OpSchema => ({ inputs: ["X"], infer });
const binary = (infer: OpSchema["infer"]): OpSchema => ({ inputs: ["A", "B"], infer });

/** Inference rules by operator. */
export const OP_SCHEMAS: Readonly<Record<OpType, OpSchema>> = {
  Add: binary(ew.inferArithmetic),
  ArgMax: { inputs: ["data"], infer: inferArgMax },
  Cast: { inputs: ["input"], infer: ew.inferCast },
  Concat: { inputs: ["inputs"], infer: so.inferConcat, value: so.valueConcat },
  Constant: { inputs: [], infer: so.inferConstant, value: so.valueConstant },
  DequantizeLinear: {
    inputs: ["x", "x_scale", "x_zero_point"],
    infer: inferDequantizeLinear,
  },
  Div: binary(ew.inferArithmetic),
  Equal: binary(ew.inferEqual),
  Exp: { inputs: ["input"], infer: ew.inferFloatUnary },
  Expand: { inputs: ["input", "shape"], infer: so.inferExpand },
  Gather: { inputs: ["data", "indices"], infer: inferGather },
  GatherElements: { inputs: ["data", "indices"], infer: inferGatherElements },
  Gemm: { inputs: ["A", "B", "C"], infer: inferGemm },
  Greater: binary(ew.inferOrderCompare),
  Identity: { inputs: ["input"], infer: ew.inferIdentity },
  Log: { inputs: ["input"], infer: ew.inferFloatUnary },
  LogSoftmax: { inputs: ["input"], infer: inferSoftmax },
  Loop: { inputs: ["M", "cond", "v_initial"], infer: inferLoop },
  MatMul: binary(inferMatMul),
  Mul: binary(ew.inferArithmetic),
  Neg: unary(ew.inferNumericUnary),
  Pad: { inputs: ["data", "pads", "constant_value"], infer: so.inferPad },
  Pow: { inputs: ["X", "Y"], infer: ew.inferPow },
  Reciprocal: unary(ew.inferFloatUnary),
  ReduceMax: { inputs: ["data"], infer: inferReduceAttr },
  ReduceMean: { inputs: ["data"], infer: inferReduceAttr },
  ReduceSum: { inputs: ["data", "axes"], infer: inferReduceSum },
  // ONNX allows int64 Relu, but onnxruntime's CPU provider has no kernel for it: refuse early.
  Relu: unary(ew.inferFloatUnary),
  Reshape: { inputs: ["data", "shape"], infer: so.inferReshape },
  ScatterElements: { inputs: ["data", "indices", "updates"], infer: inferScatterElements },
  Shape: { inputs: ["data"], infer: so.inferShape, value: so.valueShape },
  Sigmoid: unary(ew.inferFloatUnary),
  Slice: { inputs: ["data", "starts", "ends", "axes", "steps"], infer: so.inferSlice },
  Softmax: { inputs: ["input"], infer: inferSoftmax },
  Split: { inputs: ["input", "split"], infer: so.inferSplit },
  Sqrt: unary(ew.inferFloatUnary),
  Squeeze: { inputs: ["data", "axes"], infer: so.inferSqueeze },
  Sub: binary(ew.inferArithmetic),
  Sum: { inputs: ["data_0"], infer: ew.inferSum },
  Tanh: { inputs: ["input"], infer: ew.inferFloatUnary },
  Erf: { inputs: ["input"], infer: ew.inferFloatUnary },
  Transpose: { inputs: ["data"], infer: so.inferTranspose },
  Unsqueeze: { inputs: ["data", "axes"], infer: so.inferUnsqueeze },
  Where: { inputs: ["condition", "X", "Y"], infer: ew.inferWhere },
};
