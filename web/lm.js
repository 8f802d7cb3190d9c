/**
 * The page's arithmetic, free of the DOM and of onnxruntime: tokenizing a prompt in the
 * book's tokens, softmax, top-k, greedy and seeded sampling. Plain ES module (no build step);
 * the tests import it too.
 *
 * @module
 */

/**
 * One token of the prompt as typed.
 *
 * @typedef {object} PromptToken
 * @property {string} token The word as shown (the vocabulary's spelling when known).
 * @property {number} id Its vocabulary index, or -1 when unknown.
 */

/**
 * Splits a prompt into the book's tokens: words and "." separated by whitespace. A word that
 * is not in the vocabulary but becomes known in lower case, or once a "." glued to it is
 * split off (`one.` → `one` `.`), is accepted in that form.
 *
 * @param {string} text The prompt.
 * @param {ReadonlyMap<string, number>} vocab Token → index.
 * @returns {PromptToken[]} The tokens, unknown ones with id -1.
 */
export function tokenize(text, vocab) {
  /** @type {PromptToken[]} */
  const out = [];
  /** @param {string} word */
  const lookup = (word) => vocab.get(word) ?? vocab.get(word.toLowerCase()) ?? -1;
  for (const word of text.split(/\s+/)) {
    if (word === "") continue;
    const id = lookup(word);
    if (id < 0 && vocab.has(".") && word.includes(".") && word !== ".") {
      const parts = word.split(/(\.)/).filter((p) => p !== "");
      if (parts.every((p) => lookup(p) >= 0)) {
        for (const p of parts) {
          const pid = lookup(p);
          out.push({ token: vocabWord(vocab, pid, p), id: pid });
        }
        continue;
      }
    }
    out.push({ token: id >= 0 ? vocabWord(vocab, id, word) : word, id });
  }
  return out;
}

/**
 * @param {ReadonlyMap<string, number>} vocab
 * @param {number} id
 * @param {string} fallback
 * @returns {string}
 */
function vocabWord(vocab, id, fallback) {
  if (vocab.get(fallback) === id) return fallback;
  for (const [word, i] of vocab) if (i === id) return word;
  return fallback;
}

/**
 * Softmax in float64 (max subtracted first, so large logits cannot overflow).
 *
 * @param {ArrayLike<number>} logits Scores.
 * @param {number} [temperature] Divides the logits (1).
 * @returns {Float64Array} Probabilities summing to 1.
 */
export function softmax(logits, temperature = 1) {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    out[i] = Math.exp((logits[i] - max) / temperature);
    sum += out[i];
  }
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

/**
 * The k largest probabilities, largest first; equal ones in index order.
 *
 * @param {ArrayLike<number>} probs Probabilities.
 * @param {number} k How many.
 * @returns {{ id: number, prob: number }[]} Indices with their probabilities.
 */
export function topK(probs, k) {
  return Array.from(probs, (prob, id) => ({ id, prob }))
    .sort((a, b) => b.prob - a.prob || a.id - b.id)
    .slice(0, k);
}

/**
 * Index of the largest score (the first one on ties): greedy decoding.
 *
 * @param {ArrayLike<number>} logits Scores.
 * @returns {number} The index.
 */
export function argmax(logits) {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  return best;
}

/**
 * A seeded pseudo-random generator (mulberry32): the same seed gives the same numbers.
 *
 * @param {number} seed An integer (taken modulo 2^32).
 * @returns {() => number} Uniform numbers in [0, 1).
 */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The next token: greedy at temperature 0, else drawn from softmax(logits / temperature).
 *
 * @param {ArrayLike<number>} logits Scores.
 * @param {number} temperature 0 or more.
 * @param {() => number} random Uniform numbers in [0, 1) (seeded).
 * @returns {number} The chosen index.
 */
export function pickToken(logits, temperature, random) {
  if (temperature === 0) return argmax(logits);
  const probs = softmax(logits, temperature);
  const r = random();
  let cumulative = 0;
  for (let i = 0; i < probs.length; i++) {
    cumulative += probs[i];
    if (r < cumulative) return i;
  }
  return argmax(logits); // r landed past a sum rounded below 1
}

/**
 * A size for people: `812 B`, `33.8 kB`, `1.2 MB`.
 *
 * @param {number} bytes Size.
 * @returns {string} The text.
 */
export function formatBytes(bytes) {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/**
 * Milliseconds for people: `0.084 ms`, `12.3 ms`, `1,204 ms`.
 *
 * @param {number} ms Duration.
 * @returns {string} The text.
 */
export function formatMs(ms) {
  if (ms < 1) return `${ms.toFixed(3)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  return `${Math.round(ms).toLocaleString("en")} ms`;
}

/**
 * The median of some numbers (NaN for none).
 *
 * @param {readonly number[]} values Numbers.
 * @returns {number} The median.
 */
export function median(values) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
