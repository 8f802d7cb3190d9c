/**
 * Turning a stream of token indices into (input, target) samples, as the book does.
 * @module
 */

/** One training example: an input window and its target(s). */
export interface Sample<Y extends number | number[]> {
  /** Input token indices. */
  x: number[];
  /** Target: one index (predict the next word) or one per input position. */
  y: Y;
}

/** A 3-token sample for LMModel1-3: three words in, the next word out. */
export type TokenSample = Sample<number>;

/** A sequence sample for LMModel4-7: `sl` words in, the same words shifted by one out. */
export type SequenceSample = Sample<number[]>;

/** Throw unless `value` is an integer of at least `min`. */
function checkInt(fn: string, name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${fn}: ${name} must be an integer >= ${min}: got ${value}`);
  }
}

/**
 * Non-overlapping 3-token samples: `(nums[i:i+3], nums[i+3])` for
 * `i in range(0, len(nums) - 4, 3)`.
 *
 * The `- 4` (not `- 3`) is the book's; it can leave out a last sample that would fit, and
 * we keep it so the count is the book's 21,031.
 *
 * @param nums The corpus as token indices.
 * @returns The samples in corpus order.
 */
export function threeTokenSamples(nums: readonly number[]): TokenSample[] {
  const out: TokenSample[] = [];
  for (let i = 0; i < nums.length - 4; i += 3) {
    out.push({ x: nums.slice(i, i + 3), y: nums[i + 3] });
  }
  return out;
}

/**
 * Non-overlapping sequence samples: `(nums[i:i+sl], nums[i+1:i+sl+1])` for
 * `i in range(0, len(nums) - sl - 1, sl)`.
 *
 * @param nums The corpus as token indices.
 * @param sl Sequence length, at least 1.
 * @returns The samples in corpus order.
 * @throws {RangeError} When `sl` is not a positive integer.
 */
export function sequenceSamples(nums: readonly number[], sl: number): SequenceSample[] {
  checkInt("sequenceSamples()", "sl", sl, 1);
  const out: SequenceSample[] = [];
  for (let i = 0; i < nums.length - sl - 1; i += sl) {
    out.push({ x: nums.slice(i, i + sl), y: nums.slice(i + 1, i + sl + 1) });
  }
  return out;
}

/**
 * Split samples in order into train and validation parts at `cut = floor(frac * n)`.
 *
 * This is Python's `int(len(seqs) * 0.8)`: the same float64 product, truncated, so the cut
 * matches the book exactly (16,824 of 21,031; 3,154 of 3,943).
 *
 * @param samples The samples, in corpus order.
 * @param frac Fraction that goes to training, in [0, 1]; default 0.8.
 * @returns `train` = `samples[:cut]`, `valid` = `samples[cut:]`, and `cut`.
 * @throws {RangeError} When `frac` is outside [0, 1].
 */
export function splitSamples<S>(
  samples: readonly S[],
  frac = 0.8,
): { train: S[]; valid: S[]; cut: number } {
  if (!(frac >= 0 && frac <= 1)) {
    throw new RangeError(`splitSamples(): frac must be in [0, 1]: got ${frac}`);
  }
  const cut = Math.floor(frac * samples.length);
  return { train: samples.slice(0, cut), valid: samples.slice(cut), cut };
}
