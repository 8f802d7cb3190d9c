import assert from "node:assert/strict";
import { backward } from "../../src/grad/backward.ts";
import { Graph } from "../../src/graph/graph.ts";
import { saveGraph } from "../../src/graph/model_io.ts";
import { Embedding } from "../../src/nn/embedding.ts";
import { GRU } from "../../src/nn/gru.ts";
import { LSTM } from "../../src/nn/lstm.ts";
import { BuildContext } from "../../src/nn/build_context.ts";
import { Module } from "../../src/nn/module.ts";
import { RNN } from "../../src/nn/rnn.ts";
import { tensor } from "../../src/onnx/tensor.ts";
import { identity, mul } from "../../src/ops/elementwise.ts";
import { reduceSum } from "../../src/ops/reduce.ts";
import { Session } from "../../src/runtime/session.ts";
import { assertClose, rng } from "../helpers/reference.ts";

type Kind = "rnn" | "gru" | "lstm";

class Stack extends Module {
  readonly emb: Embedding;
  readonly rnn: RNN | GRU | LSTM;
  constructor(kind: Kind, readonly vocab: number, readonly hidden: number) {
    super();
    this.emb = new Embedding(vocab, hidden);
    this.rnn = kind === "lstm"
      ? new LSTM(hidden, hidden, 2)
      : kind === "gru"
      ? new GRU(hidden, hidden, 2)
      : new RNN(hidden, hidden, 2);
  }
}

/**
 * embedding → 2 stacked layers → sum of squares, with gradients; `lookedUp` false puts an
 * Identity between the lookup and the layers, which hides the lookup from them.
 */
function build(m: Stack, batch: number, steps: number, lookedUp: boolean): Graph {
  const g = new Graph("fold", { maxNodeTensors: Infinity });
  const params = m.namedParameters().map(([name, p]) => [p, g.input(name, "float32", p.shape)]);
  const ctx = new BuildContext(g, { parameters: new Map(params as never) });
  const tokens = g.input("tokens", "int64", [batch, steps]);
  const state = () => g.input(`s${g.inputs.length}`, "float32", [2, batch, m.hidden]);
  const embedded = m.emb.forward(ctx, tokens);
  const x = lookedUp ? embedded : identity(embedded);
  const [out] = m.rnn instanceof LSTM
    ? m.rnn.forward(ctx, x, [state(), state()])
    : m.rnn.forward(ctx, x, state());
  g.output(out, "out");
  const loss = reduceSum(mul(out, out), [], { keepdims: false });
  const grads = backward(loss, params.map(([, v]) => v as never));
  m.namedParameters().forEach(([name], i) => g.output(grads[i], `grad.${name}`));
  return g;
}

async function run(g: Graph, m: Stack, batch: number, steps: number) {
  const r = rng(5);
  const feeds: Record<string, ReturnType<typeof tensor>> = {};
  for (const [name, values] of m.initParameters(3)) {
    feeds[name] = tensor("float32", g.value(name).shape as number[], values);
  }
  const ids = Array.from({ length: batch * steps }, () => BigInt(Math.floor(r() * m.vocab)));
  feeds.tokens = tensor("int64", [batch, steps], ids);
  for (const v of g.inputs.filter((v) => v.name.startsWith("s"))) {
    const dims = v.shape as number[];
    const values = Float32Array.from({ length: dims.reduce((a, b) => a * b) }, () => r() - 0.5);
    feeds[v.name] = tensor("float32", dims, values);
  }
  const s = await Session.create(saveGraph(g), { threads: 1 });
  try {
    return await s.run(feeds);
  } finally {
    await s.release();
  }
}

for (const kind of ["rnn", "gru", "lstm"] as const) {
  Deno.test(`${kind}: over an embedding, the table is projected once, with the same outputs`, async () => {
    const [vocab, hidden, batch, steps] = [7, 5, 4, 6]; // 7 rows < 24 tokens: folded
    const m = new Stack(kind, vocab, hidden);
    const folded = build(m, batch, steps, true);
    const plain = build(m, batch, steps, false);
    // The folded graph looks projected rows up: a Gather of a Gemm of the table.
    assert.ok(projectedLookup(folded), "folded: Gather(Gemm(table))");
    assert.ok(!projectedLookup(plain), "plain: no projected lookup");
    const [a, b] = [await run(folded, m, batch, steps), await run(plain, m, batch, steps)];
    // The same dot products: the forward pass is bit-identical.
    assert.deepEqual(a.out.data, b.out.data);
    // The gradients sum the same terms in another order.
    for (const [name] of m.namedParameters()) {
      const [ga, gb] = [a[`grad.${name}`].data, b[`grad.${name}`].data] as Float32Array[];
      assertClose(ga, gb, { rtol: 1e-5, atol: 1e-6 }, name);
    }
  });
}

const projectedLookup = (g: Graph) =>
  g.nodes.some((n) => n.opType === "Gather" && g.producer(n.inputs[0])?.opType === "Gemm");

Deno.test("a table too large for the fold to pay is looked up first, as written", () => {
  // LSTM, hidden 5 (20 gate rows), 24 tokens: the fold pays up to a table of 10 rows.
  assert.ok(projectedLookup(build(new Stack("lstm", 10, 5), 4, 6, true)));
  assert.ok(!projectedLookup(build(new Stack("lstm", 11, 5), 4, 6, true)));
  assert.ok(!projectedLookup(build(new Stack("lstm", 24, 5), 4, 6, true)));
});

Deno.test("a symbolic batch (eval and infer graphs) is not folded", () => {
  const m = new Stack("gru", 3, 5);
  const g = new Graph("symbolic");
  const ctx = new BuildContext(g, {
    parameters: new Map(
      m.namedParameters().map(([name, p]) => [p, g.input(name, "float32", p.shape)]),
    ),
  });
  const x = m.emb.forward(ctx, g.input("tokens", "int64", ["batch", 6]));
  const [out] = (m.rnn as GRU).forward(ctx, x, g.input("h", "float32", [2, "batch", 5]));
  g.output(out, "out");
  assert.ok(!projectedLookup(g));
});
