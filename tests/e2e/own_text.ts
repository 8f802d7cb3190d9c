/**
 * Own-text fixtures for the page's tests: a corpus written to a file, trained with the real
 * CLI (`tools/train.ts lm6 --text`) and exported with the real CLI (`tools/export.ts
 * --name`), as a person would; plus the baseline a model must beat on it.
 *
 * @module
 */

import { splitText, type TokenMode } from "../../src/data/tokenizer.ts";

const ROOT = decodeURIComponent(new URL("../../", import.meta.url).pathname);

/** What training on a corpus gave. */
export interface OwnTextModel {
  /** The model's name in the models directory. */
  readonly name: string;
  /** The last epoch of the run's `metrics.jsonl`. */
  readonly accuracy: number;
}

async function cli(args: string[]): Promise<void> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr);
    throw new Error(`deno run ${args.join(" ")}: expected exit code 0, got ${out.code}:\n${err}`);
  }
}

/**
 * Writes `text` to `<dir>/<name>.txt`, trains lm6 on it with `deno task train`'s CLI and
 * exports the run into `<dir>/models` as `<name>.onnx` + `<name>.json`.
 *
 * @param dir A scratch directory.
 * @param name The model's name.
 * @param text The corpus.
 * @param flags Training flags (`--tokens char`, `--epochs 3`, sizes).
 * @returns The model's name and final accuracy.
 */
export async function trainOwnText(
  dir: string,
  name: string,
  text: string,
  flags: readonly string[],
): Promise<OwnTextModel> {
  const corpus = `${dir}/${name}.txt`;
  const run = `${dir}/runs/${name}`;
  await Deno.writeTextFile(corpus, text);
  await cli(["tools/train.ts", "lm6", "--text", corpus, ...flags, "--out", run]);
  await cli(["tools/export.ts", run, "--out", `${dir}/models`, "--name", name]);
  const lines = (await Deno.readTextFile(`${run}/metrics.jsonl`)).trim().split("\n");
  return { name, accuracy: JSON.parse(lines.at(-1)!).accuracy };
}

/**
 * The accuracy of always predicting the corpus's most frequent token.
 *
 * @param text The corpus.
 * @param mode How it was split.
 * @returns The most frequent token's share of all tokens.
 */
export function mostFrequentShare(text: string, mode: TokenMode): number {
  const counts = new Map<string, number>();
  // Word runs keep line breaks as tokens (`textDefaults`).
  const tokens = splitText(text, { mode, lower: false, lines: mode === "word" });
  for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + 1);
  return Math.max(...counts.values()) / tokens.length;
}
