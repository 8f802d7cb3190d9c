/**
 * Bundles the page's share of `src/` with Deno itself (`deno bundle --platform browser`), so
 * the page runs the same TypeScript as the CLI without a build step or build output in the
 * repository: `src/browser.ts` (tokenizer, sidecar, sampling) and `src/web/train_worker.ts`
 * (the whole training stack). Takes a fraction of a second; `startServer` does it once at
 * start. onnxruntime-node stays out (`--external`): the node backend imports it on first use,
 * which the page never makes.
 *
 * @module
 */

/** The page's library module, relative to the project root. */
export const BROWSER_ENTRY = "src/browser.ts";

/** The training worker's module, relative to the project root. */
export const WORKER_ENTRY = "src/web/train_worker.ts";

/** Raised when the bundle cannot be built. */
export class BundleError extends Error {
  override name = "BundleError";
}

/**
 * Bundles the browser entry into one ES module.
 *
 * @param root The project root (holding `deno.json` and `src/`).
 * @param entry The entry module, relative to `root`.
 * @returns The module's JavaScript text.
 * @throws BundleError naming the entry, with Deno's message, when bundling fails or Deno
 *   may not be run (the process needs `--allow-run`).
 */
export async function bundleBrowserLib(root: string, entry = BROWSER_ENTRY): Promise<string> {
  const what = `Cannot bundle ${entry} with "deno bundle"`;
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(Deno.execPath(), {
      // deno bundle 2.x prints nothing to stdout once --external is given, unless told to.
      args: [
        "bundle",
        "--quiet",
        "--platform",
        "browser",
        "--external",
        "onnxruntime-node",
        "--output",
        "/dev/stdout",
        entry,
      ],
      cwd: root,
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    // Deno's own message names the missing permission (--allow-run) or the missing binary.
    throw new BundleError(`${what}: ${(error as Error).message}`);
  }
  const stderr = new TextDecoder().decode(out.stderr).trim();
  if (!out.success) {
    throw new BundleError(
      `${what}: expected exit code 0, got ${out.code}${stderr ? `:\n${stderr}` : ""}`,
    );
  }
  const js = new TextDecoder().decode(out.stdout);
  // A library that exports nothing, or a worker that listens to no message, means the entry
  // was not what we think it is.
  const expected = entry === WORKER_ENTRY ? /\bonmessage\s*=/ : /\bexport\s*\{/;
  if (!expected.test(js)) {
    throw new BundleError(
      `${what}: the output (${js.length} characters) is not the module it should be`,
    );
  }
  return js;
}
