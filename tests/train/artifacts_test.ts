import { checkGradArtifact } from "../helpers/grad_artifact_fd.ts";
import assert from "node:assert/strict";
import { LMModel6 } from "../../models/lm_model6.ts";
import { LMModel7 } from "../../models/lm_model7.ts";
import { saveGraph } from "../../src/graph/mod.ts";
import { type Tensor, tensor } from "../../src/onnx/mod.ts";
import { Random } from "../../src/nn/random.ts";
import { buildArtifacts } from "../../src/train/artifacts.ts";
import { Session } from "../../src/runtime/session.ts";
import { type ModelToCheck, referenceCheckTest } from "../helpers/onnx_checker.ts";
import { dropoutMask } from "../../src/nn/dropout.ts";

const checked: ModelToCheck[] = [];

Deno.test("artifacts have the documented inputs and outputs", () => {
  const a = buildArtifacts(new LMModel7(30, 64, 2, 0.4), {
    batchSize: 64,
    seqLen: 16,
    ar: 2,
    tar: 1,
    pack: false,
  });
  const names = (vs: readonly { name: string }[]) => vs.map((v) => v.name);
  const params = [
    "i_h.weight",
    ...[0, 1].flatMap((l) =>
      ["weight_ih", "weight_hh", "bias_ih", "bias_hh"].map((w) => `rnn.${w}_l${l}`)
    ),
    "h_o.bias", // h_o.weight is i_h.weight: stored once
  ];
  assert.deepEqual(a.spec.params.map((p) => p.name), params);
  assert.deepEqual(a.spec.params.filter((p) => !p.decay).map((p) => p.name), ["h_o.bias"]);
  assert.deepEqual(names(a.train.inputs), [
    ...params,
    "tokens",
    "h",
    "c",
    "drop.mask",
    "targets",
    "lr",
    "mom",
    "step",
    ...params.flatMap((p) => [`adam.m.${p}`, `adam.v.${p}`]),
  ]);
  assert.deepEqual(names(a.train.outputs), [
    "loss",
    ...params.map((p) => `${p}_out`),
    ...params.flatMap((p) => [`adam.m.${p}_out`, `adam.v.${p}_out`]),
    "h_out",
    "c_out",
  ]);
  assert.deepEqual(names(a.grad.outputs), [
    "loss",
    "loss_total",
    ...params.map((p) => `grad.${p}`),
    "h_out",
    "c_out",
  ]);
  assert.deepEqual(names(a.eval.inputs), [...params, "tokens", "h", "c", "targets"]);
  assert.deepEqual(names(a.eval.outputs), ["loss_sum", "correct", "h_out", "c_out"]);
  assert.deepEqual(names(a.infer.outputs), ["logits", "h_out", "c_out"]);
  assert.deepEqual(a.infer.value("logits").shape, ["batch", 16, 30]);
  assert.deepEqual(a.train.value("h").shape, [2, 64, 64]);
  assert.deepEqual(
    a.spec.carried.map((c) => c.name),
    [...params, ...params.flatMap((p) => [`adam.m.${p}`, `adam.v.${p}`])],
  );
  assert.ok(a.spec.carried.every((c) => c.parts.length === 1 && c.parts[0].name === c.name));

  // Packed (the default off WebGPU): the train graph takes one flat tensor per decay group.
  const packed = buildArtifacts(new LMModel7(30, 64, 2, 0.4), {
    batchSize: 64,
    seqLen: 16,
    ar: 2,
    tar: 1,
  });
  const groups = ["packed:decayed", "packed:undecayed"];
  const states = groups.flatMap((g) => [`adam.m.${g}`, `adam.v.${g}`]);
  assert.deepEqual(names(packed.train.inputs), [
    ...groups,
    "tokens",
    "h",
    "c",
    "drop.mask",
    "targets",
    "lr",
    "mom",
    "step",
    ...states,
  ]);
  assert.deepEqual(names(packed.train.outputs), [
    "loss",
    ...groups.map((g) => `${g}_out`),
    ...states.map((s) => `${s}_out`),
    "h_out",
    "c_out",
  ]);
  // The other graphs and the checkpoint names stay per parameter.
  assert.deepEqual(packed.spec.params, a.spec.params);
  assert.deepEqual(packed.spec.optimizerState, a.spec.optimizerState);
  assert.deepEqual(names(packed.grad.inputs), names(a.grad.inputs));
  assert.deepEqual(names(packed.eval.inputs), names(a.eval.inputs));
  const decayed = packed.spec.carried[0];
  const sizes = a.spec.params.filter((p) => p.decay).map((p) => p.shape.reduce((x, y) => x * y));
  assert.deepEqual(decayed.shape, [sizes.reduce((x, y) => x + y)]);
  assert.deepEqual(
    decayed.parts.map((p) => [p.name, p.offset]),
    params.slice(0, -1).map((p, i) => [p, sizes.slice(0, i).reduce((x, y) => x + y, 0)]),
  );
  assert.deepEqual(
    packed.spec.carried.find((c) => c.name === "adam.v.packed:undecayed")!.parts
      .map((p) => [p.name, p.offset]),
    [["adam.v.h_o.bias", 0]],
  );
  for (
    const [kind, g] of Object.entries({
      train: a.train,
      grad: a.grad,
      eval: a.eval,
      infer: a.infer,
    })
  ) {
    checked.push({ label: `lm7 ${kind}`, bytes: saveGraph(g) });
  }
  const six = buildArtifacts(new LMModel6(30, 64, 2), { batchSize: 64, seqLen: 16 });
  for (
    const [kind, g] of Object.entries({
      train: six.train,
      grad: six.grad,
      eval: six.eval,
      infer: six.infer,
    })
  ) {
    checked.push({ label: `lm6 ${kind}`, bytes: saveGraph(g) });
  }
});

Deno.test("the training graph's size grows linearly with sequence length", () => {
  const count = (seqLen: number) =>
    buildArtifacts(new LMModel6(30, 8, 2), { batchSize: 4, seqLen }).train.nodes.length;
  const [n4, n8, n16, n32] = [count(4), count(8), count(16), count(32)];
  // Linear up to the Concat/Split trees that keep nodes within WebGPU's buffer limit (one
  // more node per 6 or 7 steps each); per step, about 42 nodes a layer.
  const steps = [(n8 - n4) / 4, (n16 - n8) / 8, (n32 - n16) / 16];
  assert.ok(
    Math.max(...steps) - Math.min(...steps) <= 5,
    `node counts ${n4}, ${n8}, ${n16}, ${n32} are not linear in T`,
  );
  assert.ok(Math.max(...steps) <= 2 * 45, `${steps} nodes per time step for 2 layers`);
});

// The end-to-end check of the issue: a 2-layer LSTM over 4 time steps with weight tying,
// dropout, cross-entropy, AR and TAR; every parameter's gradient from the grad artifact
// against central differences of `loss_total`, in float64.
Deno.test("grad artifact of a 2-layer LSTM with AR and TAR matches finite differences", async () => {
  const model = new LMModel7(7, 3, 2, 0.4);
  const a = buildArtifacts(model, { batchSize: 2, seqLen: 4, ar: 2, tar: 1, dtype: "float64" });
  const bytes = saveGraph(a.grad);
  checked.push({ label: "lm7 float64 grad", bytes });
  const session = await Session.create(bytes, { threads: 1 });
  const rng = new Random(7);
  const init = model.initParameters(3);
  const feeds: Record<string, Tensor> = {};
  for (const p of a.spec.params) {
    feeds[p.name] = tensor("float64", p.shape, Float64Array.from(init.get(p.name)!));
  }
  for (const s of a.spec.state) {
    feeds[s.name] = tensor(
      "float64",
      s.shape,
      Float64Array.from({ length: 12 }, () => rng.uniform(-0.5, 0.5)),
    );
  }
  const mask = dropoutMask(rng, 2 * 4 * 3, a.spec.masks[0].p, "float64");
  assert.ok(mask.includes(0), "the mask should drop something");
  feeds["drop.mask"] = tensor("float64", [2, 4, 3], mask);
  feeds.tokens = tensor("int64", [2, 4], [1n, 2n, 3n, 1n, 6n, 0n, 0n, 5n]);
  feeds.targets = tensor("int64", [2, 4], [2n, 3n, 1n, 4n, 0n, 0n, 5n, 1n]);
  try {
    const out = await session.run(feeds);
    assert.ok(
      (out.loss_total.data[0] as number) > (out.loss.data[0] as number),
      "AR/TAR add to the loss",
    );
    const checkedElements = await checkGradArtifact(session, feeds, a.spec.params, out);
    assert.equal(checkedElements, 7 * 3 + 2 * (12 * 3 * 2 + 24) + 7);
  } finally {
    await session.release();
  }
});

referenceCheckTest("every training artifact passes the reference ONNX checker", checked);

Deno.test("graphs built for WebGPU use only ops its EP has kernels for; CPU graphs keep LogSoftmax and split in one node", () => {
  const kinds = ["train", "grad", "eval"] as const;
  const adaptive = { kind: "adaptive", cutoffs: [10, 25], divValue: 2 } as const;
  for (
    const [webgpu, softmax] of [[false, undefined], [true, undefined], [true, adaptive]] as const
  ) {
    const a = buildArtifacts(new LMModel7(40, 8, 2, 0.4, softmax), {
      batchSize: 4,
      seqLen: 9,
      ar: 2,
      tar: 1,
      webgpu,
    });
    for (const kind of kinds) {
      const g = a[kind];
      const ops = new Set(g.nodes.map((n) => n.opType));
      const label = `${kind}, webgpu ${webgpu}${softmax ? ", adaptive softmax" : ""}`;
      assert.equal(ops.has("LogSoftmax"), !webgpu, `${label}: LogSoftmax`);
      assert.equal(ops.has("Sum"), false, `${kind}: Sum has no WebGPU kernel`);
      const widest = Math.max(...g.nodes.map((n) => n.inputs.length + n.outputs.length));
      // 9 steps: WebGPU's graphs split and join them in trees; the others in one node each.
      if (webgpu) assert.ok(widest <= 8, `${kind}: a node binds ${widest} tensors`);
      else assert.ok(widest >= 10, `${kind}: the widest node binds ${widest} tensors`);
      for (const n of g.nodes) {
        if (n.opType === "Equal" || n.opType === "Greater") {
          assert.notEqual(g.value(n.inputs[0]).dtype, "int64", `${kind}: int64 ${n.opType}`);
        }
      }
    }
  }
});
