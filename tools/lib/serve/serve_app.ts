/**
 * The web page's server, usable in-process (tests) and behind `deno task serve`:
 *
 * - `/` → `web/index.html`; `/web/<file>` → the page's files;
 * - `/models/index.json` → the model list built from the sidecars (`serve_models.ts`);
 * - `/models/<file>` → the models directory's files;
 * - `/ort/<file>` → onnxruntime-web's `dist/` from `node_modules` (`serve_ort.ts`);
 * - `/lib/onnx_lm.js` → `src/browser.ts` bundled at start (`bundle.ts`): the tokenizer,
 *   sidecar check and sampling the CLI uses;
 * - `/lib/train_worker.js` → `src/web/train_worker.ts` bundled at start: the training stack
 *   the Train panel runs in a worker.
 *
 * Only GET and HEAD; only known file types; paths checked against traversal
 * (`serve_files.ts`); only the `Host` names this server is reached by (`host_check.ts`); a
 * models folder that is a system root or a home folder refused (`models_dir_guard.ts`);
 * stalled connections closed (`http_listener.ts`); the model list rebuilt only when the
 * models folder changes (`model_list_cache.ts`). Every response makes the page cross-origin isolated (COOP `same-origin`,
 * COEP `require-corp`): SharedArrayBuffer, and with it onnxruntime-web's multi-threaded wasm,
 * needs that, and the page loads nothing from another origin.
 *
 * @module
 */

import { BROWSER_ENTRY, bundleBrowserLib, WORKER_ENTRY } from "./bundle.ts";
import { fileResponse, safeSegments, UnsafePathError } from "./serve_files.ts";
import { type HostPolicy, hostPolicy, hostProblem } from "./host_check.ts";
import { DEFAULT_TIMEOUTS, listen, ListenError, type ServerTimeouts } from "./http_listener.ts";
import { ModelListCache } from "./model_list_cache.ts";
import { refuseBroadModelsDir } from "./models_dir_guard.ts";
import { ModelsDirError } from "./serve_models.ts";
import { findOrtDist } from "./serve_ort.ts";

/** The project root (holding `deno.json`, `web/` and `node_modules/`). */
export const PROJECT_ROOT: string = decodeURIComponent(
  new URL("../../../", import.meta.url).pathname,
)
  .replace(/\/$/, "");

/** Where the server finds what it serves. */
export interface ServeDirs {
  /** The page (`web/`). */
  readonly webDir: string;
  /** The exported models. */
  readonly modelsDir: string;
  /** onnxruntime-web's `dist/`. */
  readonly ortDir: string;
}

/** Where the page imports the bundled `src/browser.ts` from. */
export const BROWSER_LIB_PATH = "/lib/onnx_lm.js";

/** Where the page starts the bundled training worker from. */
export const WORKER_PATH = "/lib/train_worker.js";

/** The bundled modules, by URL path. */
export type Scripts = Readonly<Record<string, string>>;

/**
 * Bundles the page's modules.
 *
 * @param root The project root.
 * @returns The JavaScript of `/lib/onnx_lm.js` and `/lib/train_worker.js`.
 * @throws BundleError when either cannot be bundled.
 */
export async function bundleScripts(root: string): Promise<Scripts> {
  const [lib, worker] = await Promise.all([
    bundleBrowserLib(root, BROWSER_ENTRY),
    bundleBrowserLib(root, WORKER_ENTRY),
  ]);
  return { [BROWSER_LIB_PATH]: lib, [WORKER_PATH]: worker };
}

/** What makes the page cross-origin isolated (so that wasm can use threads). */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-embedder-policy": "require-corp",
};

/** The page's Content-Security-Policy: its own files only; wasm compilation for ORT. */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * The training worker's policy: the page's, plus `'unsafe-eval'`, because protobufjs builds
 * its ONNX encoders with `new Function` (it has no eval-free mode). A worker has no DOM and
 * runs only this server's code, so the page itself keeps its stricter policy.
 */
export const WORKER_CSP: string = PAGE_CSP.replace(
  "script-src 'self' 'wasm-unsafe-eval'",
  "script-src 'self' 'wasm-unsafe-eval' 'unsafe-eval'",
);

function text(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(`${message}\n`, {
    status,
    headers: {
      "content-type": "text/plain; charset=utf-8",
      "x-content-type-options": "nosniff",
      ...headers,
    },
  });
}

function json(status: number, body: unknown, method: string): Response {
  return jsonBytes(status, new TextEncoder().encode(JSON.stringify(body, null, 2) + "\n"), method);
}

function jsonBytes(status: number, bytes: Uint8Array<ArrayBuffer>, method: string): Response {
  return new Response(method === "HEAD" ? null : bytes, {
    status,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "content-length": String(bytes.length),
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}

const ROUTES = [
  ["/web/", "webDir"],
  ["/models/", "modelsDir"],
  ["/ort/", "ortDir"],
] as const;

function script(js: Uint8Array<ArrayBuffer>, method: string): Response {
  return new Response(method === "HEAD" ? null : js, {
    headers: {
      "content-type": "text/javascript; charset=utf-8",
      "content-length": String(js.length),
      "x-content-type-options": "nosniff",
      "cache-control": "no-cache",
    },
  });
}

/** What a handler shares with its server. */
export interface HandlerOptions {
  /** The model list (default: a cache of `dirs.modelsDir` of its own). */
  readonly models?: ModelListCache;
  /** The `Host` names answered (default: any; `startServer` passes its own). */
  readonly hosts?: HostPolicy;
}

/**
 * The request handler.
 *
 * @param dirs Directories to serve.
 * @param scripts The bundled modules by URL path (`bundleScripts`).
 * @param options The model list cache and the `Host` names answered.
 * @returns A fetch-style handler.
 */
export function createHandler(
  dirs: ServeDirs,
  scripts: Scripts,
  options: HandlerOptions = {},
): (request: Request) => Promise<Response> {
  const js = new Map(
    Object.entries(scripts).map(([path, text]) => [path, new TextEncoder().encode(text)]),
  );
  const route = routeRequest(dirs, js, options.models ?? new ModelListCache(dirs.modelsDir));
  const hosts = options.hosts ?? { any: true };
  // Every response carries the policy, so no path to an HTML file (`/web/index.html`, a
  // model directory's stray page) can serve it without one.
  return async (request) => {
    const refused = hostProblem(request.headers.get("host"), hosts);
    const response = refused ? text(421, refused) : await route(request);
    const path = new URL(request.url).pathname;
    response.headers.set("content-security-policy", path === WORKER_PATH ? WORKER_CSP : PAGE_CSP);
    for (const [name, value] of Object.entries(ISOLATION_HEADERS)) {
      response.headers.set(name, value);
    }
    return response;
  };
}

function routeRequest(
  dirs: ServeDirs,
  scripts: ReadonlyMap<string, Uint8Array<ArrayBuffer>>,
  models: ModelListCache,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const method = request.method;
    if (method !== "GET" && method !== "HEAD") {
      return text(405, `Method ${method} is not allowed`, { allow: "GET, HEAD" });
    }
    const path = new URL(request.url).pathname;
    try {
      if (path === "/" || path === "/index.html") {
        const page = await fileResponse(dirs.webDir, ["index.html"], method);
        return page ?? text(500, `web/index.html is missing from ${dirs.webDir}`);
      }
      const js = scripts.get(path);
      if (js) return script(js, method);
      if (path === "/models/index.json") {
        try {
          return jsonBytes(200, (await models.get()).body, method);
        } catch (error) {
          if (error instanceof ModelsDirError) {
            return json(404, { error: error.message }, method);
          }
          throw error;
        }
      }
      for (const [prefix, key] of ROUTES) {
        if (!path.startsWith(prefix)) continue;
        const segments = safeSegments(path.slice(prefix.length));
        const response = await fileResponse(dirs[key], segments, method);
        return response ?? text(404, `Not found: ${path}`);
      }
      return text(404, `Not found: ${path}`);
    } catch (error) {
      if (error instanceof UnsafePathError) return text(400, error.message);
      console.error(`error: ${method} ${path}: ${(error as Error).message}`);
      return text(500, `Internal error serving ${path}`);
    }
  };
}

/** How to start the server. */
export interface ServerOptions {
  /** TCP port; 0 picks a free one. */
  readonly port: number;
  /** Interface to listen on (127.0.0.1). */
  readonly host: string;
  /** The exported models. */
  readonly modelsDir: string;
  /** Project root (default: this checkout). */
  readonly root?: string;
  /** How long a connection may stall (default `DEFAULT_TIMEOUTS`). */
  readonly timeouts?: ServerTimeouts;
  /** How often the model list looks at the models folder (`ModelListCacheOptions`). */
  readonly recheckMs?: number;
}

/** A running server. */
export interface RunningServer {
  /** `http://host:port/`. */
  readonly url: string;
  readonly port: number;
  readonly dirs: ServeDirs;
  /** The model list it serves. */
  readonly models: ModelListCache;
  /** The `Host` names it answers. */
  readonly hosts: HostPolicy;
  /** Stops accepting requests and waits for open ones to finish. */
  close(): Promise<void>;
}

/**
 * Starts the server.
 *
 * @param options Port, host, models directory and limits.
 * @returns The running server.
 * @throws UnsafeModelsDirError for a models folder that is a system root or a home folder;
 *   Error when onnxruntime-web is not installed, `src/browser.ts` cannot be bundled
 *   (`BundleError`) or the port cannot be bound.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  // First: nothing is bundled or bound for a folder that must not be served.
  refuseBroadModelsDir(options.modelsDir);
  const root = options.root ?? PROJECT_ROOT;
  const dirs: ServeDirs = {
    webDir: `${root}/web`,
    modelsDir: options.modelsDir,
    ortDir: await findOrtDist(root),
  };
  // Once, before listening: the page cannot work without it, so fail here, not in the page.
  const scripts = await bundleScripts(root);
  const models = new ModelListCache(
    dirs.modelsDir,
    options.recheckMs === undefined ? {} : { recheckMs: options.recheckMs },
  );
  // The Host names depend on the port, known once listening (port 0 picks one).
  const ready: { handle?: (request: Request) => Promise<Response> } = {};
  const where = `${options.host}:${options.port}`;
  let listener;
  try {
    listener = await listen(
      { host: options.host, port: options.port, timeouts: options.timeouts ?? DEFAULT_TIMEOUTS },
      (request) => ready.handle?.(request) ?? Promise.resolve(text(503, "Starting; try again")),
    );
  } catch (error) {
    if (error instanceof ListenError && error.code === "EADDRINUSE") {
      throw new Error(`Cannot listen on ${where}: the port is in use (pick another with --port)`);
    }
    throw new Error(`Cannot listen on ${where}: ${(error as Error).message}`);
  }
  const { port } = listener;
  const hosts = hostPolicy(options.host, port);
  ready.handle = createHandler(dirs, scripts, { models, hosts });
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return { url: `http://${host}:${port}/`, port, dirs, models, hosts, close: listener.close };
}
