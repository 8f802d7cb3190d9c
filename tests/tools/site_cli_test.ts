/**
 * `deno task site`'s files and refusals (the site in a browser: tests/e2e/site_test.ts).
 */
import assert from "node:assert/strict";
import { listModels } from "../../tools/lib/serve/serve_models.ts";
import { ORT_FILES } from "../../tools/lib/serve/site_build.ts";
import { runTool } from "../helpers/cli.ts";
import { exportFixture } from "../e2e/fixture.ts";

Deno.test("site CLI: the folder's files, its model list, and every refusal in one line", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-site-cli-" });
  try {
    await exportFixture(`${dir}/exp`, "lm6", 1);
    await exportFixture(`${dir}/exp`, "lm1", 1);
    // A renamed pair: the site names the file it sits beside.
    await Deno.rename(`${dir}/exp/lm1.onnx`, `${dir}/exp/three.onnx`);
    await Deno.rename(`${dir}/exp/lm1.json`, `${dir}/exp/three.json`);
    const site = `${dir}/site`;
    const built = await runTool("site", [
      `${dir}/exp/lm6.onnx`,
      `${dir}/exp/three.onnx`,
      "--out",
      site,
    ]);
    assert.equal(built.code, 0, built.stderr);
    const list = (path: string) =>
      [...Deno.readDirSync(`${site}/${path}`)].map((e) => e.name).sort();
    assert.deepEqual(list(""), ["index.html", "lib", "models", "ort", "web"]);
    assert.deepEqual(list("lib"), ["onnx_lm.js", "train_worker.js"]);
    assert.deepEqual(list("ort"), [...ORT_FILES].sort());
    assert.deepEqual(list("models"), [
      "index.json",
      "lm6.json",
      "lm6.onnx",
      "three.json",
      "three.onnx",
    ]);
    assert.deepEqual(list("web"), [
      "app.js",
      "style.css",
      "train.js",
      "train_lr_find.js",
      "train_view.js",
      "view.js",
    ]);
    const index = JSON.parse(await Deno.readTextFile(`${site}/models/index.json`));
    assert.deepEqual(index.map((e: { name: string; file: string }) => [e.name, e.file]), [
      ["lm6", "lm6.onnx"],
      ["three", "three.onnx"],
    ]);
    assert.ok(index.every((e: { error?: string }) => e.error === undefined));
    const html = await Deno.readTextFile(`${site}/index.html`);
    assert.doesNotMatch(html, /(src|href)="\//, "no root-relative URL in the page");
    assert.match(built.stdout, /^wrote .*site\/ \([\d.]+ MB\):$/m);
    assert.match(built.stdout, /models\/ .* lm6, three/);

    const refused = async (args: string[], code: number, pattern: RegExp) => {
      const r = await runTool("site", args);
      assert.equal(r.code, code, r.stderr);
      assert.match(r.stderr, pattern);
      assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
    };
    await refused(
      [`${dir}/exp/lm6.onnx`, "--out", site],
      2,
      /^error: --out .*site is not empty: .* --force/m,
    );
    await refused(["--out", `${dir}/x`], 2, /give at least one run directory or exported \.onnx/);
    await refused([`${dir}/exp/lm6.onnx`], 2, /--out DIR is required/);
    await refused(
      [`${dir}/nope`, "--out", `${dir}/x`],
      1,
      /Cannot put .*nope on the site: no checkpoint/,
    );
    await Deno.copyFile(`${dir}/exp/lm6.onnx`, `${dir}/alone.onnx`);
    await refused(
      [`${dir}/alone.onnx`, "--out", `${dir}/x`],
      1,
      /its sidecar .*alone\.json is missing/,
    );
    await refused(
      [`${dir}/exp/lm6.onnx`, `${dir}/exp/lm6.onnx`, "--out", `${dir}/x`],
      1,
      /both "lm6": export one with "deno task export RUN --name OTHER"/,
    );
    await Deno.writeTextFile(`${dir}/file`, "");
    await refused([`${dir}/exp/lm6.onnx`, "--out", `${dir}/file`], 2, /it is a file, not a folder/);
    assert.deepEqual(
      [...Deno.readDirSync(dir)].map((e) => e.name).sort(),
      ["alone.onnx", "exp", "file", "site"],
      "a refused site leaves nothing behind",
    );

    // --force replaces the site whole.
    const again = await runTool("site", [`${dir}/exp/lm6.onnx`, "--out", site, "--force"]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(list("models"), ["index.json", "lm6.json", "lm6.onnx"]);

    // ... but only a site: a folder of other files stays, whatever --force says.
    await Deno.mkdir(`${dir}/mine`);
    await Deno.writeTextFile(`${dir}/mine/notes.txt`, "keep me");
    await refused(
      [`${dir}/exp/lm6.onnx`, "--out", `${dir}/mine`, "--force"],
      1,
      /--out .*mine is not a site written by "deno task site" \(it has no index\.html\): refusing/,
    );
    assert.equal(await Deno.readTextFile(`${dir}/mine/notes.txt`), "keep me");
    // serve on a site's models/ lists the models, not the list itself.
    assert.deepEqual((await listModels(`${site}/models`)).map((e) => e.name), ["lm6"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
