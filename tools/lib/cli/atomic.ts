/**
 * Atomic file writes: data goes to a temporary file in the same directory, is flushed to
 * disk, then renamed over the target. A reader (or a crash) sees the old file or the new
 * one, never a torn write. The temp file's name carries the writer's PID, and the writer holds
 * an OS lock on it until the rename, so that only a dead writer's temp file is ever cleaned up.
 *
 * @module
 */

/**
 * Writes `data` to `path` atomically.
 *
 * @param path Target file.
 * @param data Bytes or text.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const slash = path.lastIndexOf("/");
  const dir = slash >= 0 ? path.slice(0, slash) : ".";
  const name = slash >= 0 ? path.slice(slash + 1) : path;
  const tmp = `${dir}/.${name}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    const file = await Deno.open(tmp, { write: true, createNew: true });
    try {
      // Locked while written: a cleanup of stale temp files (run_guard.ts) leaves it alone.
      await file.lock(true);
      let written = 0;
      while (written < bytes.length) written += await file.write(bytes.subarray(written));
      await file.syncData();
    } finally {
      file.close();
    }
    await Deno.rename(tmp, path);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw error;
  }
}
