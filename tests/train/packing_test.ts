import assert from "node:assert/strict";
import { LMModel1 } from "../../models/lm_model1.ts";
import { LMModel6 } from "../../models/lm_model6.ts";
import { LMModel7 } from "../../models/lm_model7.ts";
import { sequenceLoaders, threeTokenLoaders } from "../../src/data/pipelines.ts";
import type { Batch } from "../../src/data/batches.ts";
import type { LanguageModel } from "../../src/nn/language_model.ts";
import type { Tensor } from "../../src/onnx/tensor.ts";
import { oneCycle } from "../../src/optim/one_cycle.ts";
import { type ArtifactOptions, buildArtifacts } from "../../src/train/artifacts.ts";
import { Runner } from "../../src/train/runner.ts";
import { PACK_LIMIT, packsByDefault } from "../../src/train/packing.ts";

interface Trained {
  readonly losses: number[];
  readonly valid: number;
  readonly tensors: Map<string, Tensor>;
  readonly inputs: string[];
}

async function train(
  model: LanguageModel,
  batches: readonly Batch[],
  options: ArtifactOptions,
  steps: number,
): Promise<Trained> {
  const artifacts = buildArtifacts(model, options);
  const runner = await Runner.create(artifacts, model.initParameters(3), { seed: 3 });
  const schedule = oneCycle({ lrMax: 1e-2, totalSteps: steps, moms: [0.95, 0.85, 0.95] });
  try {
    const losses: number[] = [];
    for (let i = 0; i < steps; i++) {
      const { lr, mom } = schedule(i);
      losses.push(await runner.trainStep(batches[i % batches.length], lr, mom));
    }
    runner.resetState();
    const r = await runner.evalStep(batches[0]);
    return {
      losses,
      valid: r.lossSum / r.count,
      tensors: runner.tensors(),
      inputs: artifacts.train.inputs.map((v) => v.name),
    };
  } finally {
    await runner.release();
  }
}

function assertSameBits(packed: Trained, unpacked: Trained, what: string): void {
  assert.deepEqual(packed.losses, unpacked.losses, `${what}: losses`);
  assert.equal(packed.valid, unpacked.valid, `${what}: validation loss`);
  assert.deepEqual([...packed.tensors.keys()], [...unpacked.tensors.keys()], `${what}: names`);
  for (const [name, t] of unpacked.tensors) {
    const p = packed.tensors.get(name)!;
    assert.deepEqual(p.dims, t.dims, `${what}: ${name} dims`);
    assert.deepEqual(p.data, t.data, `${what}: ${name}`);
  }
}

Deno.test("a packed train graph trains to the same bits as one input per parameter", async (t) => {
  await t.step("lm1: Adam, a bias without weight decay (two groups)", async () => {
    const { train: batches } = threeTokenLoaders();
    const base = { batchSize: 64, seqLen: 3, optimizer: { kind: "adam", wd: 0.01 } } as const;
    const packed = await train(new LMModel1(30, 64), batches, { ...base, pack: true }, 8);
    const unpacked = await train(new LMModel1(30, 64), batches, { ...base, pack: false }, 8);
    assertSameBits(packed, unpacked, "lm1");
    // The train graph takes the groups, not the parameters.
    assert.ok(packed.inputs.includes("packed:decayed"));
    assert.ok(packed.inputs.includes("packed:undecayed"));
    assert.ok(packed.inputs.includes("adam.v.packed:undecayed"));
    assert.ok(!packed.inputs.includes("h_o.bias"));
    assert.ok(unpacked.inputs.includes("h_o.bias"));
  });
  await t.step("lm7: dropout masks, AR/TAR, tied weights", async () => {
    const { train: batches } = sequenceLoaders();
    const base = { batchSize: 64, seqLen: 16, ar: 2, tar: 1 };
    const packed = await train(new LMModel7(30, 16, 2, 0.4), batches, { ...base, pack: true }, 4);
    const unpacked = await train(
      new LMModel7(30, 16, 2, 0.4),
      batches,
      { ...base, pack: false },
      4,
    );
    assertSameBits(packed, unpacked, "lm7");
  });
  await t.step("SGD with momentum and weight decay", async () => {
    const { train: batches } = threeTokenLoaders();
    const base = { batchSize: 64, seqLen: 3, optimizer: { kind: "sgd", wd: 0.1 } } as const;
    const packed = await train(new LMModel1(30, 8), batches, { ...base, pack: true }, 5);
    const unpacked = await train(new LMModel1(30, 8), batches, { ...base, pack: false }, 5);
    assertSameBits(packed, unpacked, "sgd");
    assert.ok(packed.inputs.includes("sgd.buf.packed:decayed"));
  });
});

Deno.test("only models under PACK_LIMIT floats are packed by default", () => {
  assert.ok(packsByDefault([[30, 64], [256, 64], [256]]), "the book's sizes");
  assert.ok(!packsByDefault([[10_000, 256], [1024, 256]]), "hidden 256 at 10,000 words");
  assert.equal(packsByDefault([[PACK_LIMIT - 1]]), true);
  assert.equal(packsByDefault([[PACK_LIMIT]]), false);
  const small = buildArtifacts(new LMModel6(30, 64, 2), { batchSize: 4, seqLen: 4 });
  assert.ok(small.train.inputs.some((v) => v.name.startsWith("packed:")));
  const large = buildArtifacts(new LMModel6(5000, 256, 1), { batchSize: 4, seqLen: 4 });
  assert.ok(!large.train.inputs.some((v) => v.name.startsWith("packed:")));
  assert.ok(large.train.inputs.some((v) => v.name === "h_o.weight"));
});
