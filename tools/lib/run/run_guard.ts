/**
 * A run directory is never replaced without being asked. `train` into a directory that holds a
 * run is refused with what is there (model, epochs done, when saved) and the three ways on:
 * `--resume`, another `--out`, or `--force`. Under `--force` the new run trains in a hidden
 * sibling directory and takes the old one's place only once it has saved its first
 * checkpoint, so an interrupted replacement loses nothing; one killed while its files were
 * being moved in is finished by the next `train` into the folder (`settleRunDir`). All of it
 * runs holding the folder's lock (`folder_lock.ts`), so no other process is writing there.
 *
 * @module
 */

import { UsageError } from "../cli/cli.ts";
import { atPath } from "../cli/fs_errors.ts";
import { BEST_FILE, CHECKPOINT_FILE, loadRun } from "./run_dir.ts";

/** Our atomic-write temp files: `.<name>.<pid>.<8 hex>.tmp` (see `atomic.ts`). */
const TEMP_FILE = /^\..+\.\d+\.[0-9a-f]{8}\.tmp$/;

/**
 * One line saying what run a directory holds, or undefined when it holds none.
 *
 * @param dir The directory.
 * @returns `lm6, 8 of 15 epochs done, saved 2026-12-01 09:12 UTC`, or a note that the
 *   checkpoint is unreadable.
 */
export async function describeRun(dir: string): Promise<string | undefined> {
  let saved: Date | null;
  try {
    saved = (await Deno.stat(`${dir}/${CHECKPOINT_FILE}`)).mtime;
  } catch {
    return undefined;
  }
  const when = saved ? `, saved ${saved.toISOString().slice(0, 16).replace("T", " ")} UTC` : "";
  try {
    const { meta } = await loadRun(dir, "describe");
    const corpus = meta.corpus.kind === "text" ? ` on ${meta.corpus.text}` : "";
    return `${meta.model}${corpus}, ${meta.learner.epoch} of ${meta.epochs} epochs done${when}`;
  } catch {
    return `a checkpoint this version cannot read${when}`;
  }
}

/** Where a new run writes until its first checkpoint, and how it then takes its place. */
export interface RunDirPlan {
  /** The directory to write into now. */
  dir: string;
  /** Called after each saved epoch: the first call under `--force` moves the new run in. */
  saved(): Promise<void>;
  /** Called when the run ends: removes a staging directory that holds no checkpoint. */
  abandon(): Promise<void>;
}

/** The staging directories of `--force` runs: `<out>/.new-<pid>`. */
const STAGING = /^\.new-\d+$/;

/**
 * Decides where a new (not resumed) run writes.
 *
 * Under `--force`, the new run writes into `<out>/.new-<pid>` and, once its first checkpoint
 * is saved, its files are renamed over the old run's one by one, the checkpoint last. Only the
 * run's own files are replaced: anything else in `out` (notes, exports) stays.
 *
 * @param out `--out`.
 * @param force `--force`: replace a run that is there.
 * @returns The plan.
 * @throws UsageError when `out` holds a run and `force` is not set.
 */
export async function planRunDir(out: string, force: boolean): Promise<RunDirPlan> {
  const existing = await describeRun(out);
  if (existing === undefined) {
    return { dir: out, saved: async () => {}, abandon: async () => {} };
  }
  if (!force) {
    throw new UsageError(
      `--out ${out} already holds a run (${existing}): continue it with --resume, choose ` +
        `another --out, or replace it with --force (the old run stays until the new one saves ` +
        `its first checkpoint)`,
    );
  }
  const staging = `${out}/.new-${Deno.pid}`;
  let swapped = false;
  const plan: RunDirPlan = {
    dir: staging,
    async saved() {
      if (swapped) return;
      await moveIn(staging, out);
      swapped = true;
      plan.dir = out;
    },
    async abandon() {
      if (swapped) return;
      const saved = await Deno.stat(`${staging}/${CHECKPOINT_FILE}`).then(() => true, () => false);
      // A staging directory with a checkpoint is a run that could not be moved in: keep it.
      if (!saved) await Deno.remove(staging, { recursive: true }).catch(() => {});
    },
  };
  return plan;
}

/**
 * Moves a staged run's files over the run in `out`, the checkpoint last (until it moves, `out`
 * holds the old run's checkpoint), then removes the staging directory.
 */
async function moveIn(staging: string, out: string): Promise<void> {
  const names = [...Deno.readDirSync(staging)].filter((e) => e.isFile).map((e) => e.name);
  names.sort((a, b) => Number(a === CHECKPOINT_FILE) - Number(b === CHECKPOINT_FILE));
  await atPath("--out", out, async () => {
    // The old run's best checkpoint is no best of the new run's: it goes before the rest moves.
    if (!names.includes(BEST_FILE)) {
      await Deno.remove(`${out}/${BEST_FILE}`).catch((e) => {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      });
    }
    for (const name of names) await Deno.rename(`${staging}/${name}`, `${out}/${name}`);
  });
  await Deno.remove(staging, { recursive: true }).catch(() => {});
}

/**
 * Settles what a killed `--force` run left in `out`; call it holding `out`'s lock, so that no
 * live run owns a staging directory. A staging directory with a checkpoint is a replacement
 * that was under way: the new run had saved an epoch and its files were being moved in, so
 * the move is finished (the run asked for, whole). One without a checkpoint had not begun to
 * replace anything and is removed.
 *
 * @param out The run directory.
 * @returns A line saying a replacement was finished, or undefined.
 */
export async function settleRunDir(out: string): Promise<string | undefined> {
  const staged: string[] = [];
  try {
    for await (const e of Deno.readDir(out)) {
      if (e.isDirectory && STAGING.test(e.name)) staged.push(e.name);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  let note: string | undefined;
  for (const name of staged) {
    const staging = `${out}/${name}`;
    const saved = await Deno.stat(`${staging}/${CHECKPOINT_FILE}`).then(() => true, () => false);
    if (saved && note === undefined) {
      await moveIn(staging, out);
      note = `note: finished replacing the run in ${out} that a --force run (PID ` +
        `${name.slice(".new-".length)}) had begun when it was stopped`;
    } else {
      await Deno.remove(staging, { recursive: true }).catch(() => {});
    }
  }
  return note;
}

/**
 * Removes temp files that a killed atomic write left in a directory.
 *
 * @param dir The directory (nothing happens when it does not exist).
 * @returns The names removed.
 */
export async function removeStaleTemps(dir: string): Promise<string[]> {
  const removed: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && TEMP_FILE.test(e.name) && !(await beingWritten(`${dir}/${e.name}`))) {
        await Deno.remove(`${dir}/${e.name}`);
        removed.push(e.name);
      }
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return removed;
}

/**
 * Whether a temp file's writer is still writing it: `writeFileAtomic` holds an OS lock on its
 * temp file until the rename, and the OS drops the lock when the writer dies (kill -9
 * included). (Asking whether the PID in the name runs would need `/proc`, which Deno keeps from
 * a deno task, and would be fooled by a reused PID.)
 */
async function beingWritten(path: string): Promise<boolean> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true, write: true });
  } catch {
    return true; // gone, or not ours to judge: leave it
  }
  try {
    return !(await file.tryLock(true));
  } finally {
    file.close();
  }
}
