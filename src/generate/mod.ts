/**
 * Choosing tokens from a model's logits: greedy, temperature, top-k and top-p, seeded. The
 * generation loop itself is the model API's (`src/api/`).
 *
 * @module
 */

export {
  argmax,
  mulberry32,
  nucleus,
  pickToken,
  type SamplingOptions,
  softmax,
  topK,
} from "./sampling.ts";
