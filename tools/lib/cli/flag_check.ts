/**
 * The checks `parseFlags` makes before `node:util`'s `parseArgs` sees a command line, so that a
 * misspelt flag names the closest real one, a flag without its value says so, and a negative
 * number reaches the flag's own range check (`parseArgs` calls `--temperature -1` "ambiguous").
 *
 * @module
 */

import type { ParseArgsOptionsConfig } from "node:util";

/** A mistake in the flags themselves (the caller turns it into a usage error). */
export class FlagError extends Error {
  override name = "FlagError";
}

/** A value that reads as a negative number (`-1`, `-0.5`, `-.5`, `-1e-3`, `-Infinity`). */
const NEGATIVE_NUMBER = /^-(\d|\.\d|Infinity$)/;

/**
 * Checks a command line's flags and rewrites `--flag -1` as `--flag=-1`.
 *
 * @param args The arguments.
 * @param options The tool's flags (`help` included).
 * @param help How to list the flags (`deno task train --help`), for the messages.
 * @returns The arguments, with negative numbers joined to their string flags.
 * @throws FlagError for an unknown flag (with the closest known one, if any is close), or a
 *   string flag without its value.
 */
export function checkFlags(
  args: readonly string[],
  options: ParseArgsOptionsConfig,
  help: string,
): string[] {
  const out: string[] = [];
  const shorts = new Map(
    Object.entries(options).flatMap(([name, o]) => o.short ? [[o.short, name] as const] : []),
  );
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      out.push(...args.slice(i)); // everything after "--" is positional, as parseArgs reads it
      break;
    }
    const name = flagName(arg, shorts);
    if (name === undefined) {
      out.push(arg);
      continue;
    }
    const option = options[name];
    if (!option) throw new FlagError(unknownFlag(arg.split("=")[0], Object.keys(options), help));
    if (option.type !== "string" || arg.includes("=")) {
      out.push(arg);
      continue;
    }
    const value = args[i + 1];
    // A value that reads as a flag is a missing value; any other, "-" (stdin) and negative
    // numbers included, is the flag's to check.
    if (value === undefined || looksLikeFlag(value)) {
      throw new FlagError(
        `--${name} needs a value: got ${
          value === undefined ? "the end of the command line" : JSON.stringify(value)
        } (${help} lists the flags)`,
      );
    }
    out.push(`--${name}=${value}`);
    i++;
  }
  return out;
}

/** Whether an argument reads as a flag (`--n`, `-h`) rather than a value (`-`, `-1`, `-x1`). */
function looksLikeFlag(arg: string): boolean {
  if (NEGATIVE_NUMBER.test(arg)) return false;
  return (arg.startsWith("--") && arg.length > 2) || /^-[^\d-]$/.test(arg);
}

/** The flag an argument names (`--hidden`, `--hidden=8`, `-h`), or undefined for a value. */
function flagName(arg: string, shorts: ReadonlyMap<string, string>): string | undefined {
  if (arg.startsWith("--") && arg.length > 2) return arg.slice(2).split("=")[0];
  if (arg.startsWith("-") && arg.length === 2 && !/\d/.test(arg[1])) {
    return shorts.get(arg[1]) ?? arg; // an unknown short flag is reported as written
  }
  return undefined;
}

/** The message for an unknown flag: the closest known flag, or that there is none. */
function unknownFlag(arg: string, known: readonly string[], help: string): string {
  const closest = closestFlag(arg.replace(/^-+/, ""), known);
  const hint = closest === undefined ? "no flag is close to it" : `did you mean --${closest}?`;
  return `unknown flag ${arg}: ${hint} (${help} lists the flags)`;
}

/**
 * The known flag closest to a misspelt one: the fewest edits (Levenshtein), at most a third of
 * the word's length (one edit at least), or a known flag that starts with it (`--hid`).
 *
 * @param name The flag as given, without dashes.
 * @param known The tool's flags.
 * @returns The closest flag, or undefined when none is close.
 */
export function closestFlag(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(name.length / 3));
  for (const k of known) {
    const d = editDistance(name, k);
    if (d <= bestDistance && (best === undefined || d < bestDistance)) {
      best = k;
      bestDistance = d;
    }
  }
  if (best !== undefined) return best;
  const prefixed = known.filter((k) => name.length >= 2 && k.startsWith(name));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/** Levenshtein distance: insertions, deletions and substitutions, one each. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        previous[j] + 1,
        row[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = row;
  }
  return previous[b.length];
}
