/**
 * Debian's Chromium, headless, driven by playwright-core, with the flags this network needs:
 * for the browser tests and `deno task bench:page`.
 *
 * @module
 */

import { type Browser, chromium } from "playwright-core";

/** Where Chromium is: `$CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`. */
export const CHROMIUM_PATH: string = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";

/** Whether Chromium can run here. */
export const chromiumAvailable: boolean = await (async () => {
  try {
    return (await Deno.stat(CHROMIUM_PATH)).isFile;
  } catch {
    return false;
  }
})();

/** Flags for a headless run on a machine with no network beyond loopback. */
export const CHROMIUM_FLAGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/**
 * Launches headless Chromium.
 *
 * @param options `webgpu`: give the page a (SwiftShader) WebGPU adapter.
 * @returns The browser.
 * @throws Error naming the path when Chromium is missing.
 */
export async function launchChromium(options: { webgpu?: boolean } = {}): Promise<Browser> {
  if (!chromiumAvailable) {
    throw new Error(
      `No Chromium at ${CHROMIUM_PATH}: apt-get install chromium, or set CHROMIUM_PATH`,
    );
  }
  // WebGPU on SwiftShader: Chromium's software Vulkan gives navigator.gpu an adapter.
  const args = options.webgpu
    ? [
      ...CHROMIUM_FLAGS.filter((f) => f !== "--disable-gpu"),
      "--enable-unsafe-webgpu",
      "--use-webgpu-adapter=swiftshader",
    ]
    : [...CHROMIUM_FLAGS];
  return await chromium.launch({ executablePath: CHROMIUM_PATH, args });
}
