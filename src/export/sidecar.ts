/**
 * The JSON sidecar of an exported model: everything a runtime needs to use the `.onnx` file
 * (vocabulary, kind, state shapes) and what it was (model, recipe, metrics, producer).
 * The same facts are also written into the file's `metadata_props`.
 *
 * @module
 */

import { ContractError, Fields } from "../contract/fields.ts";
import { HUMAN_NUMBERS_TOKENIZER, type TokenizerSpec } from "../data/tokenizer.ts";
import type { Dim } from "../onnx/model.ts";
import { IR_VERSION, OPSET_VERSION, PRODUCER_NAME, PRODUCER_VERSION } from "../onnx/version.ts";
import { readArch, readTokenizer } from "../train/run_meta.ts";
import type { ModelData } from "../onnx/model.ts";
import type { Architecture } from "../train/recipe.ts";
import { updatedName } from "../graph/updated_name.ts";
import { EXPORT_ID } from "./export_id.ts";
import { PAST_DIM } from "./kv_cache_state.ts";

/** Final figures of the training run. */
export interface ExportMetrics {
  /** Final validation accuracy. */
  readonly accuracy: number;
  /** Final validation loss. */
  readonly valid_loss: number;
  /** Epochs trained. */
  readonly epochs: number;
}

/** The sidecar `<name>.json`. */
export interface Sidecar {
  /** Marks the file as an onnx-lm export sidecar. */
  readonly format: "onnx-lm-export";
  /** 2 adds `tokenizer` and `arch`; version 1 files are Human Numbers models. */
  readonly version: 1 | 2;
  /** Registry name of the model. */
  readonly model: string;
  /** One line on what the model is. */
  readonly description: string;
  /** The one-step (recurrent), fixed-context or cached-step graph. */
  readonly file: string;
  /**
   * `recurrent`: tokens `[batch, 1]` plus state; `fixed`: tokens `[batch, context]`; `cached`
   * (a GPT): tokens `[batch, steps]`, their first `position` `[1]` and the attention caches
   * (`state`, each `[batch, heads, past, head size]`, empty at the start), any number of
   * tokens per call up to `context` positions in all.
   */
  readonly kind: "recurrent" | "fixed" | "cached";
  /** Tokens per call of `file` (`cached`: the most positions, its block). */
  readonly context: number;
  /** Token strings by id. */
  readonly vocab: readonly string[];
  /** How a prompt becomes tokens: split mode, lowercasing, specials (`xxunk`, `xxbos`). */
  readonly tokenizer: TokenizerSpec;
  /** The sizes the model was built with. */
  readonly arch?: Architecture;
  /** State inputs of recurrent graphs (outputs are `<name>_out`). */
  readonly state: readonly { readonly name: string; readonly shape: readonly Dim[] }[];
  /** Final figures of the run. */
  readonly metrics: ExportMetrics;
  /** The run's recipe, as recorded. */
  readonly recipe: unknown;
  /** The run's seed. */
  readonly seed: number;
  /** The onnx-lm version that exported it. */
  readonly producer: string;
  /** Default-domain opset of the `.onnx` file. */
  readonly opset: number;
  /** ONNX IR version of the `.onnx` file. */
  readonly ir_version: number;
  /** The fixed-length graph written by `--seq N`, when there is one. */
  readonly seq?: { readonly file: string; readonly length: number };
  /** How the weights are stored, when not float32 (`--dtype float16`, `--quantize int8`). */
  readonly weights?: "float16" | "int8";
  /** The id the `.onnx` file records too (`export_id.ts`); absent in older exports. */
  readonly export_id?: string;
  /**
   * A prompt that fits the model (the start of its validation text), for one's own text; the
   * page opens the model with it. Absent for Human Numbers and in older exports.
   */
  readonly prompt?: string;
}

/**
 * The sidecar fields that also go into `metadata_props` (values as strings; JSON for
 * structured ones).
 *
 * @param sidecar The sidecar.
 * @returns Key/value pairs in a fixed order.
 */
export function metadataProps(sidecar: Sidecar): [string, string][] {
  return [
    ["onnx_lm.model", sidecar.model],
    ["onnx_lm.kind", sidecar.kind],
    ["onnx_lm.context", String(sidecar.context)],
    ["onnx_lm.vocab", JSON.stringify(sidecar.vocab)],
    ["onnx_lm.tokenizer", JSON.stringify(sidecar.tokenizer)],
    ...(sidecar.arch ? [["onnx_lm.arch", JSON.stringify(sidecar.arch)] as [string, string]] : []),
    ["onnx_lm.state", JSON.stringify(sidecar.state)],
    ["onnx_lm.metrics", JSON.stringify(sidecar.metrics)],
    ["onnx_lm.recipe", JSON.stringify(sidecar.recipe)],
    ["onnx_lm.seed", String(sidecar.seed)],
    ["onnx_lm.producer", sidecar.producer],
    ["onnx_lm.opset", String(sidecar.opset)],
    ...(sidecar.weights ? [["onnx_lm.weights", sidecar.weights] as [string, string]] : []),
    ...(sidecar.export_id ? [["onnx_lm.export_id", sidecar.export_id] as [string, string]] : []),
  ];
}

/** Producer and versions every sidecar carries. */
export const SIDECAR_VERSIONS = {
  producer: `${PRODUCER_NAME} ${PRODUCER_VERSION}`,
  opset: OPSET_VERSION,
  ir_version: IR_VERSION,
} as const;

const PLAIN_ONNX = /^[A-Za-z0-9_][A-Za-z0-9_.-]*\.onnx$/;

/**
 * Checks and reads a sidecar: the one check `serve` and the page share.
 *
 * @param value The parsed JSON.
 * @param file The sidecar's name, for messages (`lm6.json`).
 * @returns The sidecar; a version 1 file gets Human Numbers' tokenizer.
 * @throws ContractError naming the file and the first malformed field.
 */
export function parseSidecar(value: unknown, file: string): Sidecar {
  const f = Fields.root(file, value, "an onnx-lm export sidecar");
  if (f.value.format !== "onnx-lm-export") {
    f.fail("format", `must be "onnx-lm-export": got ${JSON.stringify(f.value.format)}`);
  }
  const version = f.oneOf("version", [1, 2]);
  // Without "file", the model is the .onnx file named like the sidecar.
  const onnxFile = f.has("file")
    ? f.str("file")
    : `${file.slice(file.lastIndexOf("/") + 1).replace(/\.json$/, "")}.onnx`;
  if (!PLAIN_ONNX.test(onnxFile)) {
    f.fail("file", `must be a plain .onnx file name: got ${JSON.stringify(onnxFile)}`);
  }
  const kind = f.oneOf("kind", ["recurrent", "fixed", "cached"] as const);
  const vocab = f.strings("vocab");
  if (vocab.length === 0) f.fail("vocab", "must hold at least one token: got []");
  const seen = new Map<string, number>();
  vocab.forEach((token, i) => {
    const first = seen.get(token);
    if (first !== undefined) {
      f.fail(
        "vocab",
        `lists ${JSON.stringify(token)} twice (at ${first} and ${i}): each id needs its own token`,
      );
    }
    seen.set(token, i);
  });
  const tokenizer = version === 1 ? HUMAN_NUMBERS_TOKENIZER : readTokenizer(f.obj("tokenizer"));
  const missing = tokenizer.specials.find((t) => !vocab.includes(t));
  if (missing !== undefined) {
    throw new ContractError(
      file,
      "tokenizer.specials",
      `lists ${JSON.stringify(missing)}, which the vocabulary lacks`,
    );
  }
  const state = f.objects("state").map((s) => {
    const shape = s.list("shape");
    const size = (d: unknown) => Number.isInteger(d) && (d as number) > 0;
    if (kind === "cached") {
      if (
        shape.length !== 4 || shape[0] !== "batch" || shape[2] !== PAST_DIM || !size(shape[1]) ||
        !size(shape[3])
      ) {
        s.fail(
          "shape",
          `must be ["batch", heads, "past", head size]: got ${JSON.stringify(shape)}`,
        );
      }
    } else if (
      shape.length !== 3 ||
      !shape.every((d) => d === "batch" || size(d))
    ) {
      s.fail("shape", `must be [layers, "batch", hidden]: got ${JSON.stringify(shape)}`);
    }
    return { name: s.str("name"), shape: shape as Dim[] };
  });
  if (kind !== "fixed" && state.length === 0) {
    f.fail("state", `must list the state of a ${kind} model: got []`);
  }
  const metrics = f.obj("metrics");
  const seq = f.has("seq") ? f.obj("seq") : undefined;
  const arch = f.has("arch") ? readArch(f.obj("arch")) : undefined;
  const weights = f.has("weights")
    ? f.oneOf("weights", ["float32", "float16", "int8"] as const)
    : undefined;
  const exportId = f.has("export_id") ? f.str("export_id") : undefined;
  if (exportId !== undefined && !EXPORT_ID.test(exportId)) {
    f.fail("export_id", `must be 16 hex digits: got ${JSON.stringify(exportId)}`);
  }
  const context = f.int("context", { min: 1 });
  if (kind === "cached") checkCached(f, state, context, arch, seq !== undefined);
  if (arch && arch.vocabSize !== vocab.length) {
    throw new ContractError(
      file,
      "vocab",
      `must hold arch.vocabSize = ${arch.vocabSize} tokens: got ${vocab.length}`,
    );
  }
  return {
    format: "onnx-lm-export",
    version,
    model: f.str("model"),
    description: f.has("description") ? f.str("description") : "",
    file: onnxFile,
    kind,
    context,
    vocab,
    tokenizer,
    ...(arch ? { arch } : {}),
    state,
    metrics: {
      accuracy: metrics.num("accuracy", { min: 0, max: 1 }),
      valid_loss: metrics.num("valid_loss"),
      epochs: metrics.int("epochs", { min: 0 }),
    },
    recipe: f.value.recipe,
    seed: f.int("seed", { min: 0 }),
    producer: f.has("producer") ? f.str("producer") : "",
    opset: f.int("opset", { min: 1 }),
    ir_version: f.int("ir_version", { min: 1 }),
    ...(seq ? { seq: { file: seq.str("file"), length: seq.int("length", { min: 1 }) } } : {}),
    ...(weights && weights !== "float32" ? { weights } : {}),
    ...(exportId ? { export_id: exportId } : {}),
    ...(f.has("prompt") ? { prompt: f.str("prompt") } : {}),
  };
}

/**
 * A cached model's sidecar: a key and a value cache per layer, all of one shape (as
 * `kvCacheState` writes them), its context the model's block, and no `--seq` graph.
 */
function checkCached(
  f: Fields,
  state: readonly { readonly name: string; readonly shape: readonly Dim[] }[],
  context: number,
  arch: Architecture | undefined,
  seq: boolean,
): void {
  if (seq) {
    f.fail("seq", "must be absent for a cached model: its step graph reads any number of tokens");
  }
  const shape = JSON.stringify(state[0].shape);
  if (state.length % 2 !== 0 || state.some((s) => JSON.stringify(s.shape) !== shape)) {
    f.fail(
      "state",
      `must be a key and a value cache per layer, all of one shape: got ${state.length} of ` +
        `shapes ${[...new Set(state.map((s) => JSON.stringify(s.shape)))].join(", ")}`,
    );
  }
  if (arch?.gpt && context !== arch.gpt.block) {
    f.fail("context", `must be the model's block ${arch.gpt.block}: got ${context}`);
  }
}

/**
 * Reads a sidecar file's text: JSON, then `parseSidecar`.
 *
 * @param text The file's contents.
 * @param file Its name, for messages.
 * @returns The sidecar.
 * @throws ContractError naming the file when it is not JSON or not a valid sidecar.
 */
export function readSidecarText(text: string, file: string): Sidecar {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ContractError(file, "", `not JSON (${(error as Error).message})`);
  }
  return parseSidecar(value, file);
}

/** Sidecar facts an export also records in the file, compared field by field. */
const RECORDED: readonly [string, (s: Sidecar) => string][] = [
  ["model", (s) => s.model],
  ["kind", (s) => s.kind],
  ["context", (s) => String(s.context)],
  ["vocab", (s) => JSON.stringify(s.vocab)],
  ["state", (s) => JSON.stringify(s.state)],
];

/**
 * Checks an exported graph against its sidecar: the same export id (when either records one),
 * the facts the file records, a `tokens` input, the state inputs and outputs the sidecar lists,
 * and `logits` as wide as the vocabulary.
 *
 * @param model The decoded `.onnx` file (its header is enough).
 * @param sidecar Its sidecar.
 * @param file The `.onnx` file's name, for messages.
 * @returns What does not match, or undefined.
 */
export function sidecarMismatch(
  model: {
    readonly graph: Pick<ModelData["graph"], "inputs" | "outputs">;
    readonly metadata?: readonly (readonly [string, string])[];
  },
  sidecar: Sidecar,
  file: string,
): string | undefined {
  const meta = new Map(model.metadata ?? []);
  const { inputs, outputs } = model.graph;
  const logits = outputs.find((o) => o.name === "logits");
  if (!logits) return `${file} has no "logits" output: not an onnx-lm export`;
  if (!inputs.some((i) => i.name === "tokens")) return `${file} has no "tokens" input`;
  if (sidecar.kind === "cached" && !inputs.some((i) => i.name === "position")) {
    return `${file} has no "position" input, which a cached model's step graph takes`;
  }
  const width = logits.shape.at(-1);
  if (typeof width === "number" && width !== sidecar.vocab.length) {
    return `${file} predicts ${width} tokens, but its sidecar's vocabulary has ${sidecar.vocab.length}: the two files do not belong together`;
  }
  for (const s of sidecar.state) {
    if (
      !inputs.some((i) => i.name === s.name) || !outputs.some((o) => o.name === updatedName(s.name))
    ) {
      return `${file} lacks the state "${s.name}" (input) / "${s.name}_out" (output) its sidecar lists`;
    }
  }
  const id = meta.get("onnx_lm.export_id");
  if ((id !== undefined || sidecar.export_id !== undefined) && id !== sidecar.export_id) {
    return `${file} and its sidecar come from different exports (export id ${id ?? "none"} in ` +
      `the file, ${sidecar.export_id ?? "none"} in the sidecar): an export was stopped ` +
      `between its files, or one of them was copied from another export; export again`;
  }
  for (const [key, field] of RECORDED) {
    const recorded = meta.get(`onnx_lm.${key}`);
    if (recorded !== undefined && recorded !== field(sidecar)) {
      return `${file}'s sidecar has another "${key}" than the one recorded in the file ` +
        `(onnx_lm.${key}): the two files do not belong together; export again`;
    }
  }
  return undefined;
}
