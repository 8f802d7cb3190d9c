/**
 * The socket side of `deno task serve`: a fetch-style handler (`Request` in, `Response` out)
 * served over `node:http`, because that server closes connections that stall and `Deno.serve`
 * has no such setting (an idle or half-sent connection stays open forever, and enough of
 * them exhaust the process's sockets). Three limits apply: a connection that moves no bytes
 * either way for `idleMs` is closed (a client that never sends, a keep-alive connection left
 * open, a reader that stopped reading a download); a request's headers must arrive in full
 * within `headersMs` (a client that trickles a byte at a time to hold its connection gets
 * 408); and an idle keep-alive connection is closed after `idleMs`.
 *
 * @module
 */

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

/** How long a connection may stall. */
export interface ServerTimeouts {
  /** Milliseconds a connection may move no bytes either way before it is closed. */
  readonly idleMs: number;
  /** Milliseconds a request's headers may take to arrive in full. */
  readonly headersMs: number;
}

/** The limits of `deno task serve`: generous for a person, short for a stalled socket. */
export const DEFAULT_TIMEOUTS: ServerTimeouts = { idleMs: 30_000, headersMs: 10_000 };

/** A listening server. */
export interface Listener {
  /** The port listened on (the one picked, for port 0). */
  readonly port: number;
  /** Stops accepting, closes idle connections and waits for open requests to finish. */
  close(): Promise<void>;
}

/** Where to listen, and the limits. */
export interface ListenOptions {
  /** Interface to listen on. */
  readonly host: string;
  /** TCP port; 0 picks a free one. */
  readonly port: number;
  /** The limits (default `DEFAULT_TIMEOUTS`). */
  readonly timeouts?: ServerTimeouts;
}

/** Raised when the port cannot be listened on; `code` is Node's (`EADDRINUSE`). */
export class ListenError extends Error {
  override name = "ListenError";
  /**
   * @param message What failed.
   * @param code Node's error code, when there is one.
   */
  constructor(message: string, readonly code: string | undefined) {
    super(message);
  }
}

/**
 * Serves `handler` on `host:port`.
 *
 * @param options Where to listen and the limits.
 * @param handler Answers each request (its URL's host is the listening address: read the
 *   `Host` header for the name the client used).
 * @returns The listener, once listening.
 * @throws ListenError when the port cannot be bound.
 */
export async function listen(
  options: ListenOptions,
  handler: (request: Request) => Promise<Response>,
): Promise<Listener> {
  const { idleMs, headersMs } = options.timeouts ?? DEFAULT_TIMEOUTS;
  const server = createServer({
    // A GET has no body: receiving the request is receiving its headers.
    headersTimeout: headersMs,
    requestTimeout: headersMs,
    keepAliveTimeout: idleMs,
    // How often the header deadline is checked (Node's default is 30 s).
    connectionsCheckingInterval: Math.max(10, Math.min(1000, headersMs / 4)),
  });
  server.setTimeout(idleMs); // with no "timeout" listener, a stalled socket is destroyed
  const origin = { value: "" };
  server.on("request", (req, res) => void answer(req, res, handler, origin.value));
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: Error & { code?: string }) => {
      reject(new ListenError(error.message, error.code));
    });
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  origin.value = `http://${
    options.host.includes(":") ? `[${options.host}]` : options.host
  }:${port}`;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

function plain(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
  res.end(`${message}\n`);
}

async function answer(
  req: IncomingMessage,
  res: ServerResponse,
  handler: (request: Request) => Promise<Response>,
  origin: string,
): Promise<void> {
  const target = req.url ?? "";
  // Only origin-form ("/path"): an absolute URL or "*" is a proxy's or OPTIONS's business.
  if (!target.startsWith("/")) return plain(res, 400, `Refusing request target "${target}"`);
  let request: Request;
  try {
    const headers = new Headers();
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
    }
    // The listening address, not the Host header, makes the URL: "//x" stays a path.
    request = new Request(`${origin}${target}`, { method: req.method, headers });
  } catch (error) {
    return plain(res, 400, `Cannot read the request: ${(error as Error).message}`);
  }
  let response: Response;
  try {
    response = await handler(request);
  } catch (error) {
    console.error(`error: ${req.method} ${target}: ${(error as Error).message}`);
    return plain(res, 500, `Internal error serving ${target}`);
  }
  await send(req, res, response);
}

/** Writes a response, honouring backpressure; a client gone mid-body cancels the body. */
async function send(req: IncomingMessage, res: ServerResponse, response: Response) {
  res.statusCode = response.status;
  for (const [name, value] of response.headers) res.setHeader(name, value);
  if (!response.body || req.method === "HEAD") {
    await response.body?.cancel();
    res.end();
    return;
  }
  const reader = response.body.getReader();
  const gone = new Promise<void>((resolve) => res.once("close", () => resolve()));
  let complete = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        complete = true;
        break;
      }
      if (res.destroyed) break;
      if (!res.write(value)) {
        await Promise.race([new Promise((resolve) => res.once("drain", resolve)), gone]);
      }
    }
  } catch (error) {
    console.error(`error: ${req.method} ${req.url}: ${(error as Error).message}`);
  } finally {
    if (complete) {
      res.end();
    } else {
      // The file behind a download is closed here, not left open by a client that left.
      await reader.cancel().catch(() => {});
      res.destroy();
    }
  }
}
