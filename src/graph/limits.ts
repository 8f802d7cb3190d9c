/**
 * The limit on tensors per node that graphs built for WebGPU, and every exported model, keep,
 * so that they run on every execution provider.
 *
 * @module
 */

/**
 * The most tensors one node reads and writes together, by default. WebGPU guarantees a shader
 * only 8 storage buffers (`maxStorageBuffersPerShaderStage`), and onnxruntime's WebGPU EP binds
 * each input and output of a node as one; so `concat` and `split` build trees of smaller nodes
 * past it. A tree moves every byte once per level, so a graph that never runs on WebGPU (a
 * CPU, CUDA or wasm training graph) lifts the limit (`GraphOptions.maxNodeTensors` in
 * `graph.ts`) and joins or splits in one node.
 */
export const MAX_NODE_TENSORS = 8;
