/**
 * Which `Host` headers `deno task serve` answers. Any web page can make a browser fetch this
 * server through a name its author controls (DNS rebinding: `evil.example` resolves first to
 * the author's server, then to 127.0.0.1); the browser then sends `Host: evil.example:8000`
 * and lets that page read the answer, its own origin. Answering only the names this server is
 * reached by (the host and port it listens on, and for loopback `localhost`, `127.0.0.1` and
 * `[::1]` at that port) leaves such a page nothing to read. Listening on every interface
 * (`0.0.0.0`, `::`) is a choice to be reached by any name, so then any host is accepted.
 *
 * @module
 */

/** The `Host` values the server answers, or all of them. */
export type HostPolicy =
  | { readonly any: true }
  | { readonly any: false; readonly hosts: readonly string[] };

const WILDCARD = new Set(["0.0.0.0", "::", "[::]", ""]);
const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"];

function bracketed(host: string): string {
  const bare = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  return bare.includes(":") ? `[${bare}]` : bare;
}

/**
 * Whether a listening address is the loopback interface.
 *
 * @param host The address or name listened on.
 * @returns True for `localhost`, `127.x.x.x` and `::1`.
 */
export function isLoopback(host: string): boolean {
  const h = bracketed(host);
  return h === "localhost" || h === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * The `Host` values a server listening on `host:port` answers.
 *
 * @param host The address or name listened on (`127.0.0.1`, `::1`, `0.0.0.0`).
 * @param port The port listened on.
 * @returns The policy.
 */
export function hostPolicy(host: string, port: number): HostPolicy {
  if (WILDCARD.has(host.trim())) return { any: true };
  const names = [bracketed(host), ...(isLoopback(host) ? LOOPBACK_NAMES : [])];
  const unique = [...new Set(names)];
  // A browser leaves out the default port: http://localhost/ sends "Host: localhost".
  const hosts = unique.map((n) => `${n}:${port}`).concat(port === 80 ? unique : []);
  return { any: false, hosts };
}

/**
 * Why a request's `Host` header is refused, or undefined when it is accepted.
 *
 * @param host The header's value (null when absent).
 * @param policy From `hostPolicy`.
 * @returns The refusal, naming the host and the hosts answered.
 */
export function hostProblem(host: string | null, policy: HostPolicy): string | undefined {
  if (policy.any) return undefined;
  if (host !== null && policy.hosts.includes(host.trim().toLowerCase())) return undefined;
  const expected = policy.hosts.length === 1
    ? policy.hosts[0]
    : `${policy.hosts.slice(0, -1).join(", ")} or ${policy.hosts.at(-1)}`;
  const what = host === null ? "a request without a Host header" : `Host "${host}"`;
  return `Refusing ${what}: this server answers only to ${expected} (a page of another ` +
    `site may be reaching it through DNS rebinding); open it at http://${policy.hosts[0]}/`;
}
