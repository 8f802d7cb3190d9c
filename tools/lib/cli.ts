/**
 * Shared pieces of the command-line tools: usage errors, and number flags checked against
 * their allowed range.
 *
 * @module
 */

/** A mistake in how a tool was called: printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
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
  const value = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`--${flag} must be an integer in ${min}..${max}: got "${text}"`);
  }
  return value;
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
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value <= min || value > max) {
    throw new UsageError(`--${flag} must be a number in (${min}, ${max}]: got "${text}"`);
  }
  return value;
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
