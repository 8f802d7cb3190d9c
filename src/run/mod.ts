/**
 * A training run's records, shared by `deno task train` and the page: its corpus, its
 * one-line description, its files (checkpoint, artifacts, report) and its export.
 *
 * @module
 */

export {
  CorpusSizeError,
  humanNumbersCorpus,
  type RunCorpus,
  textDefaults,
  textRunCorpus,
  type TextSource,
} from "./corpus.ts";
export {
  type BatchLayout,
  fitLayout,
  fitRecipe,
  type FittedRecipe,
  type SplitSources,
} from "./short_text.ts";
export {
  TransferError,
  type Transferred,
  type TransferSource,
  transferWeights,
  vocabParameters,
} from "./transfer.ts";
export { corpusLine, type ModelFacts, runDescription, runtimeName } from "./describe.ts";
export {
  artifactFiles,
  CHECKPOINT_FILE,
  checkpointFile,
  epochFiles,
  type RunPlace,
} from "./run_files.ts";
export { newRunInfo, type RunInfo, type RunStart } from "./run_info.ts";
export { checkpointWeights, type ModelMaker, type RunExport, runExport } from "./run_export.ts";
