/**
 * One writer per folder. `train` holds a lock on its run folder for the whole run, `export` on
 * its output folder while it writes; a second process is refused with the holder's PID, host,
 * command and start time.
 *
 * The lock is an OS advisory lock (`flock`) on `<dir>/.lock`, not the file's existence: the
 * kernel drops it when its process dies, `kill -9` included, so a stale lock is taken over
 * without any guess about whether a PID is still alive. The file's text (PID, host, command,
 * start) only serves the message a refused process prints.
 *
 * @module
 */

import { hostname } from "node:os";
import { atPath } from "./fs_errors.ts";

/** The lock file's name inside the folder it guards. */
export const LOCK_FILE = ".lock";

/** Raised when another live process holds the folder. */
export class FolderBusyError extends Error {
  override name = "FolderBusyError";
}

/** A held folder lock. */
export interface FolderLock {
  /** The folder. */
  readonly dir: string;
  /** Releases the lock, removes the lock file, and the folder too if this lock made it empty. */
  release(): Promise<void>;
}

/** What the lock file records about its holder. */
interface Holder {
  readonly pid: number;
  readonly host: string;
  readonly command: string;
  readonly since: string;
}

/**
 * Takes the lock on `dir`, creating the folder when it does not exist.
 *
 * @param dir The folder.
 * @param flag The flag that named it (`--out`), for messages.
 * @param command What the holder is doing (`train lm6`), shown to a refused process.
 * @returns The lock; release it when done (the OS releases it if the process dies first).
 * @throws FolderBusyError naming the holder when another process holds it; PathError when the
 *   folder cannot be made or the lock file cannot be opened.
 */
export async function lockFolder(dir: string, flag: string, command: string): Promise<FolderLock> {
  const existed = await Deno.stat(dir).then(() => true, () => false);
  await atPath(flag, dir, () => Deno.mkdir(dir, { recursive: true }));
  const path = `${dir}/${LOCK_FILE}`;
  // A holder that releases removes the file; a process that opened it just before then holds
  // a lock on a file no longer at `path`. Retrying until the locked file is the one at `path`
  // closes that gap.
  for (let attempt = 0;; attempt++) {
    const file = await atPath(
      flag,
      path,
      () => Deno.open(path, { read: true, write: true, create: true }),
    );
    if (!(await file.tryLock(true))) {
      // The holder writes who it is just after it locks: give it a moment.
      let holder = await readHolder(file);
      for (let i = 0; holder === undefined && i < 10; i++) {
        await new Promise((r) => setTimeout(r, 20));
        holder = await readHolder(file);
      }
      file.close();
      throw new FolderBusyError(busyMessage(flag, dir, holder));
    }
    const [held, atPathNow] = await Promise.all([
      file.stat(),
      Deno.stat(path).catch(() => undefined),
    ]);
    if (atPathNow?.ino !== held.ino && attempt < 10) {
      file.close();
      continue;
    }
    await record(file, {
      pid: Deno.pid,
      host: hostname(),
      command,
      since: new Date().toISOString(),
    });
    return {
      dir,
      async release() {
        // Removed while still locked, so no process can lock this file and believe it holds
        // the folder once we close it.
        await Deno.remove(path).catch(() => {});
        file.close();
        if (!existed) await Deno.remove(dir).catch(() => {}); // only when empty
      },
    };
  }
}

/**
 * Runs `work` holding the lock on `dir`.
 *
 * @param dir The folder.
 * @param flag The flag that named it, for messages.
 * @param command What the holder is doing, shown to a refused process.
 * @param work The work.
 * @returns What `work` returns.
 */
export async function withFolderLock<T>(
  dir: string,
  flag: string,
  command: string,
  work: () => Promise<T>,
): Promise<T> {
  const lock = await lockFolder(dir, flag, command);
  try {
    return await work();
  } finally {
    await lock.release();
  }
}

async function record(file: Deno.FsFile, holder: Holder): Promise<void> {
  const bytes = new TextEncoder().encode(JSON.stringify(holder) + "\n");
  await file.truncate(0);
  await file.seek(0, Deno.SeekMode.Start);
  let written = 0;
  while (written < bytes.length) written += await file.write(bytes.subarray(written));
}

async function readHolder(file: Deno.FsFile): Promise<Holder | undefined> {
  try {
    const buf = new Uint8Array(4096);
    await file.seek(0, Deno.SeekMode.Start);
    const n = await file.read(buf);
    const value = JSON.parse(new TextDecoder().decode(buf.subarray(0, n ?? 0)));
    return typeof value?.pid === "number" ? value : undefined;
  } catch {
    return undefined; // written a moment ago, or by hand: the message says less
  }
}

function busyMessage(flag: string, dir: string, holder: Holder | undefined): string {
  const who = holder
    ? `${holder.command} (PID ${holder.pid} on ${holder.host}, since ${
      holder.since.slice(0, 19).replace("T", " ")
    } UTC)`
    : "another onnx-lm process";
  return `${flag} ${dir} is in use by ${who}: wait for it to finish, or choose another ${flag}`;
}
