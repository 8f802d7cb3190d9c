import assert from "node:assert/strict";
import { createHandler, PROJECT_ROOT } from "../../tools/lib/serve/serve_app.ts";
import { ModelListCache } from "../../tools/lib/serve/model_list_cache.ts";
import { listModels, type ModelListEntry } from "../../tools/lib/serve/serve_models.ts";
import { exportBytes, writeModel } from "../helpers/model_files.ts";

const MODEL = exportBytes();

/** The handler over `dir`, with `cache` as its model list, and a GET of the list. */
function listGetter(dir: string, cache: ModelListCache): () => Promise<ModelListEntry[]> {
  const handle = createHandler(
    { webDir: `${PROJECT_ROOT}/web`, modelsDir: dir, ortDir: dir },
    {},
    { models: cache },
  );
  return async () => {
    const response = await handle(new Request("http://127.0.0.1/models/index.json"));
    assert.equal(response.status, 200);
    return await response.json();
  };
}

Deno.test("a 3,000-sidecar models folder is listed once, then served from the cache", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-list-3000-" });
  try {
    for (let i = 0; i < 3000; i++) await writeModel(dir, `m${i}`, MODEL);
    let built = 0;
    // recheckMs 0: every request looks at all 6,000 files, and still none rebuilds.
    const cache = new ModelListCache(dir, {
      recheckMs: 0,
      build: (d) => (built++, listModels(d)),
    });
    const get = listGetter(dir, cache);
    const first = await get();
    assert.equal(first.length, 3000);
    assert.ok(first.every((m) => m.error === undefined), "all usable");
    for (let i = 0; i < 40; i++) assert.equal((await get()).length, 3000);
    assert.equal(built, 1);
    assert.equal(cache.builds, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the model list is rebuilt when a sidecar or .onnx is added, changed or removed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-list-change-" });
  try {
    await writeModel(dir, "lm2", MODEL);
    const cache = new ModelListCache(dir, { recheckMs: 0 });
    const get = listGetter(dir, cache);
    const byName = async () => Object.fromEntries((await get()).map((m) => [m.name, m]));
    assert.deepEqual(Object.keys(await byName()), ["lm2"]);
    assert.equal(cache.builds, 1);

    // Added: a sidecar whose .onnx is not there yet, then the .onnx.
    await writeModel(dir, "lm3", null);
    assert.equal((await byName()).lm3.error, "lm3.onnx is missing from the models directory");
    assert.equal(cache.builds, 2);
    await Deno.writeFile(`${dir}/lm3.onnx`, MODEL);
    assert.equal((await byName()).lm3.error, undefined);
    assert.equal(cache.builds, 3);
    await get();
    assert.equal(cache.builds, 3, "nothing changed: no rebuild");

    // Changed: a sidecar rewritten in place.
    await writeModel(dir, "lm3", null, { description: "a new description" });
    assert.equal((await byName()).lm3.description, "a new description");
    assert.equal(cache.builds, 4);
    // Replaced with one of the same vocabulary length that no longer fits the .onnx: the
    // .onnx is unchanged, so only a verdict keyed on the sidecar too sees it.
    const state = [{ name: "c", shape: [2, "batch", 64] }];
    await writeModel(dir, "next", null, { file: "lm3.onnx", state });
    await Deno.rename(`${dir}/next.json`, `${dir}/lm3.json`);
    assert.match(String((await byName()).lm3.error), /lm3\.onnx .*"c"/);
    assert.equal(cache.builds, 5);
    await writeModel(dir, "next", null, { file: "lm3.onnx" });
    await Deno.rename(`${dir}/next.json`, `${dir}/lm3.json`);
    assert.equal((await byName()).lm3.error, undefined);
    // Changed: the .onnx truncated in place.
    await Deno.writeFile(`${dir}/lm3.onnx`, MODEL.subarray(0, MODEL.length - 7));
    assert.match(String((await byName()).lm3.error), /export the model again$/);
    assert.equal(cache.builds, 7);

    // Removed: the .onnx, then the sidecar.
    await Deno.remove(`${dir}/lm3.onnx`);
    assert.equal((await byName()).lm3.error, "lm3.onnx is missing from the models directory");
    await Deno.remove(`${dir}/lm3.json`);
    assert.deepEqual(Object.keys(await byName()), ["lm2"]);
    assert.equal(cache.builds, 9);

    // A file the list does not read changes nothing.
    await Deno.writeTextFile(`${dir}/notes.txt`, "hello");
    await get();
    assert.equal(cache.builds, 9);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("requests that arrive together share one build", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-list-burst-" });
  try {
    await writeModel(dir, "lm2", MODEL);
    const cache = new ModelListCache(dir, { recheckMs: 0 });
    const lists = await Promise.all(Array.from({ length: 10 }, () => cache.get()));
    assert.ok(lists.every((l) => l === lists[0]));
    assert.equal(cache.builds, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a missing models folder is not cached: it is listed once it exists", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-list-missing-" });
  try {
    const cache = new ModelListCache(`${dir}/models`, { recheckMs: 0 });
    await assert.rejects(cache.get(), /does not exist: export a model there/);
    await Deno.mkdir(`${dir}/models`);
    await writeModel(`${dir}/models`, "lm2", MODEL);
    assert.deepEqual((await cache.get()).entries.map((m) => m.name), ["lm2"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
