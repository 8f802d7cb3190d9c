/**
 * Human Numbers data for fastbook chapter 12: the generated corpus, its vocabulary, the
 * book's samples, `group_chunks` and int64 batches for onnxruntime. Browser-compatible.
 *
 * @example Not run by `deno test --doc`: it would auto-import every export, unused.
 * ```ts ignore
 * import { sequenceLoaders } from "./mod.ts";
 * const { train, valid } = sequenceLoaders({ bs: 64, sl: 16 });
 * console.log(train.length, valid.length, train[0].xDims); // 49 12 [64, 16]
 * ```
 * @module
 */

export { numberToWords } from "./number_words.ts";
export {
  type HumanNumbersLines,
  humanNumbersLines,
  humanNumbersText,
  tokenize,
} from "./human_numbers.ts";
export { Vocab } from "./vocab.ts";
export {
  type Sample,
  type SequenceSample,
  sequenceSamples,
  splitSamples,
  threeTokenSamples,
  type TokenSample,
} from "./samples.ts";
export { groupChunks } from "./group_chunks.ts";
export { type Batch, batchify, type BatchifyOptions } from "./batches.ts";
export {
  type Baseline,
  type HumanNumbers,
  humanNumbers,
  humanNumbersData,
  type Loaders,
  mostCommonTokenBaseline,
  sequenceLoaders,
  threeTokenLoaders,
} from "./pipelines.ts";
export {
  BOS,
  HUMAN_NUMBERS_TOKENIZER,
  type JoinSpec,
  joinTokens,
  NEWLINE,
  type SplitSpec,
  splitText,
  StreamSplitter,
  TOKEN_MODES,
  type TokenizerSpec,
  type TokenMode,
  UNK,
} from "./tokenizer.ts";
export {
  chooseVocab,
  SPECIALS,
  specialsFor,
  VocabLimitError,
  type VocabLimits,
} from "./text_vocab.ts";
export {
  MAJ,
  REP,
  RULE_MARKERS,
  type ShownToken,
  TEXT_RULES,
  type TextRules,
  undoRules,
  UP,
  WREP,
} from "./text_rules.ts";
export {
  CorpusError,
  idsChecksum,
  type TextCorpus,
  TextCorpusBuilder,
  type ValidSplit,
} from "./text_corpus.ts";
export {
  arrayBatches,
  type BatchSource,
  type DataKind,
  sampleCount,
  streamBatches,
  type StreamBatchOptions,
  tokensForOneBatch,
  type TrainData,
} from "./stream_batches.ts";
export { type RandomWindowOptions, randomWindows } from "./random_windows.ts";
export { encodePrompt, type PromptToken } from "./prompt.ts";
