// Gradient clipping by the global norm: the factor and the norm on known gradients, and a train
// graph whose SGD step moves each parameter by the clipped gradient of the grad graph.
import assert from "node:assert/strict";
import { LMModel6 } from "../../models/lm_model6.ts";
import { Graph } from "../../src/graph/mod.ts";
import { Random } from "../../src/nn/random.ts";
import { type Tensor, tensor } from "../../src/onnx/mod.ts";
import { clipGradNorm } from "../../src/optim/clip_grad_norm.ts";
import { buildArtifacts } from "../../src/train/artifacts.ts";
import { runArtifact } from "../helpers/artifact_feeds.ts";

const runGraph = (g: Graph, feeds: Record<string, Tensor>) => runArtifact(g.name, g, feeds);

Deno.test("clipGradNorm() scales every gradient by min(1, max / (norm + 1e-6)) and reports the norm", async () => {
  for (const [maxNorm, scale] of [[1, 1 / (13 + 1e-6)], [100, 1]] as const) {
    const g = new Graph("clip");
    const a = g.input("a", "float64", [2]);
    const b = g.input("b", "float64", [1, 1]);
    const clipped = clipGradNorm([a, b], maxNorm);
    g.output(clipped.grads[0], "a_out");
    g.output(clipped.grads[1], "b_out");
    g.output(clipped.norm, "norm");
    assert.ok(!g.nodes.some((n) => n.opType === "Sum"), "no Sum node (WebGPU has no kernel)");
    const out = await runGraph(g, {
      a: tensor("float64", [2], [3, 4]),
      b: tensor("float64", [1, 1], [12]),
    });
    assert.equal(out.norm.data[0], 13);
    assert.deepEqual([...out.a_out.data as Float64Array], [3 * scale, 4 * scale]);
    assert.deepEqual([...out.b_out.data as Float64Array], [12 * scale]);
  }
  assert.throws(() => clipGradNorm([], 1), /at least one gradient/);
  const g = new Graph("bad");
  assert.throws(
    () => clipGradNorm([g.input("x", "float32", [1])], 0),
    /positive finite maxNorm: got 0/,
  );
});

Deno.test("a train graph with clipGradNorm steps by the grad graph's gradients, clipped (float64, SGD)", async () => {
  const model = new LMModel6(9, 4, 1);
  const maxNorm = 1e-3;
  const options = { batchSize: 2, seqLen: 3, dtype: "float64", pack: false, lossChunk: 0 } as const;
  const a = buildArtifacts(model, {
    ...options,
    optimizer: { kind: "sgd" },
    clipGradNorm: maxNorm,
  });
  const rng = new Random(2);
  const init = model.initParameters(1);
  const feeds: Record<string, Tensor> = {
    tokens: tensor(
      "int64",
      [2, 3],
      Array.from({ length: 6 }, () => BigInt(Math.floor(rng.next() * 9))),
    ),
    targets: tensor(
      "int64",
      [2, 3],
      Array.from({ length: 6 }, () => BigInt(Math.floor(rng.next() * 9))),
    ),
    lr: tensor("float64", [], [0.5]),
    mom: tensor("float64", [], [0]),
  };
  for (const s of model.state) {
    feeds[s.name] = tensor(
      "float64",
      [s.layers, 2, s.hidden],
      Float64Array.from({ length: s.layers * 2 * s.hidden }, () => rng.uniform(-0.5, 0.5)),
    );
  }
  for (const p of a.spec.params) {
    feeds[p.name] = tensor("float64", p.shape, Float64Array.from(init.get(p.name)!));
    feeds[`sgd.buf.${p.name}`] = tensor(
      "float64",
      p.shape,
      new Float64Array(p.shape.reduce((x, y) => x * y, 1)),
    );
  }
  const grads = await runGraph(a.grad, feeds);
  const stepped = await runGraph(a.train, feeds);
  let squares = 0;
  for (const p of a.spec.params) {
    for (const v of grads[`grad.${p.name}`].data as Float64Array) squares += v * v;
  }
  const norm = Math.sqrt(squares);
  assert.ok(norm > 100 * maxNorm, `the gradients are clipped here (norm ${norm})`);
  const scale = maxNorm / (norm + 1e-6);
  for (const p of a.spec.params) {
    const before = feeds[p.name].data as Float64Array;
    const g = grads[`grad.${p.name}`].data as Float64Array;
    const after = stepped[`${p.name}_out`].data as Float64Array;
    after.forEach((v, i) => {
      const want = before[i] - 0.5 * g[i] * scale;
      assert.ok(
        Math.abs(v - want) <= 1e-15 + 1e-12 * Math.abs(want),
        `${p.name}[${i}]: ${v} vs ${want}`,
      );
    });
  }
});
