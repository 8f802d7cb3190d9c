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
import { intFlag, numberFlag, parseFlags, rangeFlag, runTool, UsageError } from "./lib/cli/cli.ts";
import { BEST_FILE, CHECKPOINT_FILE, readRunForExport } from "./lib/run/run_dir.ts";
import { FileKindError, readRegularFile } from "./lib/cli/regular_file.ts";
import { osProblem } from "./lib/cli/fs_errors.ts";
import { counted } from "../src/web/page_format.ts";

const USAGE =
  `Usage: deno task generate <run dir | model.onnx> --prompt TEXT | --prompt-file PATH [options]

Continues TEXT with a trained model: a run directory of deno task train, or an exported
<name>.onnx with its <name>.json beside it. Prints the continuation to stdout.

Options:
  --prompt TEXT      the text to continue (tokenized as the model's training text was);
                     --prompt - reads it from stdin
  --prompt-file PATH the text to continue, from a UTF-8 file (for long prompts)
  --n N              tokens to add (default 50)
  --temperature T    0 is greedy; above 0 samples from softmax(logits / T) (default 1)
  --top-k K          sample only among the K most likely tokens
  --top-p P          sample only among the most likely tokens whose probabilities sum to P,
                     in (0, 1] (nucleus sampling)
  --seed S           seed for sampling (default: a random one, printed to stderr)
  --best             a run directory's best epoch (train --save-best), not its last
  -h, --help         this help`;

/**
 * The most command line this reads. onnxruntime-node aborts the process with a native stack
 * overflow ("fatal runtime error: stack overflow", exit 134) once a process's arguments pass
 * about 24-32 KB; long prompts go through --prompt-file or stdin instead.
 */
const MAX_ARGS_BYTES = 16 * 1024;
/** The longest prompt file read. */
const MAX_PROMPT_BYTES = 64 * 1024 ** 2;

/** The prompt from --prompt TEXT, --prompt - (stdin) or --prompt-file PATH, and which flag. */
async function readPromptFlags(
  text: string | undefined,
  file: string | undefined,
): Promise<{ text: string; flag: string }> {
  const argBytes = Deno.args.reduce((n, a) => n + new TextEncoder().encode(a).length + 1, 0);
  if (argBytes > MAX_ARGS_BYTES) {
    throw new UsageError(
      `the command line is ${(argBytes / 1024).toFixed(0)} KB: onnxruntime-node aborts with a ` +
        `stack overflow once a process's arguments pass about 24 KB. Pass a long prompt with ` +
        `--prompt-file PATH, or --prompt - to read it from stdin`,
    );
  }
  if (text !== undefined && file !== undefined) {
    throw new UsageError("give the prompt once: --prompt or --prompt-file, not both");
  }
  if (file !== undefined) {
    let bytes: Uint8Array;
    try {
      bytes = await readRegularFile(file, "--prompt-file", MAX_PROMPT_BYTES);
    } catch (error) {
      if (error instanceof FileKindError) throw new UsageError(error.message);
      throw new UsageError(`--prompt-file ${file}: ${osProblem(error)}`);
    }
    return { text: utf8(bytes, `--prompt-file ${file}`), flag: `--prompt-file ${file}` };
  }
  if (text === "-") {
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of Deno.stdin.readable) {
      size += chunk.length;
      if (size > MAX_PROMPT_BYTES) throw new UsageError("--prompt -: stdin is over 64 MiB");
      chunks.push(chunk);
    }
    const all = new Uint8Array(size);
    chunks.reduce((at, c) => (all.set(c, at), at + c.length), 0);
    return { text: utf8(all, "--prompt - (stdin)"), flag: "--prompt - (stdin)" };
  }
  if (text === undefined) {
    throw new UsageError(`--prompt TEXT or --prompt-file PATH is required\n${USAGE}`);
  }
  return {
    text,
    flag: `--prompt ${JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text)}`,
  };
}

function utf8(bytes: Uint8Array, where: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes).replace(/\s+$/, "");
  } catch {
    throw new UsageError(`${where}: not UTF-8 text`);
  }
}

/** A run directory's model, exported in memory, or an exported `.onnx` with its sidecar. */
async function open(path: string, best: boolean): Promise<TextModel> {
  try {
    if (path.endsWith(".onnx")) {
      if (best) {
        throw new UsageError(`--best reads a run directory's best.safetensors, not an .onnx file`);
      }
      return await loadModel(path);
    }
    const file = best ? BEST_FILE : CHECKPOINT_FILE;
    const run = await readRunForExport(path, `Cannot generate with ${path}`, file);
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
    "prompt-file": { type: "string" },
    n: { type: "string" },
    temperature: { type: "string" },
    "top-k": { type: "string" },
    "top-p": { type: "string" },
    seed: { type: "string" },
    best: { type: "boolean" },
  }, USAGE);
  if (!parsed) return 0;
  const { values: flags, positionals } = parsed;
  if (positionals.length !== 1) {
    throw new UsageError(
      `expected one run directory or .onnx file, got ${positionals.length}\n${USAGE}`,
    );
  }
  const prompt = await readPromptFlags(flags.prompt, flags["prompt-file"]);
  const n = intFlag("n", flags.n, 1, 100_000, 50);
  // 0 is greedy, above 0 samples: one range, so -1 is told it must be at least 0.
  const temperature = rangeFlag("temperature", flags.temperature, { min: 0, max: 100 }, 1);
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

  const model = await open(positionals[0], flags.best ?? false);
  try {
    const { vocab, tokenizer } = model.sidecar;
    const read = model.readPrompt(prompt.text);
    if (read.problem) throw new UsageError(`${prompt.flag}: ${read.problem}`);
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
          ? `${counted(n, "token")}, greedy`
          : `${counted(n, "token")} at temperature ${temperature}${
            sampling ? `, ${sampling}` : ""
          }, ` +
            `seed ${seed}`),
    );
    let text: string;
    try {
      text = await model.generate(prompt.text, {
        n,
        temperature,
        ...(topK ? { topK } : {}),
        ...(topP !== undefined ? { topP } : {}),
        seed,
      });
    } catch (error) {
      if (error instanceof PromptError) throw new UsageError(`${prompt.flag}: ${error.message}`);
      throw error;
    }
    await Deno.stdout.write(new TextEncoder().encode(text + "\n"));
  } finally {
    await model.release();
  }
  return 0;
}

if (import.meta.main) await runTool(main);
