/**
 * How a train graph takes its parameters: one input each, or packed into one flat input per
 * weight-decay group.
 *
 * A train graph feeds in and fetches every parameter with its optimizer state each step, and
 * updates each with its own chain of a dozen elementwise nodes. Packed, it feeds and fetches a
 * few flat tensors, and one chain updates a whole group. Inside the graph one Split and a
 * Reshape per parameter recover the named weights for the forward pass; the gradient of the
 * flat input is the Concat of the parameters' gradients, in the same layout. Each element's
 * arithmetic is unchanged, so the results are bit-identical to the unpacked graph's. The
 * checkpoint keeps the per-parameter names (`ArtifactSpec.carried` maps them into the flat
 * tensors); so do the grad, eval and infer graphs.
 *
 * Packing pays for many small parameters (the book's models: 70,000 floats in a dozen
 * tensors) and costs for large ones, where the Concat of the gradients and the flat update's
 * temporaries are copies of the whole model: measured on an AMD EPYC (1 thread, bs 64, sl 64,
 * vocabulary 10,000), unpacked took 5.57 s a step against 6.38 s at hidden 1024, with a peak
 * RSS of 1.83 GB against 2.15 GB, and 855 against 868 ms at hidden 256 (488 against 556 MB).
 * So a model of `PACK_LIMIT` floats or more is not packed.
 *
 * @module
 */

import type { Graph, Value } from "../graph/graph.ts";
import { reshape, split } from "../ops/shape.ts";
import { allocate } from "../onnx/dtype.ts";
import { sizeOf, type Tensor, tensor } from "../onnx/tensor.ts";
import type { FloatDType } from "../optim/update.ts";

/** The parameter floats from which a train graph takes one input per parameter. */
export const PACK_LIMIT = 2 ** 20;

/**
 * Whether a train graph packs parameters of these shapes (`ArtifactOptions.pack`'s default
 * off WebGPU): only below `PACK_LIMIT` floats in all.
 *
 * @param shapes The parameters' shapes.
 * @returns True for small models.
 */
export function packsByDefault(shapes: readonly (readonly number[])[]): boolean {
  let floats = 0;
  for (const shape of shapes) floats += sizeOf(shape);
  return floats < PACK_LIMIT;
}

/** A named tensor inside a train graph input: a parameter or one of its optimizer states. */
export interface PartSpec {
  /** Its checkpoint name (`i_h.weight`, `adam.m.i_h.weight`). */
  readonly name: string;
  /** Its shape. */
  readonly shape: readonly number[];
  /** Its first element in the input (0 when unpacked). */
  readonly offset: number;
}

/** A parameter to declare: its checkpoint name, shape and weight-decay flag. */
export interface DeclaredParam {
  /** Its checkpoint name (`i_h.weight`). */
  readonly name: string;
  /** Its shape. */
  readonly shape: readonly number[];
  /** Whether weight decay applies. */
  readonly decay: boolean;
}

/** One input of a train graph that holds parameters. */
export interface ParamInput {
  /** The input: the parameter itself, or a flat `packed:decayed` / `packed:undecayed`. */
  readonly input: Value;
  /** Whether weight decay applies to what it holds. */
  readonly decay: boolean;
  /** The parameters it holds, in the model's order. */
  readonly parts: readonly PartSpec[];
}

/** A train graph's parameter inputs and each parameter's value in the graph. */
export interface ParamInputs {
  /** The inputs, in declaration order. */
  readonly inputs: readonly ParamInput[];
  /** Each parameter's value, in the order declared. */
  readonly values: readonly Value[];
}

const GROUPS = [
  { name: "packed:decayed", decay: true },
  { name: "packed:undecayed", decay: false },
] as const;

/**
 * Declares the parameters as inputs of `g`: one input each under its own name, or, packed,
 * one flat input per weight-decay group (`packed:decayed`, then `packed:undecayed`; an empty
 * group is left out) from which each parameter is recovered.
 *
 * @param g The graph.
 * @param params The parameters, in the model's order.
 * @param dtype Their element type.
 * @param packed Whether to pack them.
 * @returns The inputs and the parameters' values.
 */
export function declareParameters(
  g: Graph,
  params: readonly DeclaredParam[],
  dtype: FloatDType,
  packed: boolean,
): ParamInputs {
  if (!packed) {
    const inputs = params.map(({ name, shape, decay }) => ({
      input: g.input(name, dtype, shape),
      decay,
      parts: [{ name, shape, offset: 0 }],
    }));
    return { inputs, values: inputs.map((i) => i.input) };
  }
  const values = new Array<Value>(params.length);
  const inputs: ParamInput[] = [];
  for (const { name, decay } of GROUPS) {
    const members = params.flatMap((p, i) => p.decay === decay ? [i] : []);
    if (!members.length) continue;
    const parts: PartSpec[] = [];
    let size = 0;
    for (const i of members) {
      parts.push({ name: params[i].name, shape: params[i].shape, offset: size });
      size += sizeOf(params[i].shape);
    }
    const input = g.input(name, dtype, [size]);
    const pieces = members.length === 1
      ? [input]
      : split(input, parts.map((p) => sizeOf(p.shape)), 0);
    members.forEach((i, k) => values[i] = reshape(pieces[k], params[i].shape));
    inputs.push({ input, decay, parts });
  }
  return { inputs, values };
}

/**
 * The parts of an optimizer state input: the parameters of its input under the state's
 * prefix (`adam.m.packed:decayed` holds `adam.m.i_h.weight`, ...; `adam.m.i_h.weight` holds
 * itself).
 *
 * @param stateName The state input's name, `<prefix>.<input name>` (see `stateInput`).
 * @param of The parameter input it belongs to.
 * @returns Its parts.
 */
export function stateParts(stateName: string, of: ParamInput): PartSpec[] {
  const suffix = `.${of.input.name}`;
  if (!stateName.endsWith(suffix) || stateName.length === suffix.length) {
    throw new Error(
      `Optimizer state "${stateName}" does not belong to input "${of.input.name}": expected ` +
        `"<prefix>${suffix}"`,
    );
  }
  const prefix = stateName.slice(0, stateName.length - suffix.length);
  return of.parts.map((p) => ({ ...p, name: `${prefix}.${p.name}` }));
}

/** A tensor the training loop feeds. */
export interface FeedSpec {
  /** Input name. */
  readonly name: string;
  /** Static shape. */
  readonly shape: readonly number[];
}

/** A train graph input the loop feeds back each step, and the checkpoint tensors it holds. */
export interface CarriedSpec extends FeedSpec {
  /** What it holds: one parameter or optimizer state each, or, packed, a group of them. */
  readonly parts: readonly PartSpec[];
}

/** Where a named parameter or optimizer state lies: which carried input, and where in it. */
export interface Location {
  readonly carried: string;
  readonly part: PartSpec;
}

/**
 * A tensor of zeros of a feed's shape.
 *
 * @param dtype Element type.
 * @param spec The feed.
 * @returns The tensor.
 */
export function zeros(dtype: "float32" | "float64", spec: FeedSpec): Tensor {
  return tensor(dtype, spec.shape, allocate(dtype, sizeOf(spec.shape)));
}

/**
 * The carried inputs, zeros but for the parts `valueOf` gives values for (it checks them).
 *
 * @param dtype Element type.
 * @param carried The train graph's carried inputs.
 * @param valueOf A part's values, or undefined to leave it zero.
 * @returns One tensor per carried input, by name.
 */
export function packCarried(
  dtype: "float32" | "float64",
  carried: readonly CarriedSpec[],
  valueOf: (part: PartSpec) => Float32Array | Float64Array | undefined,
): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const c of carried) {
    const t = zeros(dtype, c);
    for (const part of c.parts) {
      const values = valueOf(part);
      if (values) (t.data as Float32Array | Float64Array).set(values, part.offset);
    }
    out[c.name] = t;
  }
  return out;
}

/**
 * Where each named tensor of `carried` lies.
 *
 * @param carried The train graph's carried inputs.
 * @returns Each part's location, by the part's name.
 */
export function locate(carried: readonly CarriedSpec[]): Map<string, Location> {
  const out = new Map<string, Location>();
  for (const c of carried) {
    for (const part of c.parts) out.set(part.name, { carried: c.name, part });
  }
  return out;
}
