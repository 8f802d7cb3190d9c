import assert from "node:assert/strict";
import {
  attrs,
  boolAttr,
  floatAttr,
  Graph,
  GraphBuildError,
  intAttr,
  intsAttr,
  isStaticShape,
  normAxis,
  op,
  readAttribute,
  readFloat,
  readInt,
  readInts,
  readString,
  stringAttr,
  tensorAttr,
} from "../../src/graph/mod.ts";
import type { Attributes } from "../../src/onnx/model.ts";
import { tensor } from "../../src/onnx/tensor.ts";
import * as ops from "../../src/ops/mod.ts";

Deno.test("the writers leave out undefined values and spec defaults, and keep the rest", () => {
  assert.equal(intAttr(undefined, 0), undefined);
  assert.equal(intAttr(0, 0), undefined);
  assert.deepEqual(intAttr(2, 0), { type: "int", value: 2 });
  assert.deepEqual(intAttr(-1), { type: "int", value: -1 }, "no default: always written");
  assert.deepEqual(intAttr(0), { type: "int", value: 0 });
  assert.equal(floatAttr(1, 1), undefined);
  assert.deepEqual(floatAttr(0.5, 1), { type: "float", value: 0.5 });
  assert.equal(stringAttr("none", "none"), undefined);
  assert.deepEqual(stringAttr("add", "none"), { type: "string", value: "add" });
  assert.equal(intsAttr([], []), undefined);
  assert.equal(intsAttr([1, 2], [1, 2]), undefined);
  assert.deepEqual(intsAttr([1], []), { type: "ints", value: [1] });
  assert.deepEqual(intsAttr([2, 1], [1, 2]), { type: "ints", value: [2, 1] });
  assert.equal(intsAttr(undefined), undefined);
  const t = tensor("float32", [1], [3]);
  assert.deepEqual(tensorAttr(t), { type: "tensor", value: t });
});

Deno.test("boolAttr() writes flags as ints 0 and 1, leaving out the default", () => {
  assert.equal(boolAttr(undefined, false), undefined);
  assert.equal(boolAttr(false, false), undefined);
  assert.deepEqual(boolAttr(true, false), { type: "int", value: 1 });
  assert.equal(boolAttr(true, true), undefined);
  assert.deepEqual(boolAttr(false, true), { type: "int", value: 0 });
});

Deno.test("attrs() drops the attributes a writer left out", () => {
  const a = attrs({ axis: intAttr(0, 0), keepdims: boolAttr(false, true), perm: intsAttr([1, 0]) });
  assert.deepEqual(a, {
    keepdims: { type: "int", value: 0 },
    perm: { type: "ints", value: [1, 0] },
  });
  assert.deepEqual(attrs({}), {});
});

Deno.test("the op builders write only what differs from the spec", () => {
  const g = new Graph("g");
  const x = g.input("x", "float32", [2, 3]);
  const node = (v: { name: string }) => g.producer(v.name)!;
  assert.deepEqual(node(ops.gemm(x, x, null, { transB: true, alpha: 1 })).attributes, {
    transB: { type: "int", value: 1 },
  });
  assert.deepEqual(node(ops.reduceMean(x, [], { keepdims: true })).attributes, {});
  assert.deepEqual(node(ops.reduceMean(x, [1], { keepdims: false })).attributes, {
    axes: { type: "ints", value: [1] },
    keepdims: { type: "int", value: 0 },
  });
  // Softmax keeps its axis even at the default -1 (see softmax()).
  assert.deepEqual(node(ops.softmax(x)).attributes, { axis: { type: "int", value: -1 } });
});

const a: Attributes = {
  axis: { type: "int", value: 1 },
  alpha: { type: "float", value: 0.5 },
  mode: { type: "string", value: "reflect" },
  perm: { type: "ints", value: [1, 0] },
};

Deno.test("the readers return the attribute, or the fallback when it is absent", () => {
  assert.equal(readInt(a, "axis", 0), 1);
  assert.equal(readInt(a, "keepdims", 1), 1);
  assert.equal(readFloat(a, "alpha", 1), 0.5);
  assert.equal(readFloat(a, "beta", 1), 1);
  assert.equal(readString(a, "mode", "constant"), "reflect");
  assert.equal(readString(a, "reduction", "none"), "none");
  assert.deepEqual(readInts(a, "perm", []), [1, 0]);
  assert.deepEqual(readInts(a, "axes", [0, 1]), [0, 1]);
  assert.equal(readAttribute(a, "axis", "int"), 1);
  assert.equal(readAttribute(a, "value", "tensor"), undefined);
});

Deno.test("the readers refuse an attribute of another type, naming it and both types", () => {
  assert.throws(() => readInt(a, "alpha", 1), {
    name: "GraphBuildError",
    message: `Attribute "alpha" must be of type int: got float`,
  });
  assert.throws(() => readFloat(a, "axis", 1), {
    message: `Attribute "axis" must be of type float: got int`,
  });
  assert.throws(() => readInts(a, "axis", []), {
    message: `Attribute "axis" must be of type ints: got int`,
  });
  assert.throws(() => readString(a, "perm", "none"), (e: Error) => {
    assert.ok(e instanceof GraphBuildError);
    assert.equal(e.message, `Attribute "perm" must be of type string: got ints`);
    return true;
  });
  assert.throws(() => readInt(a, "mode", 0, `Cannot build "Pad"`), {
    message: `Cannot build "Pad": attribute "mode" must be of type int: got string`,
  });
});

Deno.test("op() reports an attribute of another type with the node's prefix", () => {
  const g = new Graph("g");
  const x = g.input("x", "float32", [2, 3]);
  const idx = g.input("idx", "int64", [4]);
  assert.throws(() => op(g, "Gather", [x, idx], attrs({ axis: floatAttr(1) })), {
    name: "GraphBuildError",
    message: `Cannot build "Gather": attribute "axis" must be of type int: got float`,
  });
});

Deno.test("isStaticShape() is true only when every dimension is a number", () => {
  assert.equal(isStaticShape([]), true);
  assert.equal(isStaticShape([2, 3]), true);
  assert.equal(isStaticShape(["batch", 3]), false);
  assert.equal(isStaticShape([2, null]), false);
  const shape: readonly (number | string | null)[] = [4, 5];
  if (isStaticShape(shape)) {
    const size: number = shape.reduce((p, d) => p * d, 1); // narrowed to numbers
    assert.equal(size, 20);
  } else assert.fail("a static shape");
});

Deno.test("normAxis() makes negative axes non-negative", () => {
  assert.equal(normAxis(0, 3), 0);
  assert.equal(normAxis(2, 3), 2);
  assert.equal(normAxis(-1, 3), 2);
  assert.equal(normAxis(-3, 3), 0);
});

Deno.test("normAxis() refuses an axis outside [-rank, rank - 1], naming the axis and rank", () => {
  for (const [axis, rank] of [[3, 3], [-4, 3], [0, 0], [1.5, 3]]) {
    assert.throws(() => normAxis(axis, rank), {
      name: "RangeError",
      message: `Axis ${axis} is out of range for rank ${rank}: expected an integer in [${-rank}, ${
        rank - 1
      }]`,
    });
  }
  assert.throws(() => normAxis(3, 3), {
    message: "Axis 3 is out of range for rank 3: expected an integer in [-3, 2]",
  });
});
