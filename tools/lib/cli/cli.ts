/**
 * Shared pieces of the command-line tools: parsing flags, usage errors, and number flags
 * checked against their allowed range.
 *
 * @module
 */

import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import {
  type NumberRange,
  NumberTextError,
  readInteger,
  readNumber,
} from "../../../src/contract/numbers.ts";
import { checkFlags, FlagError } from "./flag_check.ts";

/** A mistake in how a tool was called: printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * Parses a tool's command line with `node:util`'s `parseArgs`, adding `-h`/`--help`.
 * An unknown flag is a `UsageError` naming the closest known flag, a flag without its value is
 * one too, and a negative number after a string flag is its value (for its range check).
 *
 * @param args The arguments (`Deno.args`).
 * @param options The tool's flags.
 * @param usage The tool's usage text, printed for `--help` and after a mistake.
 * @returns The flags and positional arguments, or undefined when help was printed.
 * @throws UsageError for an unknown flag or a flag without its value.
 */
export function parseFlags<const T extends ParseArgsOptionsConfig>(
  args: string[],
  options: T,
  usage: string,
) {
  const all = { ...options, help: { type: "boolean", short: "h" } } as const;
  // "Usage: deno task train <model>" names the tool, for the pointer to its --help.
  const help = `${/Usage: (deno task \S+)/.exec(usage)?.[1] ?? "the tool's"} --help`;
  let parsed;
  try {
    parsed = parseArgs({ args: checkFlags(args, all, help), allowPositionals: true, options: all });
  } catch (error) {
    if (error instanceof FlagError) throw new UsageError(error.message);
    throw new UsageError(`${(error as Error).message}\n${usage}`);
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(usage);
    return undefined;
  }
  return parsed;
}

/**
 * An integer flag in `[min, max]`, or the fallback when absent.
 *
 * @param flag Flag name without dashes.
 * @param text The flag's value.
 * @param min Smallest allowed.
 * @param max Largest allowed.
 * @param fallback Value when the flag is absent.
 * @returns The integer.
 */
export function intFlag(
  flag: string,
  text: string | undefined,
  min: number,
  max: number,
  fallback: number,
): number {
  if (text === undefined) return fallback;
  return asUsage(() => readInteger(`--${flag}`, text, min, max));
}

/**
 * A number flag in `(min, max]`, or the fallback when absent.
 *
 * @param flag Flag name without dashes.
 * @param text The flag's value.
 * @param min Exclusive lower bound.
 * @param max Inclusive upper bound.
 * @param fallback Value when the flag is absent.
 * @returns The number.
 */
export function numberFlag(
  flag: string,
  text: string | undefined,
  min: number,
  max: number,
  fallback: number,
): number {
  if (text === undefined) return fallback;
  return asUsage(() => readNumber(`--${flag}`, text, { above: min, max }));
}

/**
 * A number flag in a range (`{ min, max }` or `{ above, max }`), or the fallback when absent.
 *
 * @param flag Flag name without dashes.
 * @param text The flag's value.
 * @param range The allowed range.
 * @param fallback Value when the flag is absent.
 * @returns The number.
 */
export function rangeFlag(
  flag: string,
  text: string | undefined,
  range: NumberRange,
  fallback: number,
): number {
  if (text === undefined) return fallback;
  return asUsage(() => readNumber(`--${flag}`, text, range));
}

/** The number reader's message as a usage error (exit code 2). */
function asUsage(read: () => number): number {
  try {
    return read();
  } catch (error) {
    if (error instanceof NumberTextError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * Runs a tool's main function: usage errors and expected failures print one line to stderr
 * (no stack trace) and set the exit code.
 *
 * @param main The tool.
 */
export async function runTool(main: () => Promise<number>): Promise<void> {
  try {
    Deno.exitCode = await main();
  } catch (error) {
    const e = error as Error;
    console.error(`error: ${e.message}`);
    if (Deno.env.get("ONNX_LM_DEBUG")) console.error(e.stack);
    Deno.exitCode = e instanceof UsageError ? 2 : 1;
  }
}
