/**
 * `/models/index.json`, built once and kept until the models directory changes. Building
 * reads and checks every sidecar and decodes every new `.onnx` (seconds for thousands of
 * models, or for one sidecar of megabytes); finding out whether anything changed is one
 * directory listing and one `stat` per sidecar and `.onnx`. The list is rebuilt when that
 * listing or any of those files' size, mtime or inode differs from the last build's.
 *
 * A same-size rewrite of a file in place, within the same millisecond as the listing, keeps
 * its mtime and inode: that one change is seen only with the next. Exports write a new file
 * and rename it into place (a new inode), so they are always seen.
 *
 * @module
 */

import { fileStamp, listModels, type ModelListEntry } from "./serve_models.ts";

/** The list as served. */
export interface CachedModelList {
  /** The entries (`listModels`). */
  readonly entries: readonly ModelListEntry[];
  /** The JSON body of `/models/index.json`. */
  readonly body: Uint8Array<ArrayBuffer>;
}

/** How often the cache looks at the directory, and how it builds. */
export interface ModelListCacheOptions {
  /**
   * Milliseconds during which a list just checked is served without looking again (default
   * 1000): a burst of requests costs one look, and a change shows within this long. 0 looks
   * on every request.
   */
  readonly recheckMs?: number;
  /** Builds the list (default `listModels`). */
  readonly build?: (dir: string) => Promise<ModelListEntry[]>;
}

const MODEL_FILE = /\.(json|onnx)$/;

/**
 * What the model list depends on, as one string: the directory's `.json` and `.onnx` names,
 * each with its size, mtime and inode (links followed, as the build follows them).
 *
 * Synchronous on purpose: 6,000 `Deno.statSync` calls take about 35 ms, and the same
 * number of awaited `Deno.stat` calls four to eight times as long.
 *
 * @param dir The models directory.
 * @returns The stamp.
 * @throws Deno errors when the directory cannot be listed.
 */
export function modelsDirStamp(dir: string): string {
  const names: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    if (MODEL_FILE.test(e.name)) names.push(e.name);
  }
  names.sort();
  return names.map((name) => {
    try {
      const info = Deno.statSync(`${dir}/${name}`);
      return `${name}\0${info.isFile ? "f" : "x"}${fileStamp(info)}`;
    } catch (error) {
      // A dangling link, a file removed since the listing: the build says what it finds.
      return `${name}\0${(error as Error).name}`;
    }
  }).join("\n");
}

/** The model list of one directory, rebuilt only when the directory changes. */
export class ModelListCache {
  readonly #dir: string;
  readonly #recheckMs: number;
  readonly #build: (dir: string) => Promise<ModelListEntry[]>;
  #current: { readonly stamp: string; readonly list: CachedModelList } | undefined;
  #checkedAt = -Infinity;
  #pending: Promise<CachedModelList> | undefined;
  #builds = 0;

  /**
   * @param dir The models directory.
   * @param options How often to look, and the builder.
   */
  constructor(dir: string, options: ModelListCacheOptions = {}) {
    this.#dir = dir;
    this.#recheckMs = options.recheckMs ?? 1000;
    this.#build = options.build ?? listModels;
  }

  /** How many times the list was built (not served from the cache). */
  get builds(): number {
    return this.#builds;
  }

  /**
   * The current list.
   *
   * @returns The list, built now or kept from a build over the same files.
   * @throws ModelsDirError when the directory cannot be read (not cached).
   */
  get(): Promise<CachedModelList> {
    // Requests that arrive while one looks (or builds) share its answer.
    if (this.#pending) return this.#pending;
    if (this.#current && performance.now() - this.#checkedAt < this.#recheckMs) {
      return Promise.resolve(this.#current.list);
    }
    this.#pending = this.#refresh().finally(() => this.#pending = undefined);
    return this.#pending;
  }

  async #refresh(): Promise<CachedModelList> {
    let stamp: string;
    try {
      stamp = modelsDirStamp(this.#dir);
    } catch {
      // Missing or unreadable: the build throws the error that says so.
      this.#current = undefined;
      this.#builds++;
      return encode(await this.#build(this.#dir));
    }
    this.#checkedAt = performance.now();
    if (this.#current?.stamp === stamp) return this.#current.list;
    this.#builds++;
    const list = encode(await this.#build(this.#dir));
    // The stamp from before the build: a file changed during it changes the next stamp, so
    // the next request rebuilds.
    this.#current = { stamp, list };
    return list;
  }
}

function encode(entries: readonly ModelListEntry[]): CachedModelList {
  // Compact: a vocabulary of a million tokens is megabytes more with indentation.
  const body = new TextEncoder().encode(JSON.stringify(entries) + "\n");
  return { entries, body };
}
