/**
 * Chromium for the browser tests (`tools/lib/serve/chromium.ts`): found and launched, or reported
 * missing. Where it is missing the browser tests are skipped with a loud warning, except
 * under CI (`CI` set), where `.ci/run` installs it and they must run.
 *
 * @module
 */

import { CHROMIUM_PATH, chromiumAvailable } from "../../tools/lib/serve/chromium.ts";

export {
  CHROMIUM_FLAGS,
  CHROMIUM_PATH,
  chromiumAvailable,
  launchChromium,
} from "../../tools/lib/serve/chromium.ts";

/** Whether tests must not skip the browser (CI). */
export const chromiumRequired: boolean = Deno.env.get("CI") !== undefined;

/**
 * Whether a browser test should be ignored; warns loudly when it is.
 *
 * @param name The test's name.
 * @returns True when Chromium is missing and CI is not set.
 */
export function ignoreWithoutChromium(name: string): boolean {
  if (chromiumAvailable || chromiumRequired) return false;
  console.warn(
    `\n!!! SKIPPING "${name}": no Chromium at ${CHROMIUM_PATH} ` +
      `(apt-get install chromium, or set CHROMIUM_PATH)\n`,
  );
  return true;
}
