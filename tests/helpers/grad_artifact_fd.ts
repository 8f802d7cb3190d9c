/**
 * Test helper: every parameter element's gradient from a float64 `grad` artifact against the
 * central difference of its `loss_total`, in one open session.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type Tensor, tensor } from "../../src/onnx/tensor.ts";
import type { Session } from "../../src/runtime/session.ts";

/**
 * Checks `grad.<name>` of every parameter against `(loss(p + eps) - loss(p - eps)) / 2 eps`
 * (eps 1e-6; tolerance 1e-8 + 1e-6 relative).
 *
 * @param session A session over the grad artifact.
 * @param feeds Its feeds (float64 parameters among them).
 * @param params The parameters' names.
 * @param out The artifact's outputs at `feeds`.
 * @returns How many elements were checked.
 */
export async function checkGradArtifact(
  session: Session,
  feeds: Readonly<Record<string, Tensor>>,
  params: readonly { readonly name: string }[],
  out: Readonly<Record<string, Tensor>>,
): Promise<number> {
  const total = async (name: string, i: number, delta: number) => {
    const data = (feeds[name].data as Float64Array).slice();
    data[i] += delta;
    const moved = { ...feeds, [name]: tensor("float64", feeds[name].dims, data) };
    return (await session.run(moved, ["loss_total"])).loss_total.data[0] as number;
  };
  let elements = 0;
  for (const p of params) {
    const analytic = out[`grad.${p.name}`].data as Float64Array;
    for (let i = 0; i < analytic.length; i++) {
      const eps = 1e-6;
      const numeric = ((await total(p.name, i, eps)) - (await total(p.name, i, -eps))) /
        (2 * eps);
      assert.ok(
        Math.abs(analytic[i] - numeric) <= 1e-8 + 1e-6 * Math.abs(numeric),
        `d loss_total / d ${p.name}[${i}]: analytic ${analytic[i]}, numeric ${numeric}`,
      );
      elements++;
    }
  }
  return elements;
}
