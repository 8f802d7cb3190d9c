/**
 * Reading one's own text for `deno task train --text`: a UTF-8 file, or a folder of `.txt`
 * files (or the endings `--ext` names; recursively, in sorted order, as fastai's
 * `from_folder`), streamed in 1 MiB chunks
 * through the tokenizer into token ids, with a progress bar (MB/s, ETA) on stderr.
 *
 * @module
 */

import { type TextCorpus, TextCorpusBuilder } from "../../../src/data/text_corpus.ts";
import { MAX_WORD, type SplitSpec } from "../../../src/data/tokenizer.ts";
import type { VocabLimits } from "../../../src/data/text_vocab.ts";
import { UsageError } from "../cli/cli.ts";
import { osProblem } from "../cli/fs_errors.ts";
import { ProgressBar } from "../cli/progress.ts";
import { notAFile } from "../cli/regular_file.ts";
import { formatBytes } from "../../../src/web/page_format.ts";

/** Raised for a corpus path or file that cannot be used; the message names it. */
export class CorpusInputError extends Error {
  override name = "CorpusInputError";
}

const CHUNK = 1 << 20;

/** The file endings a folder is read for by default, as fastai's `get_text_files`. */
export const DEFAULT_EXT: readonly string[] = [".txt"];

/** Whether a file name ends in one of `ext` (case-insensitive: `NOTES.TXT` is text). */
function hasExt(name: string, ext: readonly string[]): boolean {
  const lower = name.toLowerCase();
  return ext.some((e) => lower.endsWith(e.toLowerCase()));
}

/** A `.txt` link in a corpus folder whose file lies outside the folder. */
export interface OutsideLink {
  /** The link's path. */
  readonly link: string;
  /** The file it leads to (its real path). */
  readonly target: string;
}

/**
 * The text files of a path: the file itself (whatever its ending: it was named), or every
 * file under a folder whose name ends in one of `ext` (`.txt` by default), sorted by path
 * (hidden entries and folders reached through links are skipped). A link to a file is read,
 * and one that leads out of the folder is reported, so a `/etc/passwd` is not read unseen.
 *
 * @param path `--text` or `--valid` path.
 * @param label How messages name it (`--text`, or `the run's --text` on resume).
 * @returns File paths and their total size in bytes, whether the path is a folder, and the
 *   links that leave it.
 * @throws CorpusInputError naming the path for a missing path, an empty file, something
 *   that is neither file nor folder, a folder with no file with those endings, a broken link
 *   or a file name that is not UTF-8.
 */
export async function corpusFiles(
  path: string,
  label: string,
  ext: readonly string[] = DEFAULT_EXT,
): Promise<{ files: string[]; bytes: number; folder: boolean; outside: OutsideLink[] }> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound ? "no such file or folder" : osProblem(error);
    throw new CorpusInputError(`${label} ${path}: ${why}`);
  }
  if (info.isFile) {
    if (info.size === 0) throw new CorpusInputError(`${label} ${path}: the file is empty`);
    return { files: [path], bytes: info.size, folder: false, outside: [] };
  }
  if (!info.isDirectory) {
    throw new CorpusInputError(`${label} ${path}: ${notAFile(info)}, not a regular file or folder`);
  }
  const files: { path: string; size: number }[] = [];
  const outside: OutsideLink[] = [];
  const root = await Deno.realPath(path).catch(() => path);
  const inside = (real: string) => real.startsWith(root.endsWith("/") ? root : `${root}/`);
  const walk = async (dir: string) => {
    const entries: Deno.DirEntry[] = [];
    try {
      for await (const e of Deno.readDir(dir)) entries.push(e);
    } catch (error) {
      throw new CorpusInputError(
        `${label} ${path}: cannot read the folder ${dir}: ${osProblem(error)}`,
      );
    }
    for (const e of entries) {
      if (e.name.startsWith(".")) continue;
      const child = `${dir}/${e.name}`;
      if (e.isDirectory) await walk(child);
      else if (hasExt(e.name, ext)) {
        let s: Deno.FileInfo;
        try {
          s = await Deno.stat(child);
        } catch (error) {
          // Deno returns a name that is not UTF-8 with U+FFFD in it, which names no file.
          const why = e.name.includes("\ufffd")
            ? "its file name is not valid UTF-8; rename it"
            : e.isSymlink && error instanceof Deno.errors.NotFound
            ? "a link to a file that does not exist"
            : osProblem(error);
          throw new CorpusInputError(`${label} ${path}: cannot read ${child}: ${why}`);
        }
        if (!s.isFile) continue;
        files.push({ path: child, size: s.size });
        if (e.isSymlink) {
          const target = await Deno.realPath(child).catch(() => child);
          if (!inside(target)) outside.push({ link: child, target });
        }
      }
    }
  };
  await walk(path.replace(/\/+$/, "") || "/");
  if (!files.length) {
    throw new CorpusInputError(
      `${label} ${path}: the folder has no ${ext.join(" or ")} file (searched recursively${
        ext === DEFAULT_EXT ? "; --ext names other endings" : ""
      })`,
    );
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    files: files.map((f) => f.path),
    bytes: files.reduce((s, f) => s + f.size, 0),
    folder: true,
    outside,
  };
}

/** Up to this many files, the line that says what a folder gave names them. */
const NAMED_FILES = 5;

/**
 * What reading a folder took from it, for the person who pointed at it: how many files, how
 * big, their names when few, and a note for each link that leads out of the folder.
 *
 * @param found What `corpusFiles` found.
 * @param path The folder as given.
 * @param label How messages name it (`--text`).
 * @returns Lines for stderr (none for a single file: it is the one named).
 */
export function folderLines(
  found: Awaited<ReturnType<typeof corpusFiles>>,
  path: string,
  label: string,
): string[] {
  if (!found.folder) return [];
  const dir = path.replace(/\/+$/, "") || "/";
  const n = found.files.length;
  const names = n <= NAMED_FILES
    ? `: ${found.files.map((f) => f.slice(dir.length + 1)).join(", ")}`
    : "";
  return [
    `read ${n} file${n === 1 ? "" : "s"} from ${label} ${path} (${
      formatBytes(found.bytes)
    })${names}`,
    ...found.outside.map(({ link, target }) =>
      `note: ${link} is a link to ${target}, outside ${path}: read as text all the same ` +
      `(remove the link if that file is not meant to be trained on)`
    ),
  ];
}

/**
 * The offset of the first byte that breaks UTF-8 in `bytes`, or -1 when all of it is valid.
 *
 * @param bytes The file's bytes.
 * @returns The offset.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const need = b < 0x80
      ? 0
      : b >= 0xc2 && b <= 0xdf
      ? 1
      : b >= 0xe0 && b <= 0xef
      ? 2
      : b >= 0xf0 && b <= 0xf4
      ? 3
      : -1;
    if (need < 0) return i;
    if (i + need >= bytes.length && need > 0) return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      let lo = 0x80, hi = 0xbf;
      if (k === 1 && b === 0xe0) lo = 0xa0; // no overlong 3-byte forms
      if (k === 1 && b === 0xed) hi = 0x9f; // no surrogates
      if (k === 1 && b === 0xf0) lo = 0x90; // no overlong 4-byte forms
      if (k === 1 && b === 0xf4) hi = 0x8f; // nothing above U+10FFFF
      if (c < lo || c > hi) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** What to read and how to split it. */
export interface ReadCorpusOptions {
  /** `--text` path. */
  readonly text: string;
  /** How messages name the paths: `""` (the flags) or `the run's ` on resume. */
  readonly labelPrefix?: string;
  /** `--valid` path, when validation comes from other files. */
  readonly valid?: string;
  readonly validPct: number;
  readonly split: SplitSpec;
  /** File endings read from a folder (`--ext`); `.txt` when absent. */
  readonly ext?: readonly string[];
  readonly limits: VocabLimits;
  /** Draw the reading progress bar (a terminal, no `--json`). */
  readonly progress: boolean;
  /** Where notes go (the files a folder gave, words cut): stderr by default. */
  readonly note?: (line: string) => void;
}

/** Refuses validation text that is also training text (the same file, by its real path). */
async function refuseOverlap(
  train: readonly string[],
  valid: readonly string[],
  options: ReadCorpusOptions,
): Promise<void> {
  const real = (f: string) => Deno.realPath(f).catch(() => f);
  const trained = new Set(await Promise.all(train.map(real)));
  for (const f of valid) {
    if (trained.has(await real(f))) {
      throw new UsageError(
        `--valid ${options.valid}: ${f} is also training text (in --text ${options.text}); ` +
          `validation must be text the model does not train on`,
      );
    }
  }
}

/**
 * Reads, tokenizes and numericalizes the corpus.
 *
 * @param options Paths, split, limits, progress.
 * @returns The corpus and the number of bytes read.
 * @throws CorpusInputError naming the flag and file for a missing path, an empty file, a
 *   folder without `.txt` files or text that is not UTF-8 (with the byte offset).
 */
export async function readCorpus(
  options: ReadCorpusOptions,
): Promise<{ corpus: TextCorpus; bytes: number }> {
  const prefix = options.labelPrefix ?? "";
  const ext = options.ext ?? DEFAULT_EXT;
  const train = await corpusFiles(options.text, `${prefix}--text`, ext);
  const valid = options.valid
    ? await corpusFiles(options.valid, `${prefix}--valid`, ext)
    : undefined;
  if (valid) await refuseOverlap(train.files, valid.files, options);
  const inputs = [
    ...train.files.map((file) => ({ file, flag: "text" })),
    ...(valid?.files ?? []).map((file) => ({ file, flag: "valid" })),
  ];
  const total = train.bytes + (valid?.bytes ?? 0);
  const builder = new TextCorpusBuilder(options.split, total + inputs.length);
  const bar = new ProgressBar(options.progress);
  const started = performance.now();
  let read = 0;
  for (const { file, flag } of inputs) {
    await readOne(builder, file, flag, (n) => {
      read += n;
      const s = (performance.now() - started) / 1000;
      const rate = read / 1e6 / Math.max(s, 1e-6);
      const eta = rate > 0 ? (total - read) / 1e6 / rate : 0;
      bar.update(
        `reading ${options.text}`,
        read,
        total,
        `${rate.toFixed(1)} MB/s, ETA ${eta.toFixed(0)} s`,
        "bytes",
      );
    });
  }
  bar.clear();
  const note = options.note ?? ((line: string) => console.error(line));
  for (const line of folderLines(train, options.text, `${prefix}--text`)) note(line);
  if (valid) {
    for (const line of folderLines(valid, options.valid!, `${prefix}--valid`)) note(line);
  }
  if (builder.cutWords > 0) note(cutWordsNote(builder.cutWords));
  const split = valid ? { validFrom: train.files.length } : { validPct: options.validPct };
  try {
    return { corpus: builder.finish(options.limits, split), bytes: total };
  } catch (error) {
    const what = valid && (error as Error).message.includes("validation")
      ? `--valid ${options.valid}`
      : `--text ${options.text}`;
    throw new CorpusInputError(`${what}: ${(error as Error).message}`);
  }
}

/** The note for words cut to `MAX_WORD` code points. */
function cutWordsNote(n: number): string {
  const [words, were] = n === 1 ? ["word", "was cut to its"] : ["words", "were cut to their"];
  return `note: ${n.toLocaleString("en")} ${words} longer than ${MAX_WORD} characters ${were} ` +
    `first ${MAX_WORD} (a run of letters that long is no word: text without spaces reads ` +
    `better as --tokens char)`;
}

async function readOne(
  builder: TextCorpusBuilder,
  file: string,
  flag: string,
  onBytes: (n: number) => void,
): Promise<number> {
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
  let handle: Deno.FsFile;
  try {
    handle = await Deno.open(file, { read: true });
  } catch (error) {
    throw new CorpusInputError(`--${flag} ${file}: cannot open it: ${osProblem(error)}`);
  }
  builder.beginFile();
  let size = 0;
  const buffer = new Uint8Array(CHUNK);
  try {
    for (;;) {
      const n = await handle.read(buffer);
      if (n === null) break;
      size += n;
      try {
        builder.push(decoder.decode(buffer.subarray(0, n), { stream: true }));
      } catch {
        throw await invalidUtf8(file, flag);
      }
      onBytes(n);
    }
    try {
      builder.push(decoder.decode());
    } catch {
      throw await invalidUtf8(file, flag);
    }
  } finally {
    handle.close();
  }
  builder.endFile();
  return size;
}

async function invalidUtf8(file: string, flag: string): Promise<CorpusInputError> {
  const offset = firstInvalidUtf8(await Deno.readFile(file));
  return new CorpusInputError(
    `--${flag} ${file}: not valid UTF-8 at byte ${offset} (expected UTF-8 text; convert it, e.g. with iconv)`,
  );
}
