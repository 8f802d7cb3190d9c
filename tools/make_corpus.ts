/**
 * `deno task make-corpus`: writes a word corpus from a seed (Zipf-distributed words over a
 * vocabulary of made-up words, sentences of 5 to 20 of them), for benchmarks and for
 * measuring large files without committing one. The same flags give the same bytes.
 *
 * @module
 */

import { mulberry32 } from "../src/generate/sampling.ts";
import { intFlag, numberFlag, parseFlags, runTool, UsageError } from "./lib/cli/cli.ts";

const USAGE = `Usage: deno task make-corpus --out FILE [--mb N] [--words N] [--seed N]

Writes about N megabytes (default 3) of sentences over N distinct words (default 10000, Zipf
distributed), from a seed (default 1).`;

async function main(): Promise<number> {
  const parsed = parseFlags(Deno.args, {
    out: { type: "string" },
    mb: { type: "string" },
    words: { type: "string" },
    seed: { type: "string" },
  }, USAGE);
  if (!parsed) return 0;
  const { values } = parsed;
  if (!values.out) throw new UsageError(`--out FILE is required\n${USAGE}`);
  const mb = numberFlag("mb", values.mb, 0, 10_000, 3);
  const nWords = intFlag("words", values.words, 1, 10_000_000, 10_000);
  const random = mulberry32(intFlag("seed", values.seed, 0, 2 ** 32 - 1, 1));
  const letters = "abcdefghijklmnopqrstuvwxyz";
  // Word i: its index in base 26 plus a random letter, so words are distinct and look varied.
  const words = Array.from({ length: nWords }, (_, i) => {
    let w = "";
    for (let k = i + 1; k > 0; k = Math.floor(k / 26)) w += letters[k % 26];
    return w + letters[Math.floor(random() * 26)];
  });
  const cdf = new Float64Array(nWords);
  let total = 0;
  for (let i = 0; i < nWords; i++) cdf[i] = total += 1 / (i + 1);
  const pick = () => {
    const r = random() * total;
    let lo = 0, hi = nWords - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < r) lo = mid + 1;
      else hi = mid;
    }
    return words[lo];
  };
  const file = await Deno.open(values.out, { write: true, create: true, truncate: true });
  const encoder = new TextEncoder();
  let bytes = 0;
  try {
    while (bytes < mb * 1e6) {
      let chunk = "";
      for (let s = 0; s < 1000; s++) {
        const n = 5 + Math.floor(random() * 16);
        chunk += Array.from({ length: n }, pick).join(" ") + (random() < 0.3 ? " ,\n" : " .\n");
      }
      const b = encoder.encode(chunk);
      for (let w = 0; w < b.length;) w += await file.write(b.subarray(w));
      bytes += b.length;
    }
  } finally {
    file.close();
  }
  console.error(`wrote ${values.out}: ${(bytes / 1e6).toFixed(1)} MB over ${nWords} words`);
  return 0;
}

if (import.meta.main) await runTool(main);
