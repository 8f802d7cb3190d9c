/**
 * The onnxruntime layer: a `Session` over onnx-lm's model bytes with checked feeds, and the
 * backends that say which onnxruntime build runs it (onnxruntime-node: CPU, CUDA, WebGPU;
 * onnxruntime-web: wasm, WebGPU). Training, generation, the model API, bench and the page use it.
 *
 * @module
 */

export {
  type Backend,
  NODE_DEVICES,
  nodeBackend,
  type OrtModule,
  type ProviderConfig,
  WEB_DEVICES,
  webBackend,
} from "./backend.ts";
export {
  type Device,
  DEVICES,
  type DeviceTensor,
  type Feed,
  type GraphOptimizationLevel,
  isOnDevice,
  type OrtTensor,
  Session,
  SessionError,
  type SessionOptions,
} from "./session.ts";
