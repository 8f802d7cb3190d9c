/**
 * OS errors in plain words, mapped once for every tool: a failed file operation becomes one
 * line naming the flag (or role) and the path, never a bare "Not a directory (os error 20)" or
 * Deno's advice to pass `--allow-all`, which a `deno task` user cannot do.
 *
 * @module
 */

import { UsageError } from "./cli.ts";

/** Raised for a path a tool cannot use; the message names the flag and the path. */
export class PathError extends Error {
  override name = "PathError";
}

/**
 * What went wrong, in words.
 *
 * @param error An error thrown by a `Deno` file operation.
 * @returns A phrase such as "a part of the path is a file, not a directory".
 */
export function osProblem(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "no such file or directory";
  if (error instanceof Deno.errors.NotADirectory) {
    return "a part of the path is a file, not a directory";
  }
  if (error instanceof Deno.errors.IsADirectory) return "it is a directory, not a file";
  if (error instanceof Deno.errors.AlreadyExists) return "it already exists";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (error instanceof Deno.errors.NotCapable) {
    return "Deno does not let deno tasks write there (a system path); choose a path in your " +
      "project or home directory";
  }
  const message = (error as Error)?.message ?? String(error);
  // "No space left on device (os error 28): write 'x'" → "no space left on device"
  const plain = message.replace(/\s*\(os error \d+\).*$/s, "");
  return plain.charAt(0).toLowerCase() + plain.slice(1);
}

/**
 * Runs file work on a path; an OS error becomes a PathError naming `what` and `path`.
 *
 * @param what The flag or role (`--out`, `the run directory`).
 * @param path The path.
 * @param work The file operations.
 * @returns What `work` returns.
 * @throws PathError `${what} ${path}: ${osProblem}`.
 */
export async function atPath<T>(what: string, path: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    // Deno's typed errors, and the OS errors it has no class for (EBUSY: "(os error 16)").
    const os = (error as Error)?.name in Deno.errors || /\(os error \d+\)/.test(String(error));
    if (os) {
      throw new PathError(`${what} ${path}: ${osProblem(error)}`);
    }
    throw error;
  }
}

/**
 * Checks a directory flag's value before any work: not empty, and not an existing file.
 *
 * @param flag The flag without dashes (`out`).
 * @param path Its value.
 * @throws UsageError for `""`; PathError for a path that is a file or under a file.
 */
export async function checkDirFlag(flag: string, path: string): Promise<void> {
  if (path.trim() === "") throw new UsageError(`--${flag} must name a directory: got ""`);
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      // A link to nothing cannot be created as a directory: say so, not "already exists".
      const link = await Deno.lstat(path).then((i) => i.isSymlink, () => false);
      if (!link) return; // created when first needed
      const target = await Deno.readLink(path).catch(() => "?");
      throw new PathError(
        `--${flag} ${path} is a link to ${target}, which does not exist: point it at a ` +
          `directory, or remove the link`,
      );
    }
    throw new PathError(`--${flag} ${path}: ${osProblem(error)}`);
  }
  if (!info.isDirectory) throw new PathError(`--${flag} ${path} is a file, not a directory`);
}

/**
 * Creates a directory flag's directory (and its parents).
 *
 * @param flag The flag without dashes.
 * @param path Its value.
 * @throws PathError naming the flag and path.
 */
export async function makeDirFlag(flag: string, path: string): Promise<void> {
  await checkDirFlag(flag, path);
  await atPath(`--${flag}`, path, () => Deno.mkdir(path, { recursive: true }));
}
