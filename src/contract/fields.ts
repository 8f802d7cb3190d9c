/**
 * Reading a JSON file we wrote (run metadata, an export sidecar) field by field, so a file
 * that is malformed fails with one message naming the file, the field and expected vs actual,
 * never with a raw TypeError deep inside the code that uses it. Browser-compatible.
 *
 * @example
 * ```ts
 * import { ContractError, Fields } from "./fields.ts";
 * const f = Fields.root("run.json", { bs: "64" }, "run metadata");
 * try {
 *   f.int("bs", { min: 1 });
 * } catch (e) {
 *   console.log((e as ContractError).message); // run.json: "bs" must be an integer >= 1: got "64"
 * }
 * ```
 * @module
 */

/** Raised for a malformed field; `file` and `field` say where. */
export class ContractError extends Error {
  /** The error name. */
  override name = "ContractError";
  /**
   * An error about one field of one file.
   *
   * @param file The file (or source) that was read.
   * @param field Dotted path of the field (`recipe.batchSize`), empty for the whole value.
   * @param problem What is wrong, expected vs actual.
   */
  constructor(readonly file: string, readonly field: string, problem: string) {
    super(field ? `${file}: "${field}" ${problem}` : `${file}: ${problem}`);
  }
}

const show = (v: unknown): string =>
  v === undefined
    ? "nothing"
    : typeof v === "number" && !Number.isFinite(v)
    ? String(v)
    : JSON.stringify(v)?.slice(0, 80) ?? String(v);

/** Numeric bounds for `int` and `num`. */
export interface Bounds {
  /** Smallest allowed value. */
  readonly min?: number;
  /** Largest allowed value. */
  readonly max?: number;
}

function bounds(kind: string, { min, max }: Bounds): string {
  if (min !== undefined && max !== undefined) return `${kind} in ${min}..${max}`;
  if (min !== undefined) return `${kind} >= ${min}`;
  if (max !== undefined) return `${kind} <= ${max}`;
  return kind;
}

/** A JSON object being read, with the file and path for messages. */
export class Fields {
  private constructor(
    readonly file: string,
    readonly value: Readonly<Record<string, unknown>>,
    readonly path: string,
  ) {}

  /**
   * Starts reading a parsed JSON value.
   *
   * @param file The file name, for messages.
   * @param value The parsed value.
   * @param what What the file should hold, for the message when it is not an object.
   * @returns The reader.
   * @throws ContractError when `value` is not an object.
   */
  static root(file: string, value: unknown, what: string): Fields {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new ContractError(file, "", `expected ${what} (a JSON object): got ${show(value)}`);
    }
    return new Fields(file, value as Record<string, unknown>, "");
  }

  /**
   * The dotted path of a field of this object, for messages.
   *
   * @param key Field name.
   * @returns Its dotted path.
   */
  at(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  /**
   * Throws a ContractError for `key`.
   *
   * @param key Field name.
   * @param problem What is wrong.
   */
  fail(key: string, problem: string): never {
    throw new ContractError(this.file, this.at(key), problem);
  }

  /**
   * Whether a field is present (not undefined).
   *
   * @param key Field name.
   * @returns Whether the field is present (not undefined).
   */
  has(key: string): boolean {
    return this.value[key] !== undefined;
  }

  /**
   * Reads a nested object.
   *
   * @param key Field name.
   * @returns A reader for the nested object.
   */
  obj(key: string): Fields {
    const v = this.value[key];
    if (v === null || typeof v !== "object" || Array.isArray(v)) {
      this.fail(key, `must be an object: got ${show(v)}`);
    }
    return new Fields(this.file, v as Record<string, unknown>, this.at(key));
  }

  /**
   * Reads a string field.
   *
   * @param key Field name.
   * @returns The string.
   */
  str(key: string): string {
    const v = this.value[key];
    if (typeof v !== "string") this.fail(key, `must be a string: got ${show(v)}`);
    return v;
  }

  /**
   * Reads a field that must be one of some values.
   *
   * @param key Field name.
   * @param allowed The values allowed.
   * @returns The value.
   */
  oneOf<T extends string | number>(key: string, allowed: readonly T[]): T {
    const v = this.value[key];
    if (!allowed.includes(v as T)) {
      this.fail(
        key,
        `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}: got ${show(v)}`,
      );
    }
    return v as T;
  }

  /**
   * Reads a boolean field.
   *
   * @param key Field name.
   * @returns The boolean.
   */
  bool(key: string): boolean {
    const v = this.value[key];
    if (typeof v !== "boolean") this.fail(key, `must be true or false: got ${show(v)}`);
    return v;
  }

  /**
   * Reads a finite number field within bounds.
   *
   * @param key Field name.
   * @param range Bounds.
   * @returns The finite number.
   */
  num(key: string, range: Bounds = {}): number {
    const v = this.value[key];
    const ok = typeof v === "number" && Number.isFinite(v) &&
      (range.min === undefined || v >= range.min) && (range.max === undefined || v <= range.max);
    if (!ok) this.fail(key, `must be a ${bounds("finite number", range)}: got ${show(v)}`);
    return v as number;
  }

  /**
   * Reads an integer field within bounds.
   *
   * @param key Field name.
   * @param range Bounds.
   * @returns The integer.
   */
  int(key: string, range: Bounds = {}): number {
    const v = this.value[key];
    const ok = Number.isSafeInteger(v) && (range.min === undefined || (v as number) >= range.min) &&
      (range.max === undefined || (v as number) <= range.max);
    if (!ok) this.fail(key, `must be an ${bounds("integer", range)}: got ${show(v)}`);
    return v as number;
  }

  /**
   * Reads an array field (its elements unchecked).
   *
   * @param key Field name.
   * @returns The array, unchecked inside.
   */
  list(key: string): readonly unknown[] {
    const v = this.value[key];
    if (!Array.isArray(v)) this.fail(key, `must be an array: got ${show(v)}`);
    return v;
  }

  /**
   * Reads an array of strings.
   *
   * @param key Field name.
   * @returns The array of strings.
   */
  strings(key: string): string[] {
    const list = this.list(key);
    const bad = list.findIndex((w) => typeof w !== "string");
    if (bad >= 0) this.fail(`${key}[${bad}]`, `must be a string: got ${show(list[bad])}`);
    return list as string[];
  }

  /**
   * Reads each element of an array field as an object.
   *
   * @param key Field name.
   * @returns A reader per element.
   */
  objects(key: string): Fields[] {
    return this.list(key).map((item, i) => {
      if (item === null || typeof item !== "object" || Array.isArray(item)) {
        this.fail(`${key}[${i}]`, `must be an object: got ${show(item)}`);
      }
      return new Fields(this.file, item as Record<string, unknown>, this.at(`${key}[${i}]`));
    });
  }
}
