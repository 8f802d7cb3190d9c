/**
 * Loads `proto/onnx.proto` with protobufjs once, at module load.
 *
 * The schema is fetched relative to this module, so the same code works from the file system
 * (Deno reads `file:` URLs with `fetch`) and from a web server (the browser fetches it).
 *
 * @module
 */

import protobuf from "protobufjs";

const SCHEMA_URL = new URL("../../proto/onnx.proto", import.meta.url);

async function loadSchema(): Promise<protobuf.Root> {
  let text: string;
  try {
    const response = await fetch(SCHEMA_URL);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    text = await response.text();
  } catch (error) {
    throw new Error(
      `Cannot load the ONNX schema from ${SCHEMA_URL.href}: ${(error as Error).message}`,
    );
  }
  return protobuf.parse(text, { keepCase: true }).root;
}

const root = await loadSchema();

/** protobufjs type for `onnx.ModelProto`. */
export const ModelProtoType: protobuf.Type = root.lookupType("onnx.ModelProto");

/** Options that turn decoded messages into plain objects with exact 64-bit integers. */
export const TO_OBJECT_OPTIONS: protobuf.IConversionOptions = {
  longs: String,
  enums: Number,
  defaults: false,
  arrays: true,
  oneofs: false,
};
