import assert from "node:assert/strict";
import { ContractError } from "../../src/contract/fields.ts";
import { HUMAN_NUMBERS_TOKENIZER } from "../../src/data/tokenizer.ts";
import { parseSidecar } from "../../src/export/sidecar.ts";

const SIDECAR = {
  format: "onnx-lm-export",
  version: 2,
  model: "lm7",
  description: "",
  file: "notes.onnx",
  kind: "recurrent",
  context: 1,
  vocab: ["xxunk", "xxbos", "a"],
  tokenizer: { mode: "word", lower: true, specials: ["xxunk", "xxbos"] },
  state: [{ name: "h", shape: [2, "batch", 8] }],
  metrics: { accuracy: 0.5, valid_loss: 1, epochs: 1 },
  recipe: {},
  seed: 1,
  producer: "onnx-lm",
  opset: 17,
  ir_version: 8,
};

Deno.test("parseSidecar() reads a sidecar and gives version 1 Human Numbers' tokenizer", () => {
  assert.deepEqual(parseSidecar(structuredClone(SIDECAR), "notes.json"), SIDECAR);
  const { tokenizer: _t, ...v1 } = { ...SIDECAR, version: 1 };
  assert.deepEqual(parseSidecar(v1, "lm7.json").tokenizer, HUMAN_NUMBERS_TOKENIZER);
  const { file: _f, ...unnamed } = SIDECAR;
  assert.equal(parseSidecar(unnamed, "models/x.json").file, "x.onnx");
});

Deno.test("parseSidecar() reads how the weights are stored (float32 when absent)", () => {
  assert.equal(parseSidecar(SIDECAR, "s.json").weights, undefined);
  assert.equal(parseSidecar({ ...SIDECAR, weights: "int8" }, "s.json").weights, "int8");
  assert.equal(parseSidecar({ ...SIDECAR, weights: "float32" }, "s.json").weights, undefined);
});

Deno.test("parseSidecar() names the file and field of a malformed sidecar", () => {
  const cases: [unknown, string][] = [
    [[], `s.json: expected an onnx-lm export sidecar (a JSON object): got []`],
    [{ ...SIDECAR, file: "../x.onnx" }, `s.json: "file" must be a plain .onnx file name`],
    [{ ...SIDECAR, kind: "other" }, `s.json: "kind" must be one of "recurrent", "fixed"`],
    [
      { ...SIDECAR, weights: "bf16" },
      `s.json: "weights" must be one of "float32", "float16", "int8"`,
    ],
    [{ ...SIDECAR, vocab: [] }, `s.json: "vocab" must hold at least one token`],
    [
      { ...SIDECAR, vocab: ["xxunk", "xxbos", "xxbos"] },
      `s.json: "vocab" lists "xxbos" twice (at 1 and 2): each id needs its own token`,
    ],
    [
      { ...SIDECAR, vocab: ["a", "b"] },
      `s.json: "tokenizer.specials" lists "xxunk", which the vocabulary lacks`,
    ],
    [
      { ...SIDECAR, state: [{ name: "h", shape: [2, 8] }] },
      `s.json: "state[0].shape" must be [layers, "batch", hidden]`,
    ],
    [{ ...SIDECAR, state: [] }, `s.json: "state" must list the state of a recurrent model`],
    [{ ...SIDECAR, context: 0 }, `s.json: "context" must be an integer >= 1: got 0`],
    [
      { ...SIDECAR, arch: { vocabSize: 20, hidden: 8, layers: 2, dropout: 0, tied: false } },
      `s.json: "vocab" must hold arch.vocabSize = 20 tokens: got 3`,
    ],
    [
      { ...SIDECAR, tokenizer: { ...SIDECAR.tokenizer, lower: "yes" } },
      `s.json: "tokenizer.lower" must be true or false`,
    ],
  ];
  for (const [value, message] of cases) {
    assert.throws(
      () => parseSidecar(value, "s.json"),
      (e) => e instanceof ContractError && e.message.startsWith(message),
      message,
    );
  }
});
