/**
 * Gradient rules of elementwise operators. Binary ops undo broadcasting with `unbroadcast`.
 *
 * @module
 */

import type { Value } from "../../graph/graph.ts";
import { constantScalar } from "../../ops/constant.ts";
import * as o from "../../ops/elementwise.ts";
import { type GradNode, type GradRule, input, single } from "../rule.ts";
import { unbroadcast } from "../unbroadcast.ts";

const c = (like: Value, value: number): Value => constantScalar(like.graph, like.dtype, value);
const x0 = (n: GradNode) => input(n, 0);
const x1 = (n: GradNode) => input(n, 1);
const y0 = (n: GradNode) => n.outputs[0];

// y = a + b: da = dy, db = dy (summed over broadcast axes)
export const addGrad: GradRule = single((
  n,
  dy,
) => [unbroadcast(dy, x0(n).shape), unbroadcast(dy, x1(n).shape)]);

// y = a - b: da = dy, db = -dy
export const subGrad: GradRule = single((
  n,
  dy,
) => [unbroadcast(dy, x0(n).shape), unbroadcast(o.neg(dy), x1(n).shape)]);

// y = a * b: da = dy * b, db = dy * a
export const mulGrad: GradRule = single((n, dy) => [
  unbroadcast(o.mul(dy, x1(n)), x0(n).shape),
  unbroadcast(o.mul(dy, x0(n)), x1(n).shape),
]);

// y = a / b: da = dy / b, db = -dy * y / b
export const divGrad: GradRule = single((n, dy) => {
  const da = o.div(dy, x1(n));
  return [unbroadcast(da, x0(n).shape), unbroadcast(o.neg(o.mul(da, y0(n))), x1(n).shape)];
});

// y = x ** p: dx = dy * p * x ** (p - 1), dp = dy * y * log(x) (float exponents only)
export const powGrad: GradRule = single((n, dy) => {
  const [x, p] = [x0(n), x1(n)];
  const pf = p.dtype === x.dtype ? p : o.cast(p, x.dtype);
  const dx = o.mul(dy, o.mul(pf, o.pow(x, o.sub(pf, c(pf, 1)))));
  const dp = p.dtype === x.dtype ? unbroadcast(o.mul(dy, o.mul(y0(n), o.log(x))), p.shape) : null;
  return [unbroadcast(dx, x.shape), dp];
});

// y = sum(x_i): dx_i = dy
export const sumGrad: GradRule = single((n, dy) =>
  n.inputs.map((x) => x && unbroadcast(dy, x.shape))
);

// y = -x: dx = -dy
export const negGrad: GradRule = single((_, dy) => [o.neg(dy)]);

// y = relu(x): dx = dy where x > 0, else 0
export const reluGrad: GradRule = single((
  n,
  dy,
) => [o.where(o.greater(x0(n), c(dy, 0)), dy, c(dy, 0))]);

// y = sigmoid(x): dx = dy * y * (1 - y)
export const sigmoidGrad: GradRule = single((
  n,
  dy,
) => [o.mul(dy, o.mul(y0(n), o.sub(c(dy, 1), y0(n))))]);

// y = tanh(x): dx = dy * (1 - y*y)
export const tanhGrad: GradRule = single((
  n,
  dy,
) => [o.mul(dy, o.sub(c(dy, 1), o.mul(y0(n), y0(n))))]);

// y = erf(x): dx = dy * 2/sqrt(pi) * exp(-x*x)
export const erfGrad: GradRule = single((n, dy) => {
  const x = input(n, 0);
  return [o.mul(dy, o.mul(c(dy, 2 / Math.sqrt(Math.PI)), o.exp(o.neg(o.mul(x, x)))))];
});

// y = exp(x): dx = dy * y
export const expGrad: GradRule = single((n, dy) => [o.mul(dy, y0(n))]);

// y = log(x): dx = dy / x
export const logGrad: GradRule = single((n, dy) => [o.div(dy, x0(n))]);

// y = sqrt(x): dx = dy / (2 y)
export const sqrtGrad: GradRule = single((n, dy) => [o.div(dy, o.mul(c(dy, 2), y0(n)))]);

// y = 1 / x: dx = -dy * y*y
export const reciprocalGrad: GradRule = single((n, dy) => [o.neg(o.mul(dy, o.mul(y0(n), y0(n))))]);

// y = x: dx = dy
export const identityGrad: GradRule = single((_, dy) => [dy]);

// y = cast(x): dx = cast(dy) back to x's float type (no gradient into integers or bools)
export const castGrad: GradRule = single((n, dy) => {
  const x = x0(n);
  return [x.dtype === "float32" || x.dtype === "float64" ? o.cast(dy, x.dtype) : null];
});

// y = where(c, a, b): da = dy where c, db = dy where not c
export const whereGrad: GradRule = single((n, dy) => {
  const [cond, a, b] = [input(n, 0), input(n, 1), input(n, 2)];
  const zero = c(dy, 0);
  return [
    null,
    unbroadcast(o.where(cond, dy, zero), a.shape),
    unbroadcast(o.where(cond, zero, dy), b.shape),
  ];
});
