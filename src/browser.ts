/**
 * The page's share of onnx-lm, and the model API for one's own page: `loadModel` and what the
 * page needs around it (the model list, onnxruntime-web's loading and threads, the default
 * device), the Train panel's settings, table and curves, and how figures are written. `deno
 * task serve` and `deno task site` bundle this file (`deno bundle --platform browser`) as
 * `lib/onnx_lm.js`, so the page, a person's own page and the CLI run one implementation; the
 * training itself runs in `src/web/train_worker.ts`. Re-exports only.
 *
 * @example
 * ```ts
 * import { readPrompt } from "./browser.ts";
 * const model = {
 *   name: "toy",
 *   kind: "recurrent",
 *   context: 1,
 *   vocab: ["xxunk", "xxbos", "a", "b"],
 *   tokenizer: { mode: "char", lower: false, specials: ["xxunk", "xxbos"] },
 * } as const;
 * readPrompt(model, "ab").ids; // [1, 2, 3]
 * ```
 * @module
 */

export {
  type GeneratedToken,
  type GenerateOptions,
  loadModel,
  type LoadOptions,
  ModelLoadError,
  type ModelSource,
  type NextToken,
  type Prompt,
  PromptError,
  type ReadPrompt,
  readPrompt,
  TextModel,
} from "./api/mod.ts";
export { defaultDevice, explainDevice, probeWebGpu, type WebGpuFacts } from "./api/devices.ts";
export { checkModelEntry, type ModelEntry, readModelList, trainedEntry } from "./api/model_list.ts";
export {
  isIsolated,
  ISOLATION_HEADERS,
  loadOrtWeb,
  ortBuildFor,
  threadsNote,
} from "./api/ort_web.ts";
export { type PromptToken } from "./data/prompt.ts";
export { joinTokens, type TokenizerSpec, type TokenMode, UNK } from "./data/tokenizer.ts";
export { NumberTextError, readInteger, readNumber } from "./contract/numbers.ts";
export { SIZE_LIMITS } from "../models/sizing.ts";
export { parseSidecar, type Sidecar } from "./export/sidecar.ts";
export { curvesSvg } from "./report/curves.ts";
export { formatLr, lrFindSvg } from "./report/lr_find_svg.ts";
export { namedSuggestions } from "./train/lr_suggest.ts";
export { TABLE_COLUMNS, tableCells, tableColumns } from "./report/table.ts";
export { textDefaults } from "./run/corpus.ts";
export { openingPrompt } from "./run/sample_prompt.ts";
export { LatestOnly } from "./web/latest_only.ts";
export {
  counted,
  filterVocab,
  formatBytes,
  formatMs,
  median,
  visibleText,
  visibleToken,
} from "./web/page_format.ts";
export {
  type BrowserFacts,
  browserMachine,
  checkSettings,
  type CorpusChoice,
  defaultSettings,
  defaultThreads,
  modelSizes,
  readTrainHash,
  SettingsError,
  SIZE_KEYS,
  sizeValues,
  TRAIN_MODELS,
  trainHash,
  type TrainSettings,
} from "./web/train_settings.ts";
