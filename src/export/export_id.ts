/**
 * The export id binds an `.onnx` file to its sidecar. Export writes the two files one after the
 * other; a process killed between them leaves a new graph beside an old sidecar (or the
 * reverse), which can agree on the vocabulary size and still describe different runs. Both
 * files record the same id, and every reader refuses a pair whose ids differ.
 *
 * The id is a digest of what makes the export what it is, the facts the file records and the
 * weights, so that exporting the same checkpoint twice gives the same bytes (exports repeat
 * bit for bit like runs do). It detects accidents, not forgery: 64 bits from two independent
 * 32-bit lanes of a multiply-xor hash over 32-bit words, with no dependency and no async
 * WebCrypto call, since export also runs in the page.
 *
 * @module
 */

/** How a sidecar and a graph write the id: 16 lowercase hex digits. */
export const EXPORT_ID = /^[0-9a-f]{16}$/;

/**
 * The export id of a set of facts and weights.
 *
 * @param facts The facts the file records (its metadata, without the id), in order.
 * @param weights The weights, in the model's parameter order.
 * @returns 16 hex digits.
 */
export function exportId(
  facts: readonly (readonly [string, string])[],
  weights: Iterable<readonly [string, Float32Array]>,
): string {
  const lanes = new Lanes();
  lanes.text(JSON.stringify(facts));
  for (const [name, values] of weights) {
    lanes.text(name);
    lanes.words(new Uint32Array(values.buffer, values.byteOffset, values.length));
  }
  return lanes.hex();
}

/** Two 32-bit hash states, fed the same words with different seeds and multipliers. */
class Lanes {
  #a = 0x811c9dc5;
  #b = 0x9747b28c;

  text(value: string): void {
    const bytes = new TextEncoder().encode(value);
    const words = new Uint32Array(Math.ceil(bytes.length / 4) + 1);
    new Uint8Array(words.buffer).set(bytes);
    words[words.length - 1] = bytes.length; // "ab" + "c" and "a" + "bc" differ
    this.words(words);
  }

  words(words: Uint32Array): void {
    let a = this.#a, b = this.#b;
    for (let i = 0; i < words.length; i++) {
      const w = words[i];
      a = Math.imul(a ^ w, 0x01000193);
      a ^= a >>> 15;
      b = Math.imul(b ^ w, 0x5bd1e995);
      b ^= b >>> 13;
    }
    this.#a = Math.imul(a ^ words.length, 0x85ebca6b);
    this.#b = Math.imul(b ^ words.length, 0xc2b2ae35);
  }

  hex(): string {
    const fin = (h: number) => {
      h ^= h >>> 16;
      h = Math.imul(h, 0x85ebca6b);
      h ^= h >>> 13;
      return (h >>> 0).toString(16).padStart(8, "0");
    };
    return fin(this.#a) + fin(this.#b);
  }
}
