/**
 * ONNX files as plain data: element types, tensors, the model structure, and the
 * protobuf encoder/decoder built on `proto/onnx.proto`.
 *
 * @module
 */

export * from "./version.ts";
export * from "./dtype.ts";
export * from "./tensor.ts";
export type * from "./model.ts";
export { encodeModel } from "./encode.ts";
export { decodeModel, OnnxFormatError } from "./decode.ts";
export { type ModelHeader, readModelHeader } from "./model_header.ts";
