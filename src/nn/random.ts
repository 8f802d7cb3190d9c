/**
 * A small seeded random number generator (sfc32 seeded through splitmix32), so that every
 * random draw in onnx-lm (initialization, dropout masks) is reproducible from one seed.
 *
 * @module
 */

/** A seeded stream of random numbers. */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | undefined;

  /**
   * A generator seeded by `seed`.
   *
   * @param seed Any integer; the same seed always gives the same stream.
   */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new Error(`Random seed must be an integer: got ${seed}`);
    // Both 32-bit halves of the seed feed the state, so distinct safe integers (0 and -1,
    // 1 and 2**32) give distinct streams.
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 2 ** 32) >>> 0;
    let s = lo;
    const splitmix = () => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = splitmix();
    this.b = splitmix();
    s = hi ^ 0x6a09e667;
    this.c = splitmix();
    this.d = splitmix();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform number in [0, 1) with 53 random bits. */
  next(): number {
    return (this.nextUint32() * 2 ** 21 + (this.nextUint32() >>> 11)) / 2 ** 53;
  }

  /**
   * A uniform number in [lo, hi).
   *
   * @param lo Lower bound.
   * @param hi Upper bound.
   */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** A standard normal number (Box-Muller; the second value of each pair is kept). */
  normal(): number {
    if (this.spare !== undefined) {
      const v = this.spare;
      this.spare = undefined;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * this.next();
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /**
   * An independent stream derived from this one (for example one per purpose), so adding
   * draws to one purpose never shifts another's.
   *
   * @returns The new generator.
   */
  fork(): Random {
    return new Random(this.nextUint32() * 2 ** 20 + (this.nextUint32() >>> 12));
  }
}
