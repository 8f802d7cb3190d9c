/**
 * Running the CLIs from tests as a user runs them: `deno run` with the permissions the deno
 * tasks give (so Deno's own refusals show as users see them), in the project folder.
 *
 * @module
 */

/** The project root. */
export const ROOT: string = decodeURIComponent(new URL("../../", import.meta.url).pathname);

/** The permissions of the training tasks in `deno.json`. */
export const PERMS: readonly string[] = [
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-ffi",
  "--allow-sys",
];

const TASKS: Readonly<Record<string, string>> = JSON.parse(
  Deno.readTextFileSync(`${ROOT}deno.json`),
).tasks;

/**
 * The permissions `deno.json`'s task gives `tools/<name>.ts` (`PERMS` for a tool no task runs).
 *
 * @param name Tool name.
 * @returns Its `--allow-*` flags.
 */
export function taskPermissions(name: string): readonly string[] {
  const task = Object.values(TASKS).find((t) => t.includes(` tools/${name}.ts`));
  return task ? task.split(/\s+/).filter((a) => a.startsWith("--allow-")) : PERMS;
}

/** What a tool printed. */
export interface ToolResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The command that runs `tools/<name>.ts`.
 *
 * @param name Tool name (`train`, `export`, ...).
 * @param args Its arguments.
 * @returns The command, stdout and stderr piped.
 */
export function toolCommand(name: string, args: readonly string[]): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", ...taskPermissions(name), `tools/${name}.ts`, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  });
}

/**
 * Runs `tools/<name>.ts` to the end.
 *
 * @param name Tool name.
 * @param args Its arguments.
 * @returns Exit code and output.
 */
export async function runTool(name: string, args: readonly string[]): Promise<ToolResult> {
  const out = await toolCommand(name, args).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

/** What a finished `train` leaves in its run folder. */
export const RUN_FILES: readonly string[] = [
  "checkpoint.safetensors",
  "curves.svg",
  "eval.onnx",
  "grad.onnx",
  "infer.onnx",
  "metrics.jsonl",
  "report.html",
  "train.onnx",
];
