/**
 * The book's models with their training recipes, by name, plus aliases.
 *
 * @module
 */

import type { LanguageModel } from "../src/nn/language_model.ts";
import type { Architecture, Recipe } from "../src/train/recipe.ts";
import type { LegacyDefaults } from "../src/train/run_meta.ts";
import { HUMAN_NUMBERS_TOKENIZER } from "../src/data/tokenizer.ts";
import { describeSoftmax } from "../src/nn/adaptive_softmax.ts";
import { GRUModel } from "./gru_model.ts";
import { LMModel1 } from "./lm_model1.ts";
import { LMModel2 } from "./lm_model2.ts";
import { LMModel3 } from "./lm_model3.ts";
import { LMModel4 } from "./lm_model4.ts";
import { LMModel5 } from "./lm_model5.ts";
import { LMModel6 } from "./lm_model6.ts";
import { LMModel7 } from "./lm_model7.ts";
import { GPT } from "./gpt.ts";
import { stepsSchedule } from "../src/train/steps_schedule.ts";

export type { Architecture, Recipe } from "../src/train/recipe.ts";

/** One registered model. */
export interface ModelEntry {
  readonly name: string;
  /** One line for `--list`. */
  readonly description: string;
  /** The book's final accuracy (undefined for the GRU, which the book leaves as an exercise). */
  readonly bookAccuracy?: number;
  /** The mean accuracy over 3 seeds that this project must reach. */
  readonly target: number;
  readonly recipe: Recipe;
  /** The book's sizes (Human Numbers: vocabulary 30, hidden 64). */
  readonly arch: Architecture;
  /** Which sizes other than the vocabulary and hidden size this model can change. */
  readonly resizable: Resizable;
  /**
   * A fresh, untrained model.
   *
   * @param arch Sizes (the book's by default); fields the model cannot change must keep
   *   their book values (see `checkArchitecture`).
   */
  readonly create: (arch?: Architecture) => LanguageModel;
}

/** What a model's structure lets change besides vocabulary, hidden size and batch size. */
export interface Resizable {
  /** Stacked recurrent layers (`--layers`). */
  readonly layers: boolean;
  /** Dropout probability (`--dropout`). */
  readonly dropout: boolean;
  /** Sequence length (`--sl`); the three-token models always read 3 tokens. */
  readonly seqLen: boolean;
  /** An adaptive softmax in place of the linear decoder (`--softmax adaptive`). */
  readonly softmax: boolean;
  /** A GPT's sizes (`--embd --heads --block --bias`) in place of `--hidden` and `--sl`. */
  readonly gpt: boolean;
}

const VOCAB = 30;
const HIDDEN = 64;
const BOOK1: Architecture = {
  vocabSize: VOCAB,
  hidden: HIDDEN,
  layers: 1,
  dropout: 0,
  tied: false,
};
const BOOK2: Architecture = { ...BOOK1, layers: 2 };
const BOOK7: Architecture = { ...BOOK1, layers: 2, dropout: 0.4, tied: true };
const FIXED: Resizable = {
  layers: false,
  dropout: false,
  seqLen: false,
  softmax: false,
  gpt: false,
};
const SEQ_ONLY: Resizable = { ...FIXED, seqLen: true };
const STACKED: Resizable = { ...SEQ_ONLY, layers: true, softmax: true };
const DROPPED: Resizable = { ...STACKED, dropout: true };
const DEFAULT_MOMS = [0.95, 0.85, 0.95] as const;
/** nanoGPT's CPU "baby GPT" (its README): 4 layers, 4 heads, 128 features, block 64, no bias. */
const BABY_GPT: Architecture = {
  vocabSize: VOCAB,
  hidden: 128,
  layers: 4,
  dropout: 0,
  tied: true,
  gpt: { heads: 4, block: 64, bias: false },
};
const BABY_GPT_LR = 1e-3;
const three = {
  data: "three-token",
  batchSize: 64,
  seqLen: 3,
  wd: 0.01,
  moms: DEFAULT_MOMS,
} as const;
const sequence = {
  data: "sequence",
  batchSize: 64,
  seqLen: 16,
  wd: 0.01,
  moms: DEFAULT_MOMS,
} as const;

/** Every model, in the book's order. */
export const MODELS: readonly ModelEntry[] = ([
  {
    name: "lm1",
    description: "LMModel1: 3 unrolled steps over 3 tokens (4 epochs, lr 1e-3)",
    bookAccuracy: 0.494,
    target: 0.49,
    recipe: { ...three, epochs: 4, lrMax: 1e-3 },
    arch: BOOK1,
    resizable: FIXED,
    create: (a = BOOK1) => new LMModel1(a.vocabSize, a.hidden),
  },
  {
    name: "lm2",
    description: "LMModel2: LMModel1 as a loop (4 epochs, lr 1e-3)",
    bookAccuracy: 0.470,
    target: 0.47,
    recipe: { ...three, epochs: 4, lrMax: 1e-3 },
    arch: BOOK1,
    resizable: FIXED,
    create: (a = BOOK1) => new LMModel2(a.vocabSize, a.hidden),
  },
  {
    name: "lm3",
    description: "LMModel3: stateful RNN, truncated BPTT (10 epochs, lr 3e-3)",
    bookAccuracy: 0.589,
    target: 0.56,
    recipe: { ...three, data: "three-token-stateful", epochs: 10, lrMax: 3e-3 },
    arch: BOOK1,
    resizable: FIXED,
    create: (a = BOOK1) => new LMModel3(a.vocabSize, a.hidden),
  },
  {
    name: "lm4",
    description: "LMModel4: predicts after every one of 16 tokens (15 epochs, lr 3e-3)",
    bookAccuracy: 0.640,
    target: 0.60,
    recipe: { ...sequence, epochs: 15, lrMax: 3e-3 },
    arch: BOOK1,
    resizable: SEQ_ONLY,
    create: (a = BOOK1) => new LMModel4(a.vocabSize, a.hidden),
  },
  {
    name: "lm5",
    description: "LMModel5: 2-layer tanh RNN (15 epochs, lr 3e-3)",
    bookAccuracy: 0.488,
    target: 0.45,
    recipe: { ...sequence, epochs: 15, lrMax: 3e-3 },
    arch: BOOK2,
    resizable: STACKED,
    create: (a = BOOK2) => new LMModel5(a.vocabSize, a.hidden, a.layers, a.softmax),
  },
  {
    name: "lm6",
    description: "LMModel6: 2-layer LSTM (15 epochs, lr 1e-2)",
    bookAccuracy: 0.758,
    target: 0.75,
    recipe: { ...sequence, epochs: 15, lrMax: 1e-2 },
    arch: BOOK2,
    resizable: STACKED,
    create: (a = BOOK2) => new LMModel6(a.vocabSize, a.hidden, a.layers, a.softmax),
  },
  {
    name: "lm7",
    description:
      "LMModel7: weight-tied LSTM, dropout 0.4, AR 2, TAR 1 (15 epochs, lr 1e-2, wd 0.1)",
    bookAccuracy: 0.869,
    target: 0.87,
    recipe: { ...sequence, epochs: 15, lrMax: 1e-2, wd: 0.1, moms: [0.8, 0.7, 0.8], ar: 2, tar: 1 },
    arch: BOOK7,
    resizable: DROPPED,
    create: (a = BOOK7) => new LMModel7(a.vocabSize, a.hidden, a.layers, a.dropout, a.softmax),
  },
  {
    name: "gru",
    description: "2-layer GRU, the chapter's exercise (15 epochs, lr 1e-2)",
    target: 0.80,
    recipe: { ...sequence, epochs: 15, lrMax: 1e-2 },
    arch: BOOK2,
    resizable: STACKED,
    create: (a = BOOK2) => new GRUModel(a.vocabSize, a.hidden, a.layers, a.softmax),
  },
  {
    name: "gpt",
    description: "nanoGPT's baby GPT: 4 layers, 4 heads, 128 features, block 64 " +
      "(2,000 steps, AdamW lr 1e-3 warmup + cosine)",
    // Measured: 0.917 over seeds 0-2 (docs/BENCHMARKS.md, "A small GPT").
    target: 0.85,
    // nanoGPT's shakespeare_char recipe at the baby GPT's CPU settings: batch 12, AdamW
    // (0.9, 0.99, eps 1e-8, wd 0.1 on matrices), clipping at 1.0, 2,000 steps.
    recipe: {
      data: "windows",
      batchSize: 12,
      seqLen: 64,
      epochs: 8,
      lrMax: BABY_GPT_LR,
      wd: 0.1,
      moms: [0.9, 0.9, 0.9],
      sqrMom: 0.99,
      eps: 1e-8,
      clip: 1,
      schedule: stepsSchedule(2000, BABY_GPT_LR),
    },
    arch: BABY_GPT,
    resizable: { layers: true, dropout: true, seqLen: true, softmax: false, gpt: true },
    create: (a = BABY_GPT) => {
      if (!a.gpt) throw new Error(`gpt needs its heads, block and bias: the architecture has none`);
      return new GPT({
        vocabSize: a.vocabSize,
        block: a.gpt.block,
        layers: a.layers,
        heads: a.gpt.heads,
        embd: a.hidden,
        dropout: a.dropout,
        bias: a.gpt.bias,
      });
    },
  },
] satisfies ModelEntry[]).map(withArchitectureCheck);

/**
 * A saved architecture read back (a run's, an export's) may ask for what the model does not
 * have: refused by name rather than built without it.
 */
function withArchitectureCheck(entry: ModelEntry): ModelEntry {
  return {
    ...entry,
    create: (arch) => {
      if (arch?.softmax && !entry.resizable.softmax) {
        throw new Error(
          `${entry.name} has no adaptive softmax (lm5, lm6, lm7 and gru take one): the ` +
            `architecture asks for ${describeSoftmax(arch.softmax)}`,
        );
      }
      if (arch?.gpt && !entry.resizable.gpt) {
        throw new Error(
          `${entry.name} is a recurrent model: the architecture asks for a GPT's attention ` +
            `(${arch.gpt.heads} heads, block ${arch.gpt.block})`,
        );
      }
      return entry.create(arch);
    },
  };
}

/** Other names for some models. */
export const ALIASES: Readonly<Record<string, string>> = {
  rnn: "lm5",
  lstm: "lm6",
  "awd-lstm": "lm7",
};

/**
 * The model registered under a name or alias.
 *
 * @param name `lm1`..`lm7`, `gru`, `gpt`, `rnn`, `lstm` or `awd-lstm`.
 * @returns The entry.
 * @throws Error listing the valid names for an unknown one.
 */
export function findModel(name: string): ModelEntry {
  const key = Object.hasOwn(ALIASES, name) ? ALIASES[name] : name;
  const entry = MODELS.find((m) => m.name === key);
  if (!entry) {
    const valid = [...MODELS.map((m) => m.name), ...Object.keys(ALIASES)].join(", ");
    throw new Error(`Unknown model "${name}": expected one of ${valid}`);
  }
  return entry;
}

/**
 * What a version-1 run's metadata leaves out, filled in as those runs were: the model's book
 * sizes and Human Numbers' tokenizer (for `parseRunMeta`, wherever a checkpoint is read).
 */
export const RUN_META_DEFAULTS: LegacyDefaults = {
  arch: (model) => findModel(model).arch,
  tokenizer: HUMAN_NUMBERS_TOKENIZER,
};
