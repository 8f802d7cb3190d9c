import assert from "node:assert/strict";
import { Graph, saveGraph } from "../../src/graph/mod.ts";
import * as ops from "../../src/ops/mod.ts";
import { OnnxFormatError, tensor } from "../../src/onnx/mod.ts";
import { type OrtModule, webBackend } from "../../src/runtime/backend.ts";
import { Session, SessionError } from "../../src/runtime/session.ts";

function model(): Uint8Array {
  const g = new Graph("m");
  const tokens = g.input("tokens", "int64", ["batch", 3]);
  const h = g.input("h", "float32", [2, "batch", 4]);
  const emb = g.initializer(
    "emb",
    tensor("float32", [5, 4], new Float32Array(20).map((_, i) => i)),
  );
  g.output(ops.reduceSum(ops.gather(emb, tokens), [1], { keepdims: false }), "sum");
  g.output(ops.add(h, h), "h_out");
  return saveGraph(g);
}

const feeds = (batch: number) => ({
  tokens: tensor("int64", [batch, 3], new BigInt64Array(batch * 3).fill(2n)),
  h: tensor("float32", [2, batch, 4], new Float32Array(2 * batch * 4).fill(0.5)),
});

Deno.test("Session.run() returns typed arrays with dims for named feeds", async () => {
  const s = await Session.create(model(), { threads: 1, source: "m.onnx" });
  try {
    const out = await s.run(feeds(2));
    assert.deepEqual(out.sum.dims, [2, 4]);
    assert.deepEqual(Array.from(out.sum.data as Float32Array), [24, 27, 30, 33, 24, 27, 30, 33]);
    assert.deepEqual(out.h_out.dims, [2, 2, 4]);
    assert.ok(out.h_out.data instanceof Float32Array);
    const only = await s.run(feeds(1), ["h_out"]);
    assert.deepEqual(Object.keys(only), ["h_out"]);
  } finally {
    await s.release();
  }
});

Deno.test("Session takes onnxruntime's memory and thread settings, with the same results", async () => {
  const plain = await Session.create(model(), { threads: 1 });
  const tuned = await Session.create(model(), {
    threads: 2,
    memArena: false,
    memPattern: false,
    spinning: false,
  });
  try {
    for (const batch of [1, 3]) {
      const [a, b] = [await plain.run(feeds(batch)), await tuned.run(feeds(batch))];
      assert.deepEqual(b.sum.data, a.sum.data);
      assert.deepEqual(b.h_out.data, a.h_out.data);
    }
  } finally {
    await plain.release();
    await tuned.release();
  }
});

Deno.test("Session.run() names the input and expected vs actual for bad feeds", async () => {
  const s = await Session.create(model(), { source: "m.onnx", graphOptimizationLevel: "disabled" });
  try {
    const cases: [Record<string, ReturnType<typeof tensor>>, RegExp][] = [
      [
        { tokens: feeds(2).tokens },
        /Cannot run m\.onnx: missing feed for input "h" \(expected float32\[2, batch, 4\]\)/,
      ],
      [{ ...feeds(2), extra: feeds(2).h }, /unexpected feed "extra"; the inputs are "tokens", "h"/],
      [
        { ...feeds(2), tokens: tensor("float32", [2, 3], new Float32Array(6)) },
        /input "tokens" must be int64: got float32 \(Float32Array\)/,
      ],
      [
        { ...feeds(2), tokens: tensor("int64", [2, 4], new BigInt64Array(8)) },
        /input "tokens" must have shape int64\[batch, 3\]: got \[2, 4\] \(axis 1\)/,
      ],
      [
        { ...feeds(2), tokens: tensor("int64", [6], new BigInt64Array(6)) },
        /input "tokens" must have shape int64\[batch, 3\]: got rank 1 \[6\]/,
      ],
      [
        { tokens: feeds(2).tokens, h: feeds(3).h },
        /input "h" axis 1 \("batch"\) is 3, but input "tokens" set "batch" to 2/,
      ],
      [
        { tokens: { dtype: "int64", dims: [2, 3], data: new BigInt64Array(5) }, h: feeds(2).h },
        /input "tokens" has 5 elements for dims \[2, 3\] \(expected 6\)/,
      ],
    ];
    for (const [bad, message] of cases) {
      await assert.rejects(s.run(bad), (e: Error) => {
        assert.ok(e instanceof SessionError, String(e));
        assert.match(e.message, message);
        return true;
      });
    }
    await assert.rejects(
      s.run(feeds(1), ["nope"]),
      /m\.onnx has no output "nope": its outputs are "sum", "h_out"/,
    );
  } finally {
    await s.release();
  }
});

Deno.test("Session.create() gives clear errors for corrupt, truncated and refused models", async () => {
  const bytes = model();
  await assert.rejects(
    Session.create(bytes.subarray(0, bytes.length - 7), { source: "cut.onnx" }),
    (e: Error) => e instanceof OnnxFormatError && e.message.startsWith("Cannot decode cut.onnx"),
  );
  await assert.rejects(
    Session.create(new TextEncoder().encode("hello"), { source: "hello.txt" }),
    OnnxFormatError,
  );
  await assert.rejects(
    Session.create(bytes, { threads: -1 }),
    /Session option "threads" must be an integer >= 0: got -1/,
  );
  // Well-formed protobuf that onnxruntime refuses: a node reading a value nobody defines.
  const g = new Graph("broken");
  const x = g.input("x", "float32", [2]);
  g.output(ops.relu(x), "y");
  g.nodes[0] = { ...g.nodes[0], inputs: ["missing"] };
  await assert.rejects(
    Session.create(saveGraph(g), { source: "broken.onnx" }),
    (e: Error) =>
      e instanceof SessionError && /^onnxruntime cannot load broken\.onnx: /.test(e.message),
  );
});

Deno.test("Session runs on onnxruntime-web with the same checks and messages as on node", async () => {
  const ortWeb = await import("onnxruntime-web");
  const web = webBackend(ortWeb as unknown as OrtModule);
  assert.match(web.name, /^onnxruntime-web 1\.30/);
  assert.deepEqual(web.devices, ["wasm", "webgpu"]);
  await assert.rejects(
    Session.create(model(), { backend: web, device: "cuda" }),
    /Unknown device "cuda" for onnxruntime-web 1\.30\.\d+: expected one of wasm, webgpu/,
  );
  const [onWeb, onNode] = await Promise.all([
    // Without the memory pattern, as training runs a large graph on wasm (memory_pattern.ts).
    Session.create(model(), { backend: web, source: "m.onnx", memPattern: false }),
    Session.create(model(), { source: "m.onnx" }),
  ]);
  try {
    assert.deepEqual(await onWeb.run(feeds(2)), await onNode.run(feeds(2)));
    for (const s of [onWeb, onNode]) {
      await assert.rejects(
        s.run({ ...feeds(2), h: tensor("float32", [2, 3, 4], new Float32Array(24)) }),
        /input "h" axis 1 \("batch"\) is 3, but input "tokens" set "batch" to 2/,
      );
    }
  } finally {
    await Promise.all([onWeb.release(), onNode.release()]);
  }
});
