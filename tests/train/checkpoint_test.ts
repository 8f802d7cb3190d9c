import assert from "node:assert/strict";
import { tensor } from "../../src/onnx/tensor.ts";
import {
  type Checkpoint,
  CheckpointError,
  decodeCheckpoint,
  encodeCheckpoint,
} from "../../src/train/checkpoint.ts";

const CKPT: Checkpoint = {
  tensors: new Map([
    ["a", tensor("float32", [2, 3], [1, 2, 3, 4, 5, 6])],
    ["b", tensor("float32", [2], [7, 8])],
  ]),
  meta: { model: "lm6", n: 1 },
};

/** A safetensors file with `header` as its JSON header and `data` after it. */
function withHeader(header: unknown, data = new Uint8Array(32)): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const META = { "onnx-lm": JSON.stringify({ model: "lm6" }) };
const A = { dtype: "F32", shape: [2, 3], data_offsets: [0, 24] };
const B = { dtype: "F32", shape: [2], data_offsets: [24, 32] };

Deno.test("encodeCheckpoint() and decodeCheckpoint() round-trip tensors and metadata", () => {
  const back = decodeCheckpoint(encodeCheckpoint(CKPT), "ck");
  assert.deepEqual(back.meta, CKPT.meta);
  assert.deepEqual([...back.tensors.keys()], ["a", "b"]);
  assert.deepEqual(back.tensors.get("a"), CKPT.tensors.get("a"));
  assert.deepEqual(
    decodeCheckpoint(withHeader({ __metadata__: META, a: A, b: B })).tensors.size,
    2,
  );
});

Deno.test("decodeCheckpoint() refuses every malformed header with a CheckpointError naming the entry", () => {
  const cases: [Uint8Array, RegExp][] = [
    [new Uint8Array(4), /too short for a safetensors header/],
    [withHeader(null), /the header must be a JSON object: got null/],
    [withHeader([1]), /the header must be a JSON object: got \[1\]/],
    [withHeader({ a: A, b: B }), /"__metadata__" must be an object of strings: got undefined/],
    [
      withHeader({ __metadata__: { "onnx-lm": 5 } }),
      /"__metadata__" must be an object of strings: "onnx-lm" is 5/,
    ],
    [withHeader({ __metadata__: { x: "y" } }, new Uint8Array(0)), /no onnx-lm metadata/],
    [
      withHeader({ __metadata__: { "onnx-lm": "{" } }, new Uint8Array(0)),
      /its onnx-lm metadata is not JSON/,
    ],
    [
      withHeader({ __metadata__: { "onnx-lm": "null" } }, new Uint8Array(0)),
      /metadata must be a JSON object: got null/,
    ],
    [
      withHeader({ __metadata__: META, a: null, b: B }),
      /tensor "a" must be an object \{dtype, shape, data_offsets\}: got null/,
    ],
    [
      withHeader({ __metadata__: META, a: { ...A, dtype: "F16" }, b: B }),
      /tensor "a": "dtype" must be one of F32, F64, I64, BOOL: got "F16"/,
    ],
    [
      withHeader({ __metadata__: META, a: { ...A, shape: "12" }, b: B }),
      /tensor "a": "shape" must be an array of integers >= 0: got "12"/,
    ],
    [
      withHeader({ __metadata__: META, a: { ...A, shape: [-2, -3] }, b: B }),
      /"shape" must be an array of integers >= 0: got \[-2,-3\]/,
    ],
    [
      withHeader({ __metadata__: META, a: { ...A, shape: [3, 3] }, b: B }),
      /tensor "a" F32\[3, 3\] needs 36 bytes: data_offsets \[0, 24\]/,
    ],
    [
      withHeader({ __metadata__: META, a: { ...A, data_offsets: [0] }, b: B }),
      /"data_offsets" must be two integers >= 0/,
    ],
    [
      withHeader({ __metadata__: META, a: { ...A, data_offsets: [8, 32] }, b: B }),
      /tensor "a" data_offsets \[8, 32\] leaves a gap before it \(expected it to start at 0\)/,
    ],
    [
      withHeader({ __metadata__: META, a: A, b: { ...B, data_offsets: [0, 8] } }),
      /overlaps the tensor before it/,
    ],
    [
      withHeader({ __metadata__: META, a: A, b: B }, new Uint8Array(40)),
      /the tensors cover 32 of the 40 data bytes/,
    ],
    [
      withHeader({ __metadata__: META, a: A, b: { ...B, shape: [1], data_offsets: [28, 32] } }),
      /tensor "b" data_offsets \[28, 32\] leaves a gap before it/,
    ],
    [
      withHeader({ __metadata__: META, a: A, b: { ...B, data_offsets: [24, 40] } }),
      /tensor "b" F32\[2\] needs 8 bytes/,
    ],
  ];
  for (const [bytes, message] of cases) {
    assert.throws(
      () => decodeCheckpoint(bytes, "run/checkpoint.safetensors"),
      (e) =>
        e instanceof CheckpointError &&
        /^Cannot read run\/checkpoint\.safetensors \(\d+ bytes\): /.test(e.message) &&
        message.test(e.message),
      String(message),
    );
  }
});
