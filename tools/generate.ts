/**
 * `deno task generate <run dir | exported .onnx> --prompt "..."`: continues a prompt with a
 * trained model, like fastai's `learn.predict(text, n_words, temperature)`. The continuation
 * alone goes to stdout; everything else (model, seed, substitutions) to stderr.
 *
 * @module
 */

import { encodePrompt } from "../src/data/prompt.ts";
import { BOS, joinTokens, UNK } from "../src/data/tokenizer.ts";
import { exportModel } from "../src/export/export_model.ts";
import { readSidecarText, type Sidecar, sidecarMismatch } from "../src/export/sidecar.ts";
import { decodeModel } from "../src/onnx/decode.ts";
import { generate, PromptError } from "../src/generate/generate.ts";
import { mulberry32 } from "../src/generate/sampling.ts";
import { Session } from "../src/train/session.ts";
import { intFlag, numberFlag, parseFlags, runTool, UsageError } from "./lib/cli.ts";
import { osProblem } from "./lib/fs_errors.ts";
import { readRunForExport } from "./lib/run_export.ts";

const USAGE = `Usage: deno task generate <run dir | model.onnx> --prompt TEXT [options]

Continues TEXT with a trained model: a run directory of deno task train, or an exported
<name>.onnx with its <name>.json beside it. Prints the continuation to stdout.

Options:
  --prompt TEXT      the text to continue (tokenized as the model's training text was)
  --n N              tokens to add (default 50)
  --temperature T    0 is greedy; above 0 samples from softmax(logits / T) (default 1)
  --top-k K          sample only among the K most likely tokens
  --seed S           seed for sampling (default: a random one, printed to stderr)
  -h, --help         this help`;

/** An exported model's sidecar and step graph, from a run directory or an export. */
async function openModel(path: string): Promise<{ sidecar: Sidecar; bytes: Uint8Array }> {
  if (path.endsWith(".onnx")) {
    const jsonPath = `${path.slice(0, -".onnx".length)}.json`;
    let text: string;
    try {
      text = await Deno.readTextFile(jsonPath);
    } catch (error) {
      const why = error instanceof Deno.errors.NotFound ? "is missing" : `: ${osProblem(error)}`;
      throw new Error(`Cannot generate with ${path}: its sidecar ${jsonPath} ${why}`);
    }
    const sidecar = readSidecarText(text, jsonPath);
    // The path given is the model: a renamed pair works, whatever "file" the sidecar names.
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(path);
    } catch (error) {
      throw new Error(`Cannot read ${path}: ${osProblem(error)}`);
    }
    const mismatch = sidecarMismatch(decodeModel(bytes, path), sidecar, path);
    if (mismatch) throw new Error(`Cannot generate: ${mismatch}`);
    return { sidecar, bytes };
  }
  const run = await readRunForExport(path, `Cannot generate with ${path}`);
  const { sidecar, files } = exportModel(run.model, run.weights, run.info);
  return { sidecar, bytes: files.get(sidecar.file)! };
}

async function main(): Promise<number> {
  const parsed = parseFlags(Deno.args, {
    prompt: { type: "string" },
    n: { type: "string" },
    temperature: { type: "string" },
    "top-k": { type: "string" },
    seed: { type: "string" },
  }, USAGE);
  if (!parsed) return 0;
  const { values: flags, positionals } = parsed;
  if (positionals.length !== 1) {
    throw new UsageError(
      `expected one run directory or .onnx file, got ${positionals.length}\n${USAGE}`,
    );
  }
  if (flags.prompt === undefined) throw new UsageError(`--prompt TEXT is required\n${USAGE}`);
  const n = intFlag("n", flags.n, 1, 100_000, 50);
  // 0 (or 0.0) is greedy; anything else must be a positive temperature.
  const temperature = flags.temperature !== undefined && flags.temperature.trim() !== "" &&
      Number(flags.temperature) === 0
    ? 0
    : numberFlag("temperature", flags.temperature, 0, 100, 1);
  const topK = flags["top-k"] === undefined
    ? undefined
    : intFlag("top-k", flags["top-k"], 1, 1_000_000, 1);
  const seed = intFlag(
    "seed",
    flags.seed,
    0,
    2 ** 32 - 1,
    crypto.getRandomValues(new Uint32Array(1))[0],
  );

  const { sidecar, bytes } = await openModel(positionals[0]);
  const { vocab, tokenizer } = sidecar;
  const tokens = encodePrompt(flags.prompt, tokenizer, vocab);
  const unknown = tokens.filter((t) => t.unknown);
  if (tokens.length && unknown.length === tokens.length) {
    throw new UsageError(
      `--prompt ${JSON.stringify(flags.prompt)}: every token is unknown to the model ` +
        `(${unknown.slice(0, 5).map((t) => JSON.stringify(t.text)).join(", ")}); ` +
        `its vocabulary starts ${vocab.slice(0, 12).map((w) => JSON.stringify(w)).join(", ")}`,
    );
  }
  if (unknown.length && tokens.some((t) => t.id < 0)) {
    throw new UsageError(
      `--prompt: ${unknown.map((t) => JSON.stringify(t.text)).join(", ")} not in the vocabulary ` +
        `of ${sidecar.model}, which has no ${UNK} token; it knows ${
          vocab.map((w) => JSON.stringify(w)).join(", ").slice(0, 400)
        }`,
    );
  }
  if (unknown.length) {
    console.error(
      `note: ${unknown.map((t) => JSON.stringify(t.text)).join(", ")} became ${UNK}`,
    );
  }
  // Like fastai's tokenizer, a model trained on files that start with xxbos sees one first.
  const ids = tokenizer.specials.includes(BOS)
    ? [vocab.indexOf(BOS), ...tokens.map((t) => t.id)]
    : tokens.map((t) => t.id);
  if (ids.length === 0) throw new UsageError(`--prompt is empty: give the text to continue`);
  const banned = vocab.includes(UNK) ? [vocab.indexOf(UNK)] : [];
  console.error(
    `${sidecar.model}: ${sidecar.tokenizer.mode} tokens, vocabulary ${vocab.length}; ` +
      (temperature === 0
        ? `${n} tokens, greedy`
        : `${n} tokens at temperature ${temperature}${
          topK ? `, top-k ${topK}` : ""
        }, seed ${seed}`),
  );
  const session = await Session.create(bytes, { source: sidecar.file, threads: 1 });
  let chosen: number[];
  try {
    chosen = await generate(sidecar, (feeds) => session.run(feeds), ids, {
      n,
      sampling: { temperature, ...(topK ? { topK } : {}), banned },
      random: mulberry32(seed),
    });
  } catch (error) {
    if (error instanceof PromptError) throw new UsageError(`--prompt: ${error.message}`);
    throw error;
  } finally {
    await session.release();
  }
  const text = joinTokens(chosen.map((id) => vocab[id]), tokenizer.mode, tokens.length > 0);
  await Deno.stdout.write(new TextEncoder().encode(text + "\n"));
  return 0;
}

if (import.meta.main) await runTool(main);
