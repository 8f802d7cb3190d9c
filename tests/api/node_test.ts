/**
 * The model API under Node: the browser bundle (`lib/onnx_lm.js`, the same file a site ships)
 * imported by Node, running onnxruntime-node, gives what Deno gives. CI machines have Node (it
 * installs Deno with npm), so there the test must run; elsewhere it is skipped with a warning.
 */
import assert from "node:assert/strict";
import { loadModel } from "../../src/api/mod.ts";
import { bundleBrowserLib } from "../../tools/lib/serve/bundle.ts";

const ROOT = decodeURIComponent(new URL("../../", import.meta.url).pathname).replace(/\/$/, "");

async function nodeVersion(): Promise<string | undefined> {
  try {
    const out = await new Deno.Command("node", { args: ["--version"], stdout: "piped" }).output();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : undefined;
  } catch {
    return undefined;
  }
}

const node = await nodeVersion();
if (!node && Deno.env.get("CI") === undefined) {
  console.warn("\n!!! SKIPPING the model API under Node: no node on PATH\n");
}

Deno.test({
  name: "the bundled model API runs under Node and agrees with Deno",
  ignore: !node && Deno.env.get("CI") === undefined,
  fn: async () => {
    // Inside the project, so Node finds onnxruntime-node in its node_modules.
    await Deno.mkdir(`${ROOT}/.tmp`, { recursive: true });
    const dir = await Deno.makeTempDir({ dir: `${ROOT}/.tmp`, prefix: "node-api-" });
    try {
      await Deno.writeTextFile(`${dir}/onnx_lm.mjs`, await bundleBrowserLib(ROOT));
      const prompt = "eight thousand one . eight thousand two .";
      const options = { n: 10, temperature: 1, topK: 10, topP: 0.9, seed: 5 };
      await Deno.writeTextFile(
        `${dir}/run.mjs`,
        `import { loadModel } from "./onnx_lm.mjs";
const model = await loadModel(${JSON.stringify(`${ROOT}/examples/lm6.onnx`)});
const top = await model.nextTokens(${JSON.stringify(prompt)}, 5);
const text = await model.generate(${JSON.stringify(prompt)}, ${JSON.stringify(options)});
await model.release();
console.log(JSON.stringify({ device: model.device, top, text }));
`,
      );
      const out = await new Deno.Command("node", {
        args: [`${dir}/run.mjs`],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assert.ok(out.success, `node exited with ${out.code}: ${stderr}`);
      const got = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
      const model = await loadModel(`${ROOT}/examples/lm6.onnx`);
      try {
        assert.equal(got.device, "cpu");
        assert.deepEqual(got.top, await model.nextTokens(prompt, 5));
        assert.equal(got.text, await model.generate(prompt, options));
      } finally {
        await model.release();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
