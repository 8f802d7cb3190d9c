/**
 * Shape inference for operators that move data around: Concat, Split, Slice, Squeeze,
 * Unsqueeze, Reshape, Transpose, Expand, Shape and Constant.
 *
 * @module
 */

import { formatList } from "../../onnx/format.ts";
import type { Dim, TypeInfo } from "../value.ts";
import { dimsCompatible, formatShape, isStaticShape } from "../value.ts";
import { broadcastShapes } from "./broadcast.ts";
import { dimOf, divide, monomial, productOf, sumOf } from "./dim_algebra.ts";
import type { InferContext } from "./context.ts";

/** Concat: equal ranks and dtypes; sizes add up along `axis`, other axes must agree. */
export function inferConcat(ctx: InferContext): TypeInfo[] {
  if (ctx.inputs.length < 1) ctx.fail("needs at least one input");
  const first = ctx.input(0);
  const rank = first.shape.length;
  const axis = ctx.axis(ctx.int("axis"), rank, `attribute "axis"`);
  const out: Dim[] = [...first.shape];
  const along: Dim[] = [];
  ctx.inputs.forEach((_, i) => {
    const t = ctx.input(i);
    ctx.expectSameDtype(0, i);
    if (t.shape.length !== rank) {
      ctx.fail(`${ctx.label(i)} must have rank ${rank} like input 0: got ${formatShape(t.shape)}`);
    }
    t.shape.forEach((d, k) => {
      if (k !== axis && !dimsCompatible(d, out[k])) {
        ctx.fail(
          `${ctx.label(i)} ${formatShape(t.shape)} differs from input 0 ` +
            `${formatShape(first.shape)} on axis ${k} (only axis ${axis} may differ)`,
        );
      }
    });
    along.push(t.shape[axis]);
  });
  out[axis] = sumOf(along);
  return [{ dtype: first.dtype, shape: out }];
}

/** Concat of known int64 vectors stays known (shape arithmetic). */
export function valueConcat(ctx: InferContext): Dim[] | undefined {
  const parts = ctx.inputs.map((_, i) => ctx.known(i));
  return parts.every((p) => p !== undefined) ? parts.flat() as Dim[] : undefined;
}

/** Split(input, split?): `nOutputs` pieces along `axis`, equal unless `split` sizes are given. */
export function inferSplit(ctx: InferContext): TypeInfo[] {
  const x = ctx.input(0);
  const axis = ctx.axis(ctx.int("axis", 0), x.shape.length, `attribute "axis"`);
  const dim = x.shape[axis];
  const n = ctx.nOutputs;
  let sizes: readonly Dim[];
  if (ctx.has(1)) {
    const given = ctx.requireStatic(1);
    sizes = given;
    if (sizes.length !== n) {
      ctx.fail(`input "split" must have one size per output (${n}): got ${formatList(sizes)}`);
    }
    const total = given.reduce((a, b) => a + b, 0);
    if (typeof dim === "number" && total !== dim) {
      ctx.fail(
        `input "split" sizes ${
          formatList(sizes)
        } must add up to axis ${axis} size ${dim}: got ${total}`,
      );
    }
  } else {
    const part = dim === null ? undefined : divide(monomial(dim), { coef: n, symbols: [] });
    if (!part) {
      ctx.fail(
        `axis ${axis} of size ${String(dim)} cannot be split into ${n} equal parts; pass sizes`,
      );
    }
    sizes = Array.from({ length: n }, () => dimOf(part));
  }
  return sizes.map((s) => ({ dtype: x.dtype, shape: x.shape.map((d, k) => k === axis ? s : d) }));
}

/** Slice(data, starts, ends, axes?, steps?) with the spec's clamping rules. */
export function inferSlice(ctx: InferContext): TypeInfo[] {
  const data = ctx.input(0);
  const rank = data.shape.length;
  const [known1, known2] = [ctx.known(1), ctx.known(2)];
  if (!known1 || !known2 || !isStaticShape(known1) || !isStaticShape(known2)) {
    return [{ dtype: data.dtype, shape: runTimeSlice(ctx, data.shape) }];
  }
  const starts = known1;
  const ends = known2;
  const axes = ctx.has(3) ? ctx.requireStatic(3) : starts.map((_, i) => i);
  const steps = ctx.has(4) ? ctx.requireStatic(4) : starts.map(() => 1);
  if (
    ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length
  ) {
    ctx.fail(
      `inputs "starts", "ends", "axes", "steps" must have equal lengths: got ` +
        `${starts.length}, ${ends.length}, ${axes.length}, ${steps.length}`,
    );
  }
  const out: Dim[] = [...data.shape];
  const seen = new Set<number>();
  axes.forEach((a, i) => {
    const axis = ctx.axis(a, rank, `input "axes" entry ${i}`);
    if (seen.has(axis)) ctx.fail(`input "axes" must not repeat: got ${formatList(axes)}`);
    seen.add(axis);
    if (steps[i] === 0) ctx.fail(`input "steps" must not contain 0`);
    out[axis] = sliceLength(data.shape[axis], starts[i], ends[i], steps[i]);
  });
  return [{ dtype: data.dtype, shape: out }];
}

/**
 * A slice whose bounds are computed at run time (a KV cache's positions): the sliced axes
 * (given by a constant `axes`) have sizes known only then.
 */
function runTimeSlice(ctx: InferContext, shape: readonly Dim[]): Dim[] {
  if (!ctx.has(3)) {
    ctx.fail(`with "starts" or "ends" computed at run time, input "axes" must be given`);
  }
  const out: Dim[] = [...shape];
  for (const [i, a] of ctx.requireStatic(3).entries()) {
    out[ctx.axis(a, shape.length, `input "axes" entry ${i}`)] = null;
  }
  return out;
}

function sliceLength(dim: Dim, start: number, end: number, step: number): Dim {
  if (typeof dim !== "number") {
    // Only the whole-axis slice keeps a symbolic size; anything else depends on run time.
    return start === 0 && end >= 2 ** 31 - 1 && step === 1 ? dim : null;
  }
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  let s = start < 0 ? start + dim : start;
  let e = end < 0 ? end + dim : end;
  if (step > 0) {
    s = clamp(s, 0, dim);
    e = clamp(e, 0, dim);
    return Math.max(0, Math.ceil((e - s) / step));
  }
  s = clamp(s, 0, dim - 1);
  e = clamp(e, -1, dim - 1);
  return Math.max(0, Math.ceil((s - e) / -step));
}

/** Pad(data, pads, constant_value?) in constant mode: each axis grows by its two pads. */
export function inferPad(ctx: InferContext): TypeInfo[] {
  const data = ctx.input(0);
  const rank = data.shape.length;
  const pads = ctx.requireStatic(1);
  if (pads.length !== 2 * rank) {
    ctx.fail(`input "pads" must have 2 * rank = ${2 * rank} entries: got ${formatList(pads)}`);
  }
  if (ctx.has(2)) {
    ctx.expectSameDtype(0, 2);
    if (ctx.input(2).shape.length !== 0) ctx.fail(`input "constant_value" must be a scalar`);
  }
  const mode = ctx.string("mode", "constant");
  if (mode !== "constant") ctx.fail(`only mode "constant" is supported: got "${mode}"`);
  const shape = data.shape.map((d, i) => {
    const grow = pads[i] + pads[i + rank];
    if (typeof d === "number") {
      if (d + grow < 0) {
        ctx.fail(`pads ${formatList(pads)} remove more than axis ${i} holds (${d})`);
      }
      return d + grow;
    }
    return grow === 0 ? d : null;
  });
  return [{ dtype: data.dtype, shape }];
}

/** Squeeze(data, axes?): removes the listed size-1 axes, or every size-1 axis. */
export function inferSqueeze(ctx: InferContext): TypeInfo[] {
  const data = ctx.input(0);
  const rank = data.shape.length;
  if (!ctx.has(1)) {
    if (!isStaticShape(data.shape)) {
      ctx.fail(`needs input "axes" when input "data" ${formatShape(data.shape)} has symbolic dims`);
    }
    return [{ dtype: data.dtype, shape: data.shape.filter((d) => d !== 1) }];
  }
  const axes = new Set(ctx.requireStatic(1).map((a) => ctx.axis(a, rank, `input "axes" entry`)));
  for (const a of axes) {
    const d = data.shape[a];
    if (typeof d === "number" && d !== 1) {
      ctx.fail(`cannot squeeze axis ${a} of ${formatShape(data.shape)}: its size is ${d}, not 1`);
    }
  }
  return [{ dtype: data.dtype, shape: data.shape.filter((_, i) => !axes.has(i)) }];
}

/** Unsqueeze(data, axes): inserts size-1 axes at the listed output positions. */
export function inferUnsqueeze(ctx: InferContext): TypeInfo[] {
  const data = ctx.input(0);
  const axesIn = ctx.requireStatic(1);
  const rank = data.shape.length + axesIn.length;
  const axes = new Set(axesIn.map((a) => ctx.axis(a, rank, `input "axes" entry`)));
  if (axes.size !== axesIn.length) {
    ctx.fail(`input "axes" must not repeat: got ${formatList(axesIn)}`);
  }
  const out: Dim[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(axes.has(i) ? 1 : data.shape[k++]);
  return [{ dtype: data.dtype, shape: out }];
}

/** Reshape(data, shape): 0 copies the input's dim (unless allowzero), -1 is inferred. */
export function inferReshape(ctx: InferContext): TypeInfo[] {
  const data = ctx.input(0);
  const target = ctx.requireKnown(1);
  const allowzero = ctx.int("allowzero", 0) !== 0;
  const out: Dim[] = target.map((t, i) => {
    if (t === 0 && !allowzero) {
      if (i >= data.shape.length) {
        ctx.fail(`shape entry ${i} is 0 but input "data" has rank ${data.shape.length}`);
      }
      return data.shape[i];
    }
    return t;
  });
  const holes = out.filter((d) => d === -1).length;
  if (holes > 1) ctx.fail(`input "shape" ${formatList(target)} may contain at most one -1`);
  const have = productOf(data.shape);
  const known = productOf(out.filter((d) => d !== -1));
  if (holes === 1) {
    const q = have && known ? divide(have, known) : undefined;
    if (have && known && !q && have.symbols.length === 0 && known.symbols.length === 0) {
      ctx.fail(
        `cannot reshape ${formatShape(data.shape)} to ${formatList(target)}: sizes do not divide`,
      );
    }
    out[out.indexOf(-1)] = q ? dimOf(q) : null;
  } else if (
    have && known && have.symbols.length === 0 && known.symbols.length === 0 &&
    have.coef !== known.coef
  ) {
    ctx.fail(
      `cannot reshape ${formatShape(data.shape)} (${have.coef} elements) to ${
        formatList(target)
      } ` +
        `(${known.coef} elements)`,
    );
  }
  return [{ dtype: data.dtype, shape: out }];
}

/** Transpose(data): axes permuted by `perm` (reversed by default). */
export function inferTranspose(ctx: InferContext): TypeInfo[] {
  const data = ctx.input(0);
  const rank = data.shape.length;
  const perm = ctx.ints("perm") ?? data.shape.map((_, i) => rank - 1 - i);
  const sorted = [...perm].sort((a, b) => a - b);
  if (perm.length !== rank || sorted.some((p, i) => p !== i)) {
    ctx.fail(`attribute "perm" must be a permutation of 0..${rank - 1}: got ${formatList(perm)}`);
  }
  return [{ dtype: data.dtype, shape: perm.map((p) => data.shape[p]) }];
}

/** Expand(input, shape): broadcasts the input and the requested shape together. */
export function inferExpand(ctx: InferContext): TypeInfo[] {
  const x = ctx.input(0);
  ctx.expectDtype(1, ["int64"]);
  const shape = broadcastShapes([x.shape, ctx.requireKnown(1)]);
  if (typeof shape === "string") ctx.fail(shape);
  return [{ dtype: x.dtype, shape }];
}

/** Shape(data): its dims as an int64 vector (opset 15 start/end attributes). */
export function inferShape(ctx: InferContext): TypeInfo[] {
  const [start, end] = shapeRange(ctx);
  return [{ dtype: "int64", shape: [Math.max(0, end - start)] }];
}

function shapeRange(ctx: InferContext): [number, number] {
  const rank = ctx.input(0).shape.length;
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
  return [clamp(ctx.int("start", 0)), clamp(ctx.int("end", rank))];
}

/** The output of Shape is known whenever the input's dims are (symbols included). */
export function valueShape(ctx: InferContext): Dim[] | undefined {
  const [start, end] = shapeRange(ctx);
  const dims = ctx.input(0).shape.slice(start, end);
  return dims.includes(null) ? undefined : dims;
}

/** Constant: the type of its `value` tensor. */
export function inferConstant(ctx: InferContext): TypeInfo[] {
  const t = ctx.tensor("value");
  if (!t) {
    ctx.fail(`attribute "value" (a tensor) is required; other Constant forms are not supported`);
  }
  return [{ dtype: t.dtype, shape: t.dims }];
}

/** An int64 scalar or vector constant is known at build time. */
export function valueConstant(ctx: InferContext): Dim[] | undefined {
  const t = ctx.tensor("value");
  if (!t || t.dtype !== "int64" || t.dims.length > 1) return undefined;
  return Array.from(t.data as BigInt64Array, (v) => Number(v));
}
