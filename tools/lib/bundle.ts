/**
 * Bundles `src/browser.ts` for the page with Deno itself (`deno bundle --platform browser`),
 * so the page runs the same TypeScript as the CLI without a build step or build output in
 * the repository. Takes a fraction of a second; `startServer` does it once at start.
 *
 * @module
 */

/** The page's entry module, relative to the project root. */
export const BROWSER_ENTRY = "src/browser.ts";

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
      args: ["bundle", "--quiet", "--platform", "browser", entry],
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
  // A bundle that exports nothing means the entry was not what we think it is.
  if (!/\bexport\s*\{/.test(js)) {
    throw new BundleError(`${what}: the output (${js.length} characters) exports nothing`);
  }
  return js;
}
