/**
 * The gradient rule table: one entry per operator, a rule or "nondiff". Because the table is
 * a `Record<OpType, ...>`, an operator added without deciding its gradient fails to compile.
 *
 * @module
 */

import type { GradRuleTable } from "../rule.ts";
import * as ew from "./elementwise.ts";
import { gatherElementsGrad, gatherGrad, scatterElementsGrad } from "./indexing.ts";
import { gemmGrad, matMulGrad } from "./linalg.ts";
import {
  logSoftmaxGrad,
  reduceMaxGrad,
  reduceMeanGrad,
  reduceSumGrad,
  softmaxGrad,
} from "./reduce.ts";
import * as sh from "./shape.ts";

/** Gradient rules by operator. */
export const GRAD_RULES: GradRuleTable = {
  Add: ew.addGrad,
  ArgMax: "nondiff",
  Cast: ew.castGrad,
  Concat: sh.concatGrad,
  Constant: "nondiff",
  // Only deployment graphs dequantize stored weights; nothing trains through it.
  DequantizeLinear: "nondiff",
  Div: ew.divGrad,
  Equal: "nondiff",
  Exp: ew.expGrad,
  Expand: sh.expandGrad,
  Gather: gatherGrad,
  GatherElements: gatherElementsGrad,
  Gemm: gemmGrad,
  Greater: "nondiff",
  Identity: ew.identityGrad,
  Log: ew.logGrad,
  LogSoftmax: logSoftmaxGrad,
  // A loop's gradient would need its body run backwards: the one Loop onnx-lm builds, the
  // chunked loss, works out its own gradients inside the body instead.
  Loop: "nondiff",
  MatMul: matMulGrad,
  Mul: ew.mulGrad,
  Neg: ew.negGrad,
  Pad: sh.padGrad,
  Pow: ew.powGrad,
  Reciprocal: ew.reciprocalGrad,
  ReduceMax: reduceMaxGrad,
  ReduceMean: reduceMeanGrad,
  ReduceSum: reduceSumGrad,
  Relu: ew.reluGrad,
  Reshape: sh.reshapeGrad,
  ScatterElements: scatterElementsGrad,
  Shape: "nondiff",
  Sigmoid: ew.sigmoidGrad,
  Slice: sh.sliceGrad,
  Softmax: softmaxGrad,
  Split: sh.splitGrad,
  Sqrt: ew.sqrtGrad,
  Squeeze: sh.reshapeGrad,
  Sub: ew.subGrad,
  Sum: ew.sumGrad,
  Tanh: ew.tanhGrad,
  Erf: ew.erfGrad,
  Transpose: sh.transposeGrad,
  Unsqueeze: sh.reshapeGrad,
  Where: ew.whereGrad,
};
