/**
 * Numpy-style (ONNX "multidirectional") broadcasting of static and symbolic shapes.
 *
 * @module
 */

import type { Dim } from "../value.ts";
import { formatShape } from "../value.ts";

/**
 * The broadcast of several shapes, or an error message when they cannot broadcast.
 *
 * Dimensions are aligned from the right; a 1 stretches to the other size. A symbolic
 * dimension meets a static one > 1 as that static size (the runtime must agree), and two
 * different symbols are refused because nothing proves they are equal.
 *
 * @param shapes The shapes.
 * @returns The broadcast shape, or a string saying why there is none.
 */
export function broadcastShapes(shapes: readonly (readonly Dim[])[]): Dim[] | string {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let k = 0; k < rank; k++) {
    let dim: Dim = 1;
    for (const s of shapes) {
      const d = s[s.length - rank + k] ?? 1;
      const merged = mergeDims(dim, d);
      if (merged === undefined) {
        return `shapes ${shapes.map(formatShape).join(" and ")} do not broadcast ` +
          `(dimension ${k - rank}: ${String(dim)} vs ${String(d)})`;
      }
      dim = merged;
    }
    out.push(dim);
  }
  return out;
}

function mergeDims(a: Dim, b: Dim): Dim | undefined {
  if (a === b) return a;
  if (a === 1) return b;
  if (b === 1) return a;
  if (a === null) return b;
  if (b === null) return a;
  if (typeof a === "number" && typeof b === "number") return undefined;
  if (typeof a === "string" && typeof b === "string") return undefined;
  return typeof a === "number" ? a : b;
}

/**
 * Whether `from` broadcasts to exactly `to` ("unidirectional" broadcasting, as Gemm's C).
 *
 * @param from The smaller shape.
 * @param to The target shape.
 * @returns True when it does.
 */
export function broadcastsTo(from: readonly Dim[], to: readonly Dim[]): boolean {
  if (from.length > to.length) return false;
  const out = broadcastShapes([from, to]);
  return typeof out !== "string" && out.every((d, i) => d === to[i] || to[i] === null);
}
