/**
 * A small float64 reference for tests ("numpy in TypeScript"): row-major arrays of plain
 * numbers and slow, obviously-correct loops over flat indices. Never used by src/.
 *
 * @module
 */

import assert from "node:assert/strict";

/** A dense row-major array of numbers (bools are 0/1, int64 are plain numbers). */
export interface Arr {
  shape: number[];
  data: number[];
}

/** Makes an array from a shape and row-major data, checking the element count. */
export function arr(shape: readonly number[], data: readonly number[]): Arr {
  assert.equal(data.length, size(shape), `arr(): ${data.length} elements for [${shape}]`);
  return { shape: [...shape], data: [...data] };
}

/** Number of elements of a shape (1 for a scalar). */
export function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Row-major strides of a shape. */
export function strides(shape: readonly number[]): number[] {
  const s = shape.map(() => 1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/** The multi-index of flat index `i` in `shape`. */
export function unravel(i: number, shape: readonly number[]): number[] {
  return strides(shape).map((s, k) => Math.floor(i / s) % shape[k]);
}

/** The flat index of multi-index `idx` in `shape`. */
export function ravel(idx: readonly number[], shape: readonly number[]): number {
  const s = strides(shape);
  return idx.reduce((acc, v, k) => acc + v * s[k], 0);
}

/** Normalizes a possibly negative axis against a rank. */
export function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/**
 * A seeded uniform generator in [0, 1): the library's mulberry32 (`src/generate/sampling.ts`),
 * not a copy, so the tests depend on `src/` only; the page reaches the same function through
 * `/lib/onnx_lm.js`.
 */
export { mulberry32 as rng } from "../../src/generate/sampling.ts";

/** Uniform random floats in [lo, hi). */
export function randArr(r: () => number, shape: readonly number[], lo = -1, hi = 1): Arr {
  return arr(shape, Array.from({ length: size(shape) }, () => lo + (hi - lo) * r()));
}

/** Uniform random integers in [lo, hi). */
export function randInts(r: () => number, shape: readonly number[], lo: number, hi: number): Arr {
  return arr(shape, Array.from({ length: size(shape) }, () => lo + Math.floor((hi - lo) * r())));
}

/** Numpy broadcast of several shapes; throws when they do not broadcast. */
export function broadcastShape(...shapes: (readonly number[])[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let k = 0; k < rank; k++) {
    let d = 1;
    for (const s of shapes) {
      const e = s[s.length - rank + k] ?? 1;
      if (e !== 1 && d !== 1 && e !== d) throw new Error(`no broadcast: [${shapes.join("] [")}]`);
      if (e !== 1) d = e;
    }
    out.push(d);
  }
  return out;
}

/** The element of `a` read at output multi-index `idx` under broadcasting. */
function readBroadcast(a: Arr, idx: readonly number[]): number {
  const off = idx.length - a.shape.length;
  const own = a.shape.map((d, k) => (d === 1 ? 0 : idx[off + k]));
  return a.data[ravel(own, a.shape)];
}

/** Applies `f` elementwise over any number of broadcast arrays. */
export function nary(arrs: readonly Arr[], f: (...xs: number[]) => number): Arr {
  const shape = broadcastShape(...arrs.map((a) => a.shape));
  const data = Array.from({ length: size(shape) }, (_, i) => {
    const idx = unravel(i, shape);
    return f(...arrs.map((a) => readBroadcast(a, idx)));
  });
  return { shape, data };
}

/** `f(a, b)` elementwise with broadcasting. */
export function binary(a: Arr, b: Arr, f: (x: number, y: number) => number): Arr {
  return nary([a, b], f);
}

/** `f(x)` elementwise. */
export function map(a: Arr, f: (x: number) => number): Arr {
  return { shape: [...a.shape], data: a.data.map((x) => f(x)) };
}

/** `cond ? x : y` elementwise with broadcasting. */
export function where(cond: Arr, x: Arr, y: Arr): Arr {
  return nary([cond, x, y], (c, a, b) => (c ? a : b));
}

/** `a == b` as 0/1. */
export function equal(a: Arr, b: Arr): Arr {
  return binary(a, b, (x, y) => Number(x === y));
}

/** `a > b` as 0/1. */
export function greater(a: Arr, b: Arr): Arr {
  return binary(a, b, (x, y) => Number(x > y));
}

/** Numpy matmul: batch axes broadcast; a 1-D operand is a row (left) or column (right). */
export function matmul(a: Arr, b: Arr): Arr {
  const a2 = a.shape.length === 1 ? reshape(a, [1, a.shape[0]]) : a;
  const b2 = b.shape.length === 1 ? reshape(b, [b.shape[0], 1]) : b;
  const [m, k] = a2.shape.slice(-2);
  const [k2, n] = b2.shape.slice(-2);
  if (k !== k2) throw new Error(`matmul: ${k} vs ${k2}`);
  const batch = broadcastShape(a2.shape.slice(0, -2), b2.shape.slice(0, -2));
  const shape = [...batch, m, n];
  const data = Array.from({ length: size(shape) }, (_, i) => {
    const idx = unravel(i, shape);
    const [r, c] = idx.slice(-2);
    const bi = idx.slice(0, -2);
    let acc = 0;
    for (let j = 0; j < k; j++) {
      acc += readBroadcast(a2, [...bi, r, j]) * readBroadcast(b2, [...bi, j, c]);
    }
    return acc;
  });
  const out = { shape, data };
  const final = [...batch];
  if (a.shape.length > 1) final.push(m);
  if (b.shape.length > 1) final.push(n);
  return reshape(out, final);
}

/** Gemm options with the ONNX names and defaults. */
export interface GemmRef {
  alpha?: number;
  beta?: number;
  transA?: boolean;
  transB?: boolean;
}

/** `alpha * A' B' + beta * C` with C broadcast to `[M, N]`. */
export function gemm(a: Arr, b: Arr, c: Arr | undefined, o: GemmRef = {}): Arr {
  const ab = matmul(o.transA ? transpose(a) : a, o.transB ? transpose(b) : b);
  const scaled = map(ab, (x) => (o.alpha ?? 1) * x);
  return c ? binary(scaled, c, (x, y) => x + (o.beta ?? 1) * y) : scaled;
}

/** Permutes axes (reverses them by default). */
export function transpose(a: Arr, perm?: readonly number[]): Arr {
  const p = perm ?? a.shape.map((_, i) => a.shape.length - 1 - i);
  const shape = p.map((k) => a.shape[k]);
  const data = Array.from({ length: size(shape) }, (_, i) => {
    const idx = unravel(i, shape);
    const src: number[] = [];
    p.forEach((k, j) => (src[k] = idx[j]));
    return a.data[ravel(src, a.shape)];
  });
  return { shape, data };
}

/** Reshape with ONNX rules: 0 copies the input dim, one -1 is inferred. */
export function reshape(a: Arr, target: readonly number[]): Arr {
  const shape = target.map((d, i) => (d === 0 ? a.shape[i] : d));
  const hole = shape.indexOf(-1);
  if (hole >= 0) shape[hole] = size(a.shape) / -size(shape);
  if (size(shape) !== a.data.length) throw new Error(`reshape: [${a.shape}] to [${target}]`);
  return { shape, data: [...a.data] };
}

/** Reduction kinds. */
export type ReduceKind = "sum" | "mean" | "max";

/** Reduces over `axes` (all when empty). */
export function reduce(a: Arr, axes: readonly number[], kind: ReduceKind, keepdims = true): Arr {
  const rank = a.shape.length;
  const set = new Set(axes.length ? axes.map((x) => normAxis(x, rank)) : a.shape.keys());
  const kept = a.shape.map((d, k) => (set.has(k) ? 1 : d));
  const acc = new Array(size(kept)).fill(kind === "max" ? -Infinity : 0);
  a.data.forEach((x, i) => {
    const idx = unravel(i, a.shape).map((v, k) => (set.has(k) ? 0 : v));
    const j = ravel(idx, kept);
    acc[j] = kind === "max" ? Math.max(acc[j], x) : acc[j] + x;
  });
  const n = size(a.shape) / size(kept);
  const data = kind === "mean" ? acc.map((x) => x / n) : acc;
  const shape = keepdims ? kept : a.shape.filter((_, k) => !set.has(k));
  return { shape, data };
}

/** Index of the first maximum along `axis`. */
export function argmax(a: Arr, axis: number, keepdims = true): Arr {
  const ax = normAxis(axis, a.shape.length);
  const kept = a.shape.map((d, k) => (k === ax ? 1 : d));
  const data = Array.from({ length: size(kept) }, (_, j) => {
    const idx = unravel(j, kept);
    const at = (t: number) => a.data[ravel(idx.with(ax, t), a.shape)];
    let best = 0;
    for (let t = 1; t < a.shape[ax]; t++) if (at(t) > at(best)) best = t;
    return best;
  });
  return { shape: keepdims ? kept : a.shape.filter((_, k) => k !== ax), data };
}

/** Softmax along one axis. */
export function softmax(a: Arr, axis: number): Arr {
  const ax = normAxis(axis, a.shape.length);
  const m = reduce(a, [ax], "max");
  const e = binary(a, m, (x, y) => Math.exp(x - y));
  return binary(e, reduce(e, [ax], "sum"), (x, s) => x / s);
}

/** Log-softmax along one axis. */
export function logSoftmax(a: Arr, axis: number): Arr {
  const ax = normAxis(axis, a.shape.length);
  const m = reduce(a, [ax], "max");
  const shifted = binary(a, m, (x, y) => x - y);
  const lse = map(reduce(map(shifted, Math.exp), [ax], "sum"), Math.log);
  return binary(shifted, lse, (x, l) => x - l);
}

/** Gather along `axis`: out = data[:axis] ++ indices.shape ++ data[axis+1:]. */
export function gather(a: Arr, indices: Arr, axis = 0): Arr {
  const ax = normAxis(axis, a.shape.length);
  const ir = indices.shape.length;
  const shape = [...a.shape.slice(0, ax), ...indices.shape, ...a.shape.slice(ax + 1)];
  const data = Array.from({ length: size(shape) }, (_, i) => {
    const idx = unravel(i, shape);
    const t = indices.data[ravel(idx.slice(ax, ax + ir), indices.shape)];
    const src = [...idx.slice(0, ax), normAxis(t, a.shape[ax]), ...idx.slice(ax + ir)];
    return a.data[ravel(src, a.shape)];
  });
  return { shape, data };
}

/** GatherElements: out[idx] = data[idx with idx[axis] = indices[idx]]. */
export function gatherElements(a: Arr, indices: Arr, axis = 0): Arr {
  const ax = normAxis(axis, a.shape.length);
  const data = indices.data.map((t, i) => {
    const idx = unravel(i, indices.shape);
    idx[ax] = normAxis(t, a.shape[ax]);
    return a.data[ravel(idx, a.shape)];
  });
  return { shape: [...indices.shape], data };
}

/** ScatterElements with reduction "none" (later writes win), "add" or "mul". */
export function scatterElements(
  a: Arr,
  indices: Arr,
  updates: Arr,
  axis = 0,
  reduction: "none" | "add" | "mul" = "none",
): Arr {
  const ax = normAxis(axis, a.shape.length);
  const data = [...a.data];
  indices.data.forEach((t, i) => {
    const idx = unravel(i, indices.shape);
    idx[ax] = normAxis(t, a.shape[ax]);
    const j = ravel(idx, a.shape);
    const u = updates.data[i];
    data[j] = reduction === "add" ? data[j] + u : reduction === "mul" ? data[j] * u : u;
  });
  return { shape: [...a.shape], data };
}

/** Joins arrays along `axis`. */
export function concat(arrs: readonly Arr[], axis: number): Arr {
  const ax = normAxis(axis, arrs[0].shape.length);
  const shape = [...arrs[0].shape];
  shape[ax] = arrs.reduce((n, a) => n + a.shape[ax], 0);
  const data = Array.from({ length: size(shape) }, (_, i) => {
    const idx = unravel(i, shape);
    let part = 0;
    while (idx[ax] >= arrs[part].shape[ax]) idx[ax] -= arrs[part++].shape[ax];
    return arrs[part].data[ravel(idx, arrs[part].shape)];
  });
  return { shape, data };
}

/** Splits along `axis` into pieces of the given sizes. */
export function split(a: Arr, sizes: readonly number[], axis = 0): Arr[] {
  const ax = normAxis(axis, a.shape.length);
  let start = 0;
  return sizes.map((n) => {
    const piece = slice(a, [start], [start + n], [ax]);
    start += n;
    return piece;
  });
}

/** ONNX Slice: negative starts/ends count from the end, then clamp; steps may be negative. */
export function slice(
  a: Arr,
  starts: readonly number[],
  ends: readonly number[],
  axes?: readonly number[],
  steps?: readonly number[],
): Arr {
  const first = a.shape.map(() => 0);
  const step = a.shape.map(() => 1);
  const shape = [...a.shape];
  starts.forEach((s0, i) => {
    const ax = normAxis(axes ? axes[i] : i, a.shape.length);
    const dim = a.shape[ax];
    const st = steps ? steps[i] : 1;
    let s = s0 < 0 ? s0 + dim : s0;
    let e = ends[i] < 0 ? ends[i] + dim : ends[i];
    if (st > 0) {
      s = Math.min(Math.max(s, 0), dim);
      e = Math.min(Math.max(e, 0), dim);
    } else {
      s = Math.min(Math.max(s, 0), dim - 1);
      e = Math.min(Math.max(e, -1), dim - 1);
    }
    first[ax] = s;
    step[ax] = st;
    shape[ax] = Math.max(0, Math.ceil((e - s) / st));
  });
  const data = Array.from({ length: size(shape) }, (_, i) => {
    const idx = unravel(i, shape).map((v, k) => first[k] + v * step[k]);
    return a.data[ravel(idx, a.shape)];
  });
  return { shape, data };
}

/** Removes the listed size-1 axes (all size-1 axes when omitted). */
export function squeeze(a: Arr, axes?: readonly number[]): Arr {
  const set = new Set(axes?.map((x) => normAxis(x, a.shape.length)));
  const shape = a.shape.filter((d, k) => (axes ? !set.has(k) : d !== 1));
  return { shape, data: [...a.data] };
}

/** Inserts size-1 axes at the listed output positions. */
export function unsqueeze(a: Arr, axes: readonly number[]): Arr {
  const rank = a.shape.length + axes.length;
  const set = new Set(axes.map((x) => normAxis(x, rank)));
  const shape: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) shape.push(set.has(i) ? 1 : a.shape[k++]);
  return { shape, data: [...a.data] };
}

/** ONNX Expand: broadcasts `a` and `shape` together. */
export function expand(a: Arr, shape: readonly number[]): Arr {
  return nary([a, { shape: [...shape], data: new Array(size(shape)).fill(0) }], (x) => x);
}

/** Tolerances for `assertClose`: |actual - expected| <= atol + rtol * |expected|. */
export interface Tolerance {
  rtol: number;
  atol: number;
}

/** ONNX Pad in constant mode: `pads` = begins then ends; negative pads crop. */
export function pad(a: Arr, pads: readonly number[], value = 0): Arr {
  const r = a.shape.length;
  const shape = a.shape.map((d, i) => d + pads[i] + pads[i + r]);
  const data = new Array<number>(size(shape)).fill(value);
  for (let i = 0; i < data.length; i++) {
    const src = unravel(i, shape).map((k, ax) => k - pads[ax]);
    if (src.every((k, ax) => k >= 0 && k < a.shape[ax])) data[i] = a.data[ravel(src, a.shape)];
  }
  return { shape, data };
}

/**
 * Asserts two sequences have equal length and close elements (NaN matches NaN).
 *
 * @param actual Computed values (a typed array is fine; bigints are converted).
 * @param expected Reference values.
 * @param tol Relative and absolute tolerance.
 * @param label What is compared, for the message.
 */
export function assertClose(
  actual: ArrayLike<number | bigint>,
  expected: ArrayLike<number>,
  tol: Tolerance,
  label: string,
): void {
  assert.equal(actual.length, expected.length, `${label}: length differs`);
  const got = Array.from(actual, Number);
  const limit = (i: number) => tol.atol + tol.rtol * Math.abs(expected[i]);
  const close = (a: number, e: number, i: number) =>
    a === e || (Number.isNaN(a) && Number.isNaN(e)) || Math.abs(a - e) <= limit(i);
  const bad = got.flatMap((a, i) => (close(a, expected[i], i) ? [] : [i]));
  if (bad.length === 0) return;
  const [i] = bad;
  assert.fail(
    `${label}: ${bad.length} of ${got.length} elements differ; first at index ${i}: ` +
      `actual ${got[i]}, expected ${expected[i]} (|diff| ${Math.abs(got[i] - expected[i])}, ` +
      `tolerance ${limit(i)})`,
  );
}
