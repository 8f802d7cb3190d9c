/**
 * What a session takes and gives: host tensors, or tensors left in GPU memory, and the check
 * of each feed against the model's declared inputs (shared by onnxruntime-node and -web).
 *
 * @module
 */

import type * as ort from "onnxruntime-node";
import { type DType, dtypeOfArray } from "../onnx/dtype.ts";
import type { Dim, ValueInfo } from "../onnx/model.ts";
import { sizeOf, type Tensor } from "../onnx/tensor.ts";
import { formatShape } from "../graph/value.ts";

/** onnxruntime's own tensor type (onnxruntime-common's `Tensor`). */
export type OrtTensor = ort.Tensor;

/** A tensor left in GPU memory by `Session.run` (see `SessionOptions.keepOnDevice`). */
export interface DeviceTensor {
  /** Element type. */
  readonly dtype: DType;
  /** Shape. */
  readonly dims: readonly number[];
  /** onnxruntime's tensor, location "gpu-buffer". */
  readonly onDevice: OrtTensor;
}

/** What `run` takes and gives: host tensors, or tensors left on the device. */
export type Feed = Tensor | DeviceTensor;

/**
 * Whether a feed is on the device.
 *
 * @param t A feed.
 * @returns True for a `DeviceTensor`.
 */
export function isOnDevice(t: Feed): t is DeviceTensor {
  return "onDevice" in t;
}

/** Raised for feeds that do not match the model's inputs, and for onnxruntime failures. */
export class SessionError extends Error {
  /** The error name. */
  override name = "SessionError";
}

/**
 * Refuses a missing, extra, mistyped or misshaped feed, naming the input.
 *
 * @param where The start of every message (`Cannot run train.onnx`).
 * @param inputs The model's declared inputs.
 * @param feeds What a run is given.
 * @throws SessionError naming the input, expected vs actual.
 */
export function checkFeeds(
  where: string,
  inputs: readonly ValueInfo[],
  feeds: Readonly<Record<string, Feed>>,
): void {
  const expected = new Map(inputs.map((v) => [v.name, v]));
  for (const name of Object.keys(feeds)) {
    if (!expected.has(name)) {
      throw new SessionError(
        `${where}: unexpected feed "${name}"; the inputs are ${
          [...expected.keys()].map((n) => `"${n}"`).join(", ")
        }`,
      );
    }
  }
  const bound = new Map<string, { size: number; input: string }>();
  for (const input of inputs) {
    const feed = feeds[input.name];
    if (!feed) {
      throw new SessionError(
        `${where}: missing feed for input "${input.name}" (expected ${input.dtype}${
          formatShape(input.shape)
        })`,
      );
    }
    checkFeed(where, input, feed, bound);
  }
}

function checkFeed(
  where: string,
  input: ValueInfo,
  feed: Feed,
  bound: Map<string, { size: number; input: string }>,
): void {
  const expectedType = `${input.dtype}${formatShape(input.shape)}`;
  const arrayType = isOnDevice(feed) ? feed.dtype : dtypeOfArray(feed.data);
  if (feed.dtype !== input.dtype || arrayType !== input.dtype) {
    throw new SessionError(
      `${where}: input "${input.name}" must be ${input.dtype}: got ${feed.dtype} ` +
        `(${
          isOnDevice(feed) ? "on the device" : feed.data?.constructor?.name ?? typeof feed.data
        })`,
    );
  }
  const dims = feed.dims;
  if (dims.length !== input.shape.length) {
    throw new SessionError(
      `${where}: input "${input.name}" must have shape ${expectedType}: got rank ${dims.length} ${
        formatShape(dims)
      }`,
    );
  }
  input.shape.forEach((d: Dim, i) => {
    const actual = dims[i];
    if (!Number.isInteger(actual) || actual < 0) {
      throw new SessionError(
        `${where}: input "${input.name}" has invalid dims ${formatShape(dims)}`,
      );
    }
    if (typeof d === "number" && d !== actual) {
      throw new SessionError(
        `${where}: input "${input.name}" must have shape ${expectedType}: got ${
          formatShape(dims)
        } (axis ${i})`,
      );
    }
    if (typeof d === "string") {
      const prior = bound.get(d);
      if (prior && prior.size !== actual) {
        throw new SessionError(
          `${where}: input "${input.name}" axis ${i} ("${d}") is ${actual}, but input ` +
            `"${prior.input}" set "${d}" to ${prior.size}`,
        );
      }
      bound.set(d, { size: actual, input: input.name });
    }
  });
  if (!isOnDevice(feed) && feed.data.length !== sizeOf(dims)) {
    throw new SessionError(
      `${where}: input "${input.name}" has ${feed.data.length} elements for dims ${
        formatShape(dims)
      } ` +
        `(expected ${sizeOf(dims)})`,
    );
  }
}
