/**
 * Finds onnxruntime-web's `dist/` folder (the ESM bundles and the `.wasm` they load) where
 * Deno installed the npm package under `node_modules/`, at the version the import map pins.
 *
 * @module
 */

/** The file the page imports from `/ort/`. */
export const ORT_ENTRY = "ort.min.mjs";

/**
 * The version prefix of `onnxruntime-web` in the project's import map (`1.30` for
 * `npm:onnxruntime-web@1.30`).
 *
 * @param root Project root (holding `deno.json`).
 * @returns The prefix, or undefined when the import map does not pin one.
 */
export async function pinnedVersion(root: string): Promise<string | undefined> {
  try {
    const config = JSON.parse(await Deno.readTextFile(`${root}/deno.json`));
    const spec = config?.imports?.["onnxruntime-web"];
    const match = typeof spec === "string" ? /^npm:onnxruntime-web@([\d.]+)/.exec(spec) : null;
    return match?.[1];
  } catch {
    return undefined;
  }
}

async function versionAt(packageDir: string): Promise<string | undefined> {
  try {
    const pkg = JSON.parse(await Deno.readTextFile(`${packageDir}/package.json`));
    return typeof pkg.version === "string" ? pkg.version : undefined;
  } catch {
    return undefined;
  }
}

const matches = (version: string | undefined, prefix: string | undefined) =>
  version !== undefined &&
  (prefix === undefined || version === prefix || version.startsWith(`${prefix}.`));

/**
 * The `dist/` directory of the installed onnxruntime-web.
 *
 * @param root Project root (holding `deno.json` and `node_modules/`).
 * @returns The directory's path.
 * @throws Error saying how to install it when it is missing.
 */
export async function findOrtDist(root: string): Promise<string> {
  const prefix = await pinnedVersion(root);
  const candidates = [`${root}/node_modules/onnxruntime-web`];
  try {
    for await (const e of Deno.readDir(`${root}/node_modules/.deno`)) {
      if (e.name.startsWith("onnxruntime-web@")) {
        candidates.push(`${root}/node_modules/.deno/${e.name}/node_modules/onnxruntime-web`);
      }
    }
  } catch {
    // No node_modules/.deno: only the top-level link can hold it.
  }
  for (const dir of candidates) {
    if (!matches(await versionAt(dir), prefix)) continue;
    try {
      await Deno.stat(`${dir}/dist/${ORT_ENTRY}`);
      return `${dir}/dist`;
    } catch {
      // An incomplete install; try the next one.
    }
  }
  const want = prefix ? `onnxruntime-web@${prefix}` : "onnxruntime-web";
  throw new Error(
    `${want} is not installed in ${root}/node_modules (the page loads it from there): ` +
      `run "deno install" in ${root}`,
  );
}
