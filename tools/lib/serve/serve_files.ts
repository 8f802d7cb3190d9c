/**
 * Static files for `deno task serve`: content types, URL paths checked against directory
 * traversal, and file responses streamed from disk.
 *
 * @module
 */

/** Content types by file extension; anything else is refused (404), never guessed. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".onnx": "application/octet-stream",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".map": "application/json; charset=utf-8",
  ".proto": "text/plain; charset=utf-8",
};

/**
 * The content type for a file name.
 *
 * @param name A file name or path.
 * @returns The type, or undefined for an extension the server does not serve.
 */
export function contentType(name: string): string | undefined {
  const dot = name.lastIndexOf(".");
  return dot < 0 ? undefined : CONTENT_TYPES[name.slice(dot).toLowerCase()];
}

/** Raised for a URL path that could leave its directory or is not a plain relative path. */
export class UnsafePathError extends Error {
  override name = "UnsafePathError";
}

const BAD_SEGMENT = /[\/\\\0]|^\.\.?$|^$/;

/**
 * Splits the part of a URL path after a route prefix into decoded segments, refusing
 * anything that could name a file outside the directory: `..` or `.` segments (also when
 * percent-encoded), encoded slashes or backslashes, NUL bytes, empty segments (`//`,
 * which would make an absolute path), malformed escapes, and hidden files (a leading `.`).
 *
 * @param rest The raw (still percent-encoded) path after the prefix, e.g. `a/b.json`.
 * @returns The decoded segments.
 * @throws UnsafePathError naming the path.
 */
export function safeSegments(rest: string): string[] {
  const segments = rest.split("/").map((raw) => {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      throw new UnsafePathError(`Malformed escape in path "${rest}"`);
    }
    if (BAD_SEGMENT.test(segment) || segment.startsWith(".")) {
      throw new UnsafePathError(`Refusing path "${rest}": segment "${raw}"`);
    }
    return segment;
  });
  return segments;
}

/**
 * A file response for `segments` under `root`, or undefined when there is no such file.
 * The file's real path (symbolic links resolved) must lie inside the root's real path.
 *
 * @param root Directory (its real path is resolved here).
 * @param segments Checked path segments from `safeSegments`.
 * @param method `GET` or `HEAD`.
 * @param headers Extra response headers.
 * @returns The response, or undefined when the file is missing, not a regular file,
 *   outside the root, or of a type the server does not serve.
 */
export async function fileResponse(
  root: string,
  segments: readonly string[],
  method: string,
  headers: Readonly<Record<string, string>> = {},
): Promise<Response | undefined> {
  const type = contentType(segments.at(-1) ?? "");
  if (!type) return undefined;
  let realRoot: string;
  let real: string;
  try {
    realRoot = await Deno.realPath(root);
    real = await Deno.realPath(`${root}/${segments.join("/")}`);
  } catch {
    return undefined;
  }
  if (!real.startsWith(realRoot.endsWith("/") ? realRoot : `${realRoot}/`)) return undefined;
  // A FIFO would block the open (and this request) until a writer came: only regular files
  // are opened at all.
  const kind = await Deno.stat(real).then((i) => i.isFile, () => false);
  if (!kind) return undefined;
  let file: Deno.FsFile;
  try {
    file = await Deno.open(real, { read: true });
  } catch {
    return undefined;
  }
  const info = await file.stat();
  if (!info.isFile) {
    file.close();
    return undefined;
  }
  const common = {
    "content-type": type,
    "content-length": String(info.size),
    "x-content-type-options": "nosniff",
    "cache-control": "no-cache",
    ...headers,
  };
  if (method === "HEAD") {
    file.close();
    return new Response(null, { headers: common });
  }
  return new Response(file.readable, { headers: common });
}
