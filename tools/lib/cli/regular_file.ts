/**
 * Reading only regular files, of a sane size. A path can name a FIFO (opening it for reading
 * waits for a writer, forever), a device (`/dev/zero` reads until memory runs out), a folder or a
 * socket, directly or through a link. Every file the CLI and the server read is checked here
 * first, by what the path finally names, and refused by name.
 *
 * @module
 */

/** Raised for a path that is not a regular file, or one over its size limit. */
export class FileKindError extends Error {
  override name = "FileKindError";
}

/** The largest files read whole: a checkpoint or model of a few GB is plenty for these models. */
export const MAX_MODEL_BYTES = 4 * 1024 ** 3;
/** The largest JSON sidecar (a 60,000-token vocabulary is about 1 MB). */
export const MAX_SIDECAR_BYTES = 32 * 1024 ** 2;

/**
 * What a path names, in words, when it is not a regular file.
 *
 * @param info Its `Deno.stat` (links followed).
 * @returns "a folder", "a FIFO (named pipe)", ..., or undefined for a regular file.
 */
export function notAFile(info: Deno.FileInfo): string | undefined {
  if (info.isFile) return undefined;
  if (info.isDirectory) return "a folder";
  if (info.isFifo) return "a FIFO (named pipe)";
  if (info.isCharDevice) return "a character device";
  if (info.isBlockDevice) return "a block device";
  if (info.isSocket) return "a socket";
  return "not a regular file";
}

function size(n: number): string {
  return n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(1)} GiB` : `${(n / 1024 ** 2).toFixed(1)} MiB`;
}

/**
 * Checks that a path names a regular file within a size limit, without opening it.
 *
 * @param path The path (links are followed, as a read would).
 * @param what What the file is, for the message (`the checkpoint`, `--text`).
 * @param maxBytes The largest size accepted.
 * @returns Its file info.
 * @throws FileKindError naming the path and what it is instead; NotFound and other OS errors
 *   pass through for the caller to word.
 */
export async function checkRegularFile(
  path: string,
  what: string,
  maxBytes = Infinity,
): Promise<Deno.FileInfo> {
  const info = await Deno.stat(path);
  const kind = notAFile(info);
  if (kind) throw new FileKindError(`${what} ${path} is ${kind}, not a regular file`);
  if (info.size > maxBytes) {
    throw new FileKindError(
      `${what} ${path} is ${size(info.size)}, over the ${size(maxBytes)} this reads`,
    );
  }
  return info;
}

/**
 * Reads a regular file whole, after `checkRegularFile`.
 *
 * @param path The path.
 * @param what What the file is, for messages.
 * @param maxBytes The largest size accepted.
 * @returns Its bytes.
 * @throws FileKindError for a path that is not a regular file, or is (or grew) over the limit.
 */
export async function readRegularFile(
  path: string,
  what: string,
  maxBytes: number,
): Promise<Uint8Array> {
  return (await readRegularFileInfo(path, what, maxBytes)).bytes;
}

/**
 * Reads a regular file whole, with the file info taken before the read: a cache keyed on
 * that info can only be stale towards re-reading, never towards keeping old bytes.
 *
 * @param path The path.
 * @param what What the file is, for messages.
 * @param maxBytes The largest size accepted.
 * @returns Its bytes and its `Deno.stat` from before the read.
 * @throws FileKindError for a path that is not a regular file, or is (or grew) over the limit.
 */
export async function readRegularFileInfo(
  path: string,
  what: string,
  maxBytes: number,
): Promise<{ readonly bytes: Uint8Array; readonly info: Deno.FileInfo }> {
  const info = await checkRegularFile(path, what, maxBytes);
  const bytes = await Deno.readFile(path);
  if (bytes.length > maxBytes) {
    throw new FileKindError(`${what} ${path} grew past ${size(maxBytes)} while it was read`);
  }
  return { bytes, info };
}
