/**
 * Limits every graph we build keeps, so one graph runs on every execution provider.
 *
 * @module
 */

/**
 * The most tensors one node reads and writes together. WebGPU guarantees a shader only 8
 * storage buffers (`maxStorageBuffersPerShaderStage`), and onnxruntime's WebGPU EP binds each
 * input and output of a node as one; so `concat` and `split` build trees of smaller nodes past
 * it, which move exactly the same bytes.
 */
export const MAX_NODE_TENSORS = 8;
