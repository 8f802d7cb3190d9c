/**
 * Refuses a models folder that would publish far more than models. `/models/<path>` serves
 * any non-hidden file of a served type (`.json`, `.onnx`, `.js`, `.html`, ...) anywhere
 * beneath the folder, so `--models /` or `--models ~` would hand out configuration files,
 * tokens and notes to anyone who can reach the port. Checked by real path, so a link to the
 * home folder is refused too.
 *
 * @module
 */

/** Raised for a models folder that is a system root, a system folder or a home folder. */
export class UnsafeModelsDirError extends Error {
  override name = "UnsafeModelsDirError";
}

/** Top-level system folders (Linux, macOS): never a folder of exported models. */
const SYSTEM_DIRS = new Set([
  "/bin",
  "/boot",
  "/dev",
  "/etc",
  "/home",
  "/lib",
  "/lib64",
  "/opt",
  "/private",
  "/proc",
  "/root",
  "/sbin",
  "/sys",
  "/System",
  "/tmp",
  "/Library",
  "/Users",
  "/usr",
  "/var",
]);

function realPathOf(path: string): string | undefined {
  try {
    return Deno.realPathSync(path);
  } catch {
    return undefined;
  }
}

/** The home folder, when the environment names it and may be read. */
function homeDir(): string | undefined {
  for (const variable of ["HOME", "USERPROFILE"]) {
    // Without the permission, the check is skipped rather than prompting for it.
    if (Deno.permissions.querySync({ name: "env", variable }).state !== "granted") continue;
    const value = Deno.env.get(variable);
    if (value) return realPathOf(value) ?? value;
  }
  return undefined;
}

function isRoot(path: string): boolean {
  return path === "/" || /^[A-Za-z]:[\\/]?$/.test(path) || /^\\\\[^\\]+\\[^\\]+\\?$/.test(path);
}

/**
 * Why `dir` must not be served as the models folder, or undefined when it may be.
 *
 * @param dir The models folder as given (a missing one passes: the model list says so).
 * @returns The reason, naming the folder.
 */
export function broadModelsDirProblem(dir: string): string | undefined {
  const real = realPathOf(dir);
  if (real === undefined) return undefined;
  const named = real === dir ? `"${dir}"` : `"${dir}" (${real})`;
  const home = homeDir();
  let what: string | undefined;
  if (isRoot(real)) what = "the file system's root";
  else if (home !== undefined && real === home) what = "your home folder";
  else if (home !== undefined && home.startsWith(`${real.replace(/[\\/]$/, "")}/`)) {
    what = `a folder that holds your home folder (${home})`;
  } else if (SYSTEM_DIRS.has(real)) what = "a system folder";
  if (what === undefined) return undefined;
  return `Refusing to serve ${named} as the models folder: it is ${what}, and the server ` +
    `would publish every .json, .onnx, .js and .html file beneath it; pass the folder the ` +
    `models were exported to (deno task export RUN --out DIR)`;
}

/**
 * Throws when `dir` must not be served as the models folder.
 *
 * @param dir The models folder.
 * @throws UnsafeModelsDirError saying why.
 */
export function refuseBroadModelsDir(dir: string): void {
  const problem = broadModelsDirProblem(dir);
  if (problem) throw new UnsafeModelsDirError(problem);
}
