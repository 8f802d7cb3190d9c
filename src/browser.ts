/**
 * The page's share of onnx-lm: what `web/` needs to tokenize a prompt, join generated tokens,
 * check a sidecar and choose the next token, as the CLI does it, and to read the Train panel's
 * settings and draw its table and curves. `deno task serve` bundles this file
 * (`deno bundle --platform browser`) and serves it at `/lib/onnx_lm.js`, so the page and the CLI
 * run one implementation; the training itself runs in `src/web/train_worker.ts`. Re-exports
 * only.
 *
 * @example
 * ```ts
 * import { encodePrompt, joinTokens } from "./browser.ts";
 * const spec = { mode: "char", lower: false, specials: ["xxunk", "xxbos"] } as const;
 * encodePrompt("ab", spec, ["xxunk", "xxbos", "a", "b"]).map((t) => t.id); // [2, 3]
 * joinTokens(["a", " ", "b"], "char"); // "a b"
 * ```
 * @module
 */

export { encodePrompt, type PromptToken } from "./data/prompt.ts";
export {
  BOS,
  HUMAN_NUMBERS_TOKENIZER,
  joinTokens,
  splitText,
  type TokenizerSpec,
  type TokenMode,
  UNK,
} from "./data/tokenizer.ts";
export { ContractError } from "./contract/fields.ts";
export { parseSidecar, type Sidecar } from "./export/sidecar.ts";
export {
  argmax,
  mulberry32,
  pickToken,
  type SamplingOptions,
  softmax,
  topK,
} from "./generate/sampling.ts";
export { curvesSvg } from "./report/curves.ts";
export { TABLE_COLUMNS, tableCells } from "./report/table.ts";
export {
  checkSettings,
  type CorpusChoice,
  defaultSettings,
  readTrainHash,
  SettingsError,
  TRAIN_MODELS,
  trainHash,
  type TrainSettings,
} from "./web/train_settings.ts";
