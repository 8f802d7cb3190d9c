/**
 * `deno task generate <run dir | exported .onnx> --prompt "..."`: continues a prompt with a
 * trained model, like fastai's `learn.predict(text, n_words, temperature)`, through the model
 * API (`loadModel`), as the page does. The continuation alone goes to stdout; everything else
 * (model, seed, substitutions) to stderr.
 *
 * @module
 */

import { loadModel, type TextModel } from "../src/api/mod.ts";
import { ModelLoadError } from "../src/api/model_source.ts";
import { PromptError } from "../src/api/prompt.ts";
import { UNK } from "../src/data/tokenizer.ts";
import { exportModel } from "../src/export/export_model.ts";
import { intFlag, numberFlag, parseFlags, runTool, UsageError } from "./lib/cli/cli.ts";
import { readRunForExport } from "./lib/run/run_dir.ts";

const USAGE = `Usage: deno task generate <run dir | model.onnx> --prompt TEXT [options]

Continues TEXT with a trained model: a run directory of deno task train, or an exported
<name>.onnx with its <name>.json beside it. Prints the continuation to stdout.

Options:
  --prompt TEXT      the text to continue (tokenized as the model's training text was)
  --n N              tokens to add (default 50)
  --temperature T    0 is greedy; above 0 samples from softmax(logits / T) (default 1)
  --top-k K          sample only among the K most likely tokens
  --top-p P          sample only among the most likely tokens whose probabilities sum to P,
                     in (0, 1] (nucleus sampling)
  --seed S           seed for sampling (default: a random one, printed to stderr)
  -h, --help         this help`;

/** A run directory's model, exported in memory, or an exported `.onnx` with its sidecar. */
async function open(path: string): Promise<TextModel> {
  try {
    if (path.endsWith(".onnx")) return await loadModel(path);
    const run = await readRunForExport(path, `Cannot generate with ${path}`);
    const { sidecar, files } = exportModel(run.model, run.weights, run.info);
    return await loadModel(files.get(sidecar.file)!, { sidecar });
  } catch (error) {
    if (error instanceof ModelLoadError) throw new Error(error.message);
    throw error;
  }
}

async function main(): Promise<number> {
  const parsed = parseFlags(Deno.args, {
    prompt: { type: "string" },
    n: { type: "string" },
    temperature: { type: "string" },
    "top-k": { type: "string" },
    "top-p": { type: "string" },
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
  const topP = flags["top-p"] === undefined
    ? undefined
    : numberFlag("top-p", flags["top-p"], 0, 1, 1);
  const seed = intFlag(
    "seed",
    flags.seed,
    0,
    2 ** 32 - 1,
    crypto.getRandomValues(new Uint32Array(1))[0],
  );

  const model = await open(positionals[0]);
  try {
    const { vocab, tokenizer } = model.sidecar;
    const read = model.readPrompt(flags.prompt);
    if (read.problem) {
      throw new UsageError(`--prompt ${JSON.stringify(flags.prompt)}: ${read.problem}`);
    }
    if (read.unknown.length) {
      console.error(`note: ${read.unknown.map((t) => JSON.stringify(t)).join(", ")} became ${UNK}`);
    }
    const sampling = [
      topK ? `top-k ${topK}` : "",
      topP !== undefined && topP < 1 ? `top-p ${topP}` : "",
    ].filter(Boolean).join(", ");
    console.error(
      `${model.name}: ${tokenizer.mode} tokens, vocabulary ${vocab.length}; ` +
        (temperature === 0
          ? `${n} tokens, greedy`
          : `${n} tokens at temperature ${temperature}${sampling ? `, ${sampling}` : ""}, ` +
            `seed ${seed}`),
    );
    let text: string;
    try {
      text = await model.generate(flags.prompt, {
        n,
        temperature,
        ...(topK ? { topK } : {}),
        ...(topP !== undefined ? { topP } : {}),
        seed,
      });
    } catch (error) {
      if (error instanceof PromptError) throw new UsageError(`--prompt: ${error.message}`);
      throw error;
    }
    await Deno.stdout.write(new TextEncoder().encode(text + "\n"));
  } finally {
    await model.release();
  }
  return 0;
}

if (import.meta.main) await runTool(main);
