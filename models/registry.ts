/**
 * The book's models with their training recipes, by name, plus aliases.
 *
 * @module
 */

import type { LanguageModel } from "../src/nn/language_model.ts";
import { GRUModel } from "./gru_model.ts";
import { LMModel1 } from "./lm_model1.ts";
import { LMModel2 } from "./lm_model2.ts";
import { LMModel3 } from "./lm_model3.ts";
import { LMModel4 } from "./lm_model4.ts";
import { LMModel5 } from "./lm_model5.ts";
import { LMModel6 } from "./lm_model6.ts";
import { LMModel7 } from "./lm_model7.ts";

/** Which Human Numbers pipeline a model trains on (BOOK.md, "Data pipelines"). */
export type DataKind = "three-token" | "three-token-stateful" | "sequence";

/** fastai's `fit_one_cycle` recipe for one model. */
export interface Recipe {
  readonly data: DataKind;
  readonly epochs: number;
  readonly lrMax: number;
  /** Decoupled weight decay (fastai's default 0.01; LMModel7's TextLearner 0.1). */
  readonly wd: number;
  /** Adam momentum over the one-cycle phases. */
  readonly moms: readonly [number, number, number];
  /** Activation regularization weight (LMModel7). */
  readonly ar?: number;
  /** Temporal activation regularization weight (LMModel7). */
  readonly tar?: number;
  readonly batchSize: number;
  /** Tokens per sample: 3 or 16. */
  readonly seqLen: number;
}

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
  /** A fresh, untrained model. */
  readonly create: () => LanguageModel;
}

const VOCAB = 30;
const HIDDEN = 64;
const DEFAULT_MOMS = [0.95, 0.85, 0.95] as const;
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
export const MODELS: readonly ModelEntry[] = [
  {
    name: "lm1",
    description: "LMModel1: 3 unrolled steps over 3 tokens (4 epochs, lr 1e-3)",
    bookAccuracy: 0.494,
    target: 0.49,
    recipe: { ...three, epochs: 4, lrMax: 1e-3 },
    create: () => new LMModel1(VOCAB, HIDDEN),
  },
  {
    name: "lm2",
    description: "LMModel2: LMModel1 as a loop (4 epochs, lr 1e-3)",
    bookAccuracy: 0.470,
    target: 0.47,
    recipe: { ...three, epochs: 4, lrMax: 1e-3 },
    create: () => new LMModel2(VOCAB, HIDDEN),
  },
  {
    name: "lm3",
    description: "LMModel3: stateful RNN, truncated BPTT (10 epochs, lr 3e-3)",
    bookAccuracy: 0.589,
    target: 0.56,
    recipe: { ...three, data: "three-token-stateful", epochs: 10, lrMax: 3e-3 },
    create: () => new LMModel3(VOCAB, HIDDEN),
  },
  {
    name: "lm4",
    description: "LMModel4: predicts after every one of 16 tokens (15 epochs, lr 3e-3)",
    bookAccuracy: 0.640,
    target: 0.60,
    recipe: { ...sequence, epochs: 15, lrMax: 3e-3 },
    create: () => new LMModel4(VOCAB, HIDDEN),
  },
  {
    name: "lm5",
    description: "LMModel5: 2-layer tanh RNN (15 epochs, lr 3e-3)",
    bookAccuracy: 0.488,
    target: 0.45,
    recipe: { ...sequence, epochs: 15, lrMax: 3e-3 },
    create: () => new LMModel5(VOCAB, HIDDEN, 2),
  },
  {
    name: "lm6",
    description: "LMModel6: 2-layer LSTM (15 epochs, lr 1e-2)",
    bookAccuracy: 0.758,
    target: 0.75,
    recipe: { ...sequence, epochs: 15, lrMax: 1e-2 },
    create: () => new LMModel6(VOCAB, HIDDEN, 2),
  },
  {
    name: "lm7",
    description:
      "LMModel7: weight-tied LSTM, dropout 0.4, AR 2, TAR 1 (15 epochs, lr 1e-2, wd 0.1)",
    bookAccuracy: 0.869,
    target: 0.87,
    recipe: { ...sequence, epochs: 15, lrMax: 1e-2, wd: 0.1, moms: [0.8, 0.7, 0.8], ar: 2, tar: 1 },
    create: () => new LMModel7(VOCAB, HIDDEN, 2, 0.4),
  },
  {
    name: "gru",
    description: "2-layer GRU, the chapter's exercise (15 epochs, lr 1e-2)",
    target: 0.80,
    recipe: { ...sequence, epochs: 15, lrMax: 1e-2 },
    create: () => new GRUModel(VOCAB, HIDDEN, 2),
  },
];

/** Other names for some models. */
export const ALIASES: Readonly<Record<string, string>> = {
  rnn: "lm5",
  lstm: "lm6",
  "awd-lstm": "lm7",
};

/**
 * The model registered under a name or alias.
 *
 * @param name `lm1`..`lm7`, `gru`, `rnn`, `lstm` or `awd-lstm`.
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
