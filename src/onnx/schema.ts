/**
 * Parses `proto/onnx.proto` with protobufjs once, at module load. The schema is imported as
 * text, so it travels inside every bundle (the page's, a site's, Node's) and nothing fetches it:
 * a site served under any sub-path works, and so does a bundle copied anywhere.
 *
 * @module
 */

import protobuf from "protobufjs";
import ONNX_PROTO from "../../proto/onnx.proto" with { type: "text" };

const root = protobuf.parse(ONNX_PROTO, { keepCase: true }).root;

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
