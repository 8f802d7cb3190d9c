/**
 * Fuzzing every reader of our files: seeded random mutations (truncation, flipped bytes,
 * spliced ranges, random JSON) of a real checkpoint, `.onnx` export and sidecar. Each case
 * must load, or fail with the reader's typed error naming the file: never a TypeError or
 * RangeError from deep inside, never a hang.
 *
 * @module
 */

import assert from "node:assert/strict";
import { findModel } from "../../models/registry.ts";
import { ContractError } from "../../src/contract/fields.ts";
import { HUMAN_NUMBERS_TOKENIZER } from "../../src/data/tokenizer.ts";
import { exportModel } from "../../src/export/export_model.ts";
import { readSidecarText } from "../../src/export/sidecar.ts";
import { mulberry32 } from "../../src/generate/sampling.ts";
import { decodeModel, OnnxFormatError } from "../../src/onnx/decode.ts";
import { readModelHeader } from "../../src/onnx/model_header.ts";
import { tensor } from "../../src/onnx/tensor.ts";
import { CheckpointError, decodeCheckpoint, encodeCheckpoint } from "../../src/train/checkpoint.ts";
import { parseRunMeta, type RunMeta } from "../../src/train/run_meta.ts";

const CASES = 1500; // per file kind
const random = mulberry32(2026);
const int = (n: number) => Math.floor(random() * n);

/** A random JSON value, nested a little. */
function randomJson(depth = 0): unknown {
  const k = int(depth > 2 ? 6 : 8);
  if (k === 0) return null;
  if (k === 1) return random() < 0.5;
  if (k === 2) return [0, -1, 1e300, 0.5, 2 ** 53 + 2, NaN][int(6)];
  if (k === 3) return ["", "F32", "xxunk", "batch", "ü\u0000", "{"][int(6)];
  if (k === 4) return int(100);
  if (k === 5) return "lm7";
  if (k === 6) return Array.from({ length: int(4) }, () => randomJson(depth + 1));
  return Object.fromEntries(
    Array.from(
      { length: int(4) },
      () => [["dtype", "shape", "data_offsets", "a", "vocab"][int(5)], randomJson(depth + 1)],
    ),
  );
}

/** One seeded mutation of some bytes. */
function mutate(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  switch (int(4)) {
    case 0: // truncate
      return out.subarray(0, int(out.length));
    case 1: { // flip 1..8 bytes
      for (let i = 1 + int(8); i > 0; i--) out[int(out.length)] ^= 1 << int(8);
      return out;
    }
    case 2: { // splice: copy a range over another
      const from = int(out.length), to = int(out.length), n = int(64);
      out.copyWithin(to, from, Math.min(out.length, from + n));
      return out;
    }
    default: { // insert random bytes
      const at = int(out.length);
      const noise = Uint8Array.from({ length: 1 + int(16) }, () => int(256));
      const grown = new Uint8Array(out.length + noise.length);
      grown.set(out.subarray(0, at));
      grown.set(noise, at);
      grown.set(out.subarray(at), at + noise.length);
      return grown;
    }
  }
}

/** Sets, deletes or replaces a random field somewhere in a JSON object. */
function mutateJson(value: unknown): unknown {
  const copy = structuredClone(value) as Record<string, unknown>;
  const paths: [Record<string, unknown>, string][] = [];
  const walk = (v: unknown) => {
    if (v && typeof v === "object") {
      for (const key of Object.keys(v)) {
        paths.push([v as Record<string, unknown>, key]);
        walk((v as Record<string, unknown>)[key]);
      }
    }
  };
  walk(copy);
  const [parent, key] = paths[int(paths.length)];
  if (random() < 0.3) delete parent[key];
  else parent[key] = randomJson();
  return copy;
}

function expectTyped(
  what: string,
  read: () => void,
  types: readonly (new (...a: never[]) => Error)[],
  file: string,
): "loaded" | "refused" {
  try {
    read();
    return "loaded";
  } catch (error) {
    const ok = types.some((t) => error instanceof t) && (error as Error).message.includes(file);
    assert.ok(ok, `${what}: ${(error as Error).name}: ${(error as Error).message}`);
    return "refused";
  }
}

// Real files: a small LMModel6 (untrained), its checkpoint with full run metadata, its export.
const entry = findModel("lm6");
const arch = { ...entry.arch, vocabSize: 12, hidden: 8 };
const model = entry.create(arch);
const weights = model.initParameters(1);
const vocab = ["xxunk", "xxbos", ...Array.from({ length: 10 }, (_, i) => `w${i}`)];
const meta: RunMeta = {
  format: "onnx-lm-run",
  version: 2,
  producer: "onnx-lm test",
  model: "lm6",
  recipe: entry.recipe,
  arch,
  epochs: 2,
  lrMax: 0.01,
  seed: 1,
  device: "cpu",
  corpus: {
    kind: "text",
    text: "notes",
    valid: null,
    validPct: 0.1,
    minFreq: 3,
    maxVocab: 60000,
    files: { train: 2, valid: 1 },
    tokens: { train: 100, valid: 10 },
    checksum: "00000000",
  },
  tokenizer: { mode: "word", lower: false, specials: ["xxunk", "xxbos"] },
  vocab,
  learner: { epoch: 1, step: 5, smooth: { val: 1, count: 5 }, history: [] },
};
const CHECKPOINT = encodeCheckpoint({
  tensors: new Map(
    model.namedParameters().map(([n, p]) => [n, tensor("float32", p.shape, weights.get(n)!)]),
  ),
  meta,
});
const { files } = exportModel(model, weights, {
  name: "lm6",
  description: "fuzz",
  vocab,
  tokenizer: meta.tokenizer,
  arch,
  metrics: { accuracy: 0.5, valid_loss: 1, epochs: 1 },
  recipe: entry.recipe,
  seed: 1,
  context: 1,
});
const ONNX = files.get("lm6.onnx")!;
const SIDECAR_TEXT = new TextDecoder().decode(files.get("lm6.json")!);
const legacy = { arch: (m: string) => findModel(m).arch, tokenizer: HUMAN_NUMBERS_TOKENIZER };

Deno.test("fuzz: mutated checkpoints load or give a CheckpointError/ContractError naming the file", () => {
  const tally = { loaded: 0, refused: 0 };
  const header = Number(new DataView(CHECKPOINT.buffer).getBigUint64(0, true));
  for (let i = 0; i < CASES; i++) {
    let bytes: Uint8Array;
    if (i % 3 === 0) {
      // Random JSON in the header, same data after it.
      const json = new TextEncoder().encode(
        JSON.stringify(
          i % 2
            ? randomJson()
            : mutateJson(JSON.parse(new TextDecoder().decode(CHECKPOINT.subarray(8, 8 + header)))),
        ) ?? "null",
      );
      bytes = new Uint8Array(8 + json.length + CHECKPOINT.length - 8 - header);
      new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
      bytes.set(json, 8);
      bytes.set(CHECKPOINT.subarray(8 + header), 8 + json.length);
    } else bytes = mutate(CHECKPOINT);
    tally[
      expectTyped(
        `case ${i}`,
        () => {
          const ckpt = decodeCheckpoint(bytes, "run/ck.safetensors");
          parseRunMeta(ckpt.meta, "run/ck.safetensors", legacy);
        },
        [CheckpointError, ContractError],
        "run/ck.safetensors",
      )
    ]++;
  }
  assert.ok(tally.refused > CASES / 2, JSON.stringify(tally));
});

for (
  const [reader, read] of [
    ["decodeModel()", decodeModel],
    ["readModelHeader()", readModelHeader],
  ] as const
) {
  Deno.test(`fuzz: ${reader} reads mutated .onnx exports or gives an OnnxFormatError naming the file`, () => {
    const tally = { loaded: 0, refused: 0 };
    for (let i = 0; i < CASES; i++) {
      const bytes = mutate(ONNX);
      tally[
        expectTyped(
          `case ${i}`,
          () => read(bytes, "models/lm6.onnx"),
          [OnnxFormatError],
          "models/lm6.onnx",
        )
      ]++;
    }
    assert.ok(tally.refused > 0 && tally.loaded > 0, JSON.stringify(tally));
  });
}

Deno.test("fuzz: mutated sidecars load or give a ContractError naming the file", () => {
  const tally = { loaded: 0, refused: 0 };
  const parsed = JSON.parse(SIDECAR_TEXT);
  for (let i = 0; i < CASES; i++) {
    const text = i % 2
      ? new TextDecoder().decode(mutate(new TextEncoder().encode(SIDECAR_TEXT)))
      : JSON.stringify(mutateJson(parsed));
    tally[
      expectTyped(
        `case ${i}`,
        () => readSidecarText(text, "models/lm6.json"),
        [ContractError],
        "models/lm6.json",
      )
    ]++;
  }
  assert.ok(tally.refused > CASES / 4, JSON.stringify(tally));
});
