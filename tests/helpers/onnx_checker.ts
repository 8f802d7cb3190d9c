/**
 * The reference ONNX checker (Debian's python3-onnx, onnx 1.12) as a test oracle: full
 * model check plus strict shape inference, whose inferred types are compared with onnx-lm's.
 *
 * Test-only: onnx-lm itself never runs Python. Where the checker is missing, tests that need
 * it are skipped with a loud warning, except under CI (`CI` set), where `.ci/run` installs it
 * and a missing checker is a failure.
 *
 * @module
 */

import { loadGraph } from "../../src/graph/mod.ts";
import { formatShape, shapesCompatible } from "../../src/graph/value.ts";
import type { Dim } from "../../src/onnx/model.ts";
import { ONNX_DATA_TYPE } from "../../src/onnx/dtype.ts";

const PYTHON = "/usr/bin/python3";

const SCRIPT = `
import json, sys
import onnx
from onnx import checker, shape_inference
results = []
for path in json.load(sys.stdin):
    try:
        model = onnx.load(path)
        checker.check_model(model, full_check=True)
        inferred = shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
        types = {}
        for vi in list(inferred.graph.value_info) + list(inferred.graph.output):
            tt = vi.type.tensor_type
            dims = None
            if tt.HasField("shape"):
                dims = [d.dim_value if d.HasField("dim_value") else None for d in tt.shape.dim]
            types[vi.name] = {"elem_type": tt.elem_type, "dims": dims}
        results.append({"ok": True, "types": types})
    except Exception as e:
        results.append({"ok": False, "error": str(e).strip().splitlines()[0] if str(e).strip() else repr(e)})
json.dump(results, sys.stdout)
`;

async function detect(): Promise<boolean> {
  try {
    const out = await new Deno.Command(PYTHON, { args: ["-c", "import onnx"], stderr: "null" })
      .output();
    return out.success;
  } catch {
    return false;
  }
}

/** Whether the reference checker can run here. */
export const checkerAvailable: boolean = await detect();

/** Whether tests must not skip the checker (CI). */
export const checkerRequired: boolean = Deno.env.get("CI") !== undefined;

/** A model for the checker: a label for messages and the file bytes. */
export interface ModelToCheck {
  readonly label: string;
  readonly bytes: Uint8Array;
}

/**
 * Runs the reference checker on models; throws listing every model it rejects, or whose
 * inferred dtypes/static dims disagree with onnx-lm's own inference.
 *
 * @param models Models to check.
 */
export async function referenceCheck(models: readonly ModelToCheck[]): Promise<void> {
  if (models.length === 0) return;
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-check-" });
  try {
    const paths: string[] = [];
    for (const [i, m] of models.entries()) {
      const path = `${dir}/${i}.onnx`;
      await Deno.writeFile(path, m.bytes);
      paths.push(path);
    }
    const child = new Deno.Command(PYTHON, {
      args: ["-c", SCRIPT],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(JSON.stringify(paths)));
    await writer.close();
    const out = await child.output();
    if (!out.success) {
      throw new Error(`The reference checker crashed: ${new TextDecoder().decode(out.stderr)}`);
    }
    const results = JSON.parse(new TextDecoder().decode(out.stdout)) as CheckResult[];
    const problems: string[] = [];
    results.forEach((r, i) => {
      const label = models[i].label;
      if (!r.ok) problems.push(`${label}: ${r.error}`);
      else problems.push(...compareTypes(label, models[i].bytes, r.types));
    });
    if (problems.length) {
      throw new Error(`The reference ONNX checker disagrees:\n  ${problems.join("\n  ")}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

type CheckResult =
  | { ok: true; types: Record<string, { elem_type: number; dims: (number | null)[] | null }> }
  | { ok: false; error: string };

function compareTypes(
  label: string,
  bytes: Uint8Array,
  types: Record<string, { elem_type: number; dims: (number | null)[] | null }>,
): string[] {
  const g = loadGraph(bytes, label);
  const problems: string[] = [];
  for (const [name, t] of Object.entries(types)) {
    const ours = g.values.get(name);
    if (!ours) continue;
    if (ONNX_DATA_TYPE[ours.dtype] !== t.elem_type) {
      problems.push(`${label}: "${name}" is ${ours.dtype} here, ONNX type ${t.elem_type} there`);
    }
    if (t.dims === null) continue;
    // Symbolic dims are compared only where ONNX inferred a static size.
    const theirs: Dim[] = t.dims.map((d, i) => d ?? (ours.shape[i] ?? null));
    if (!shapesCompatible(ours.shape, theirs)) {
      problems.push(
        `${label}: "${name}" has shape ${formatShape(ours.shape)} here, ${
          formatShape(t.dims)
        } there`,
      );
    }
  }
  return problems;
}

/**
 * Registers a test that runs the reference checker on `models` (read when the test runs, so
 * tests registered before it may fill the list).
 *
 * @param name Test name.
 * @param models The list to check.
 */
export function referenceCheckTest(name: string, models: ModelToCheck[]): void {
  if (!checkerAvailable) {
    if (checkerRequired) {
      Deno.test(name, () => {
        throw new Error(
          `The reference ONNX checker is required under CI: ${PYTHON} cannot import onnx (apt-get install python3-onnx)`,
        );
      });
      return;
    }
    console.warn(
      `\n!!! SKIPPING "${name}": the reference ONNX checker is missing ` +
        `(apt-get install python3-onnx gives ${PYTHON} the onnx module)\n`,
    );
  }
  Deno.test({
    name,
    ignore: !checkerAvailable,
    fn: async () => {
      await referenceCheck(models.splice(0));
    },
  });
}
