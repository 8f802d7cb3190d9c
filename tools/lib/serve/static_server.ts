/**
 * A plain static file server for the site's tests and `deno task bench:load`, standing in for GitHub Pages, S3 or
 * `python3 -m http.server`: one folder served under a sub-path (`/some/project/`), files as
 * they are on disk, a content type by extension, `index.html` for a folder, and nothing else.
 * Deliberately not `deno task serve`'s code: no bundling, no model list, no policy headers
 * unless asked, so a test through it sees what a static host gives.
 *
 * @module
 */

import { contentType } from "./serve_files.ts";

/** How to serve the folder. */
export interface StaticServerOptions {
  /** The URL path the folder is served under, starting and ending with `/` (`/a/b/`). */
  readonly base: string;
  /** Send COOP `same-origin` and COEP `require-corp`, as a host configured for threads does. */
  readonly isolation?: boolean;
}

/** A running static server. */
export interface StaticServer {
  /** The folder's URL: `http://127.0.0.1:<port><base>`. */
  readonly url: string;
  /** Every path requested, in order, with its status. */
  readonly log: { readonly path: string; readonly status: number }[];
  /** Stops it. */
  close(): Promise<void>;
}

async function respond(
  dir: string,
  base: string,
  path: string,
  since: string | null,
): Promise<Response> {
  if (!path.startsWith(base)) return new Response("Not found\n", { status: 404 });
  let rest = decodeURIComponent(path.slice(base.length));
  if (rest === "" || rest.endsWith("/")) rest += "index.html";
  // A test server: refusing `..` is enough (URL parsing already resolved the plain ones).
  if (rest.split("/").some((s) => s === ".." || s === "")) {
    return new Response("Bad path\n", { status: 400 });
  }
  // The content types every host sends (wasm must be `application/wasm`): serve's table.
  const type = contentType(rest) ?? "application/octet-stream";
  try {
    const file = `${dir}/${rest}`;
    // Last-Modified and If-Modified-Since, as python3 -m http.server and every host send them:
    // a browser's cache (and Chromium's compiled wasm) is kept between visits only with them.
    const info = await Deno.stat(file);
    if (!info.isFile) return new Response("Not found\n", { status: 404 }); // a FIFO would block
    const modified = new Date(Math.floor((info.mtime?.getTime() ?? 0) / 1000) * 1000);
    const headers = { "content-type": type, "last-modified": modified.toUTCString() };
    if (since !== null && Date.parse(since) >= modified.getTime()) {
      return new Response(null, { status: 304, headers });
    }
    return new Response(await Deno.readFile(file), { headers });
  } catch {
    return new Response("Not found\n", { status: 404 });
  }
}

/**
 * Serves `dir` under `options.base` on a free port of 127.0.0.1.
 *
 * @param dir The folder.
 * @param options The sub-path, and whether to send the isolation headers.
 * @returns The server.
 */
export function serveStatic(dir: string, options: StaticServerOptions): StaticServer {
  const { base } = options;
  if (!base.startsWith("/") || !base.endsWith("/")) {
    throw new Error(`base must start and end with "/": got "${base}"`);
  }
  const log: { path: string; status: number }[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, async (r) => {
    const path = new URL(r.url).pathname;
    const response = await respond(dir, base, path, r.headers.get("if-modified-since"));
    if (options.isolation) {
      response.headers.set("cross-origin-opener-policy", "same-origin");
      response.headers.set("cross-origin-embedder-policy", "require-corp");
    }
    log.push({ path, status: response.status });
    return response;
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}${base}`,
    log,
    close: () => server.shutdown(),
  };
}
