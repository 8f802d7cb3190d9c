import assert from "node:assert/strict";
import { releaseBuffer } from "../../src/train/release_buffer.ts";

Deno.test("releaseBuffer() frees an array that owns its buffer, once, and leaves views alone", () => {
  const whole = new Float32Array(1024);
  releaseBuffer(whole);
  assert.equal(whole.length, 0, "freed: the array reads as empty");
  releaseBuffer(whole); // a second call does nothing
  const shared = new Float32Array(8);
  const part = shared.subarray(2, 4);
  releaseBuffer(part);
  assert.equal(shared.length, 8, "a view of part of a buffer frees nothing");
  assert.equal(part.length, 2);
});
