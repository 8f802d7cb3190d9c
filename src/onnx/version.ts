/**
 * The ONE place where onnx-lm pins the ONNX versions it writes.
 *
 * IR version 8 with the default-domain opset 17 is readable by every onnxruntime 1.x release
 * since 1.13 (node, web and native) and by the reference `onnx` package from 1.12 on, so
 * files stay loadable by the widest range of runtimes and validators.
 *
 * @module
 */

/** ONNX IR (file format) version written into every model. */
export const IR_VERSION = 8;

/** Version of the default ("" = ai.onnx) operator set that every graph is built against. */
export const OPSET_VERSION = 17;

/** `producer_name` written into every model. */
export const PRODUCER_NAME = "onnx-lm";

/** `producer_version` written into every model (kept in step with deno.json). */
export const PRODUCER_VERSION = "0.1.0";
