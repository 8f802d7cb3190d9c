/**
 * A session over onnx-lm's model bytes, with feeds checked against the model's declared
 * inputs before onnxruntime sees them. One implementation for onnxruntime-node and
 * onnxruntime-web (`backend.ts`): feed validation and error messages are shared.
 *
 * @module
 */

import type * as ort from "onnxruntime-node";
import { type Backend, type Device, NODE_DEVICES, nodeBackend } from "./backend.ts";
import type { DType } from "../onnx/dtype.ts";
import type { ValueInfo } from "../onnx/model.ts";
import { readModelHeader } from "../onnx/model_header.ts";
import type { Tensor } from "../onnx/tensor.ts";

/** onnxruntime's graph optimization levels. */
export type GraphOptimizationLevel = "disabled" | "basic" | "extended" | "all";

export type { Backend, Device } from "./backend.ts";

/** Devices `--device` accepts, in order (onnxruntime-node's). */
export const DEVICES: readonly Device[] = NODE_DEVICES;

/** How to run a session. */
export interface SessionOptions {
  /** The onnxruntime build (onnxruntime-node, loaded on first use, by default). */
  backend?: Backend;
  /** Execution provider ("cpu"; onnxruntime-web's first device under another backend). */
  device?: Device;
  /** Which GPU, for `cuda` (0). */
  deviceId?: number;
  /** Threads used inside one operator (onnxruntime's intra-op pool); 0 lets it decide. */
  threads?: number;
  /**
   * Threads that run independent nodes at once (onnxruntime's inter-op pool, `executionMode:
   * "parallel"`); 1, the default, runs nodes one after another. Each node's arithmetic is the
   * same either way, so results do not change.
   */
  interOpThreads?: number;
  /** Graph optimizations applied when the session is created ("all"). */
  graphOptimizationLevel?: GraphOptimizationLevel;
  /** Where the model came from (a path or a name), for error messages. */
  source?: string;
  /**
   * Outputs to leave in GPU memory (`preferredOutputLocation: "gpu-buffer"`, WebGPU): `run`
   * returns them as `DeviceTensor`s, which can be fed back to the same session as they are.
   */
  keepOnDevice?: readonly string[];
  /**
   * onnxruntime's CPU memory arena (`enableCpuMemArena`, on by default): chunks it allocates are
   * kept for the process's life and reused, never returned.
   */
  memArena?: boolean;
  /**
   * onnxruntime's memory pattern (`enableMemPattern`, on by default): after the first run, one
   * block for all intermediate values is planned and kept with the session.
   */
  memPattern?: boolean;
  /**
   * Whether the intra-op threads spin while waiting for work (onnxruntime's default: on). Off,
   * sessions that take turns (train, then eval) do not burn each other's cores.
   */
  spinning?: boolean;
}

import { checkFeeds, type Feed, isOnDevice, SessionError } from "./feeds.ts";

export {
  checkFeeds,
  type DeviceTensor,
  type Feed,
  isOnDevice,
  type OrtTensor,
  SessionError,
} from "./feeds.ts";

const ORT_TYPES: Readonly<Record<string, DType>> = {
  float32: "float32",
  float64: "float64",
  float16: "float16",
  int8: "int8",
  int64: "int64",
  bool: "bool",
};

/** A loaded model, ready to run. */
export class Session {
  private constructor(
    private readonly ort: ort.InferenceSession,
    private readonly backend: Backend,
    /** Inputs to feed, as the model declares them. */
    readonly inputs: readonly ValueInfo[],
    /** Outputs, as the model declares them. */
    readonly outputs: readonly ValueInfo[],
    /** Where the model came from. */
    readonly source: string,
  ) {}

  /**
   * Loads model bytes into onnxruntime (onnxruntime-node's CPU execution provider unless
   * `options` say otherwise).
   *
   * @param bytes The `.onnx` file contents.
   * @param options Backend, device, threads, optimization level, source name.
   * @returns The session.
   * @throws OnnxFormatError for bytes that are not a readable model; SessionError when
   *   onnxruntime refuses the model.
   */
  static async create(bytes: Uint8Array, options: SessionOptions = {}): Promise<Session> {
    const source = options.source ?? "ONNX model";
    // The interface only: no copy of the weights, and no generated decoders (see model_header).
    const model = readModelHeader(bytes, source);
    const initialized = new Set(model.graph.initializerNames);
    const threads = options.threads ?? 0;
    if (!Number.isInteger(threads) || threads < 0) {
      throw new SessionError(`Session option "threads" must be an integer >= 0: got ${threads}`);
    }
    const interOp = options.interOpThreads ?? 1;
    if (!Number.isInteger(interOp) || interOp < 1) {
      throw new SessionError(
        `Session option "interOpThreads" must be an integer >= 1: got ${interOp}`,
      );
    }
    const backend = options.backend ?? await nodeBackend();
    const device = options.device ?? backend.devices[0];
    if (!backend.devices.includes(device)) {
      throw new SessionError(
        `Unknown device "${device}" for ${backend.name}: expected one of ${
          backend.devices.join(", ")
        }`,
      );
    }
    let session: ort.InferenceSession;
    try {
      session = await backend.ort.InferenceSession.create(bytes, {
        executionProviders: [backend.provider(device, options.deviceId)],
        // Errors reach the caller as exceptions; keep onnxruntime's own log quiet.
        logSeverityLevel: device === "cpu" || device === "wasm" ? 3 : 4,
        graphOptimizationLevel: options.graphOptimizationLevel ?? "all",
        ...(options.keepOnDevice?.length
          ? {
            preferredOutputLocation: Object.fromEntries(
              options.keepOnDevice.map((name) => [name, "gpu-buffer" as const]),
            ),
          }
          : {}),
        intraOpNumThreads: threads,
        interOpNumThreads: interOp,
        executionMode: interOp > 1 ? "parallel" : "sequential",
        ...(options.memArena !== undefined ? { enableCpuMemArena: options.memArena } : {}),
        ...(options.memPattern !== undefined ? { enableMemPattern: options.memPattern } : {}),
        ...(options.spinning !== undefined
          ? {
            extra: {
              session: {
                intra_op: { allow_spinning: options.spinning ? "1" : "0" },
                inter_op: { allow_spinning: options.spinning ? "1" : "0" },
              },
            },
          }
          : {}),
      });
    } catch (error) {
      const message = firstLine((error as Error).message);
      const needs = backend.needs(device);
      if (needs) {
        throw new SessionError(
          `The ${device} execution provider is unavailable (${message}): ${needs}. ` +
            `Use --device ${backend.devices[0]}`,
        );
      }
      throw new SessionError(`onnxruntime cannot load ${source}: ${message}`);
    }
    return new Session(
      session,
      backend,
      // Inputs with an initializer of the same name have defaults and need no feed.
      model.graph.inputs.filter((v) => !initialized.has(v.name)),
      model.graph.outputs,
      source,
    );
  }

  /**
   * Runs the model.
   *
   * @param feeds One tensor per input, by input name.
   * @param outputNames Which outputs to compute (all by default).
   * @returns The outputs by name, as typed arrays with dims.
   * @throws SessionError naming the input and expected vs actual for a missing, extra,
   *   mistyped or misshaped feed, and for failures inside onnxruntime.
   */
  async run(
    feeds: Readonly<Record<string, Feed>>,
    outputNames?: readonly string[],
  ): Promise<Record<string, Tensor>>;
  /**
   * Runs the model with feeds that may be on the device, and may leave outputs there.
   *
   * @param feeds One tensor (host or device) per input.
   * @param outputNames Which outputs to compute (all by default).
   * @param device Must be true: outputs named in `keepOnDevice` come back as DeviceTensors.
   * @returns The outputs by name.
   */
  async run(
    feeds: Readonly<Record<string, Feed>>,
    outputNames: readonly string[] | undefined,
    device: true,
  ): Promise<Record<string, Feed>>;
  async run(
    feeds: Readonly<Record<string, Feed>>,
    outputNames?: readonly string[],
    device = false,
  ): Promise<Record<string, Feed>> {
    checkFeeds(`Cannot run ${this.source}`, this.inputs, feeds);
    const names = outputNames ?? this.outputs.map((o) => o.name);
    for (const name of names) {
      if (!this.outputs.some((o) => o.name === name)) {
        throw new SessionError(
          `${this.source} has no output "${name}": its outputs are ${
            this.outputs.map((o) => `"${o.name}"`).join(", ")
          }`,
        );
      }
    }
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) {
      ortFeeds[name] = isOnDevice(t)
        ? t.onDevice
        : new this.backend.ort.Tensor(t.dtype, t.data, t.dims);
    }
    let results: ort.InferenceSession.OnnxValueMapType;
    try {
      results = await this.ort.run(ortFeeds, names as string[]);
    } catch (error) {
      throw new SessionError(
        `onnxruntime failed running ${this.source}: ${firstLine((error as Error).message)}`,
      );
    }
    const out: Record<string, Feed> = {};
    for (const name of names) {
      const r = results[name] as ort.Tensor;
      const dtype = ORT_TYPES[r.type];
      if (!dtype) throw new SessionError(`Output "${name}" has unsupported type ${r.type}`);
      if (r.location === "gpu-buffer") {
        if (!device) {
          throw new SessionError(`Output "${name}" is on the device: call run(feeds, names, true)`);
        }
        out[name] = { dtype, dims: [...r.dims], onDevice: r };
      } else out[name] = { dtype, dims: [...r.dims], data: r.data as Tensor["data"] };
    }
    return out;
  }

  /** Frees onnxruntime's native resources. */
  async release(): Promise<void> {
    await this.ort.release();
  }
}

function firstLine(message: string): string {
  return message.split("\n")[0].trim();
}
