import assert from "node:assert/strict";
import { Graph } from "../../src/graph/graph.ts";
import { saveGraph } from "../../src/graph/model_io.ts";
import * as ops from "../../src/ops/mod.ts";
import {
  BROWSER_LIB_PATH,
  bundleScripts,
  createHandler,
  ISOLATION_HEADERS,
  PAGE_CSP,
  PROJECT_ROOT,
  WORKER_CSP,
  WORKER_PATH,
} from "../../tools/lib/serve/serve_app.ts";
import { safeSegments, UnsafePathError } from "../../tools/lib/serve/serve_files.ts";
import { listModels, ModelsDirError } from "../../tools/lib/serve/serve_models.ts";
import { findOrtDist, ORT_ENTRY } from "../../tools/lib/serve/serve_ort.ts";
import { exportBytes, SIDECAR } from "../helpers/model_files.ts";

/** A real (tiny) ONNX model whose output is named `output`: not an onnx-lm export. */
function onnxBytes(output: string): Uint8Array {
  const g = new Graph("tiny");
  g.output(ops.relu(g.input("x", "float32", ["batch", 2])), output);
  return saveGraph(g);
}

const MODEL = exportBytes();

async function modelsDir(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-serve-" });
  await Deno.writeTextFile(`${dir}/lm10.json`, JSON.stringify({ ...SIDECAR, file: "lm10.onnx" }));
  await Deno.writeFile(`${dir}/lm10.onnx`, MODEL);
  await Deno.writeTextFile(`${dir}/lm2.json`, JSON.stringify(SIDECAR));
  await Deno.writeFile(`${dir}/lm2.onnx`, MODEL);
  // A sidecar from another model: its vocabulary is wider than the graph's logits.
  await Deno.writeTextFile(
    `${dir}/wide.json`,
    JSON.stringify({ ...SIDECAR, file: "lm2.onnx", vocab: ["a", "b"] }),
  );
  // Files that look like models and are not: empty, truncated, an ONNX model of something else.
  for (
    const [name, bytes] of [
      ["empty", new Uint8Array(0)],
      ["torn-model", MODEL.subarray(0, MODEL.length - 7)],
      ["other", onnxBytes("y")],
    ] as const
  ) {
    await Deno.writeTextFile(
      `${dir}/${name}.json`,
      JSON.stringify({ ...SIDECAR, file: `${name}.onnx` }),
    );
    await Deno.writeFile(`${dir}/${name}.onnx`, bytes);
  }
  await Deno.writeTextFile(`${dir}/gone.json`, JSON.stringify({ ...SIDECAR, file: "gone.onnx" }));
  await Deno.writeTextFile(`${dir}/old.json`, JSON.stringify({ ...SIDECAR, version: 7 }));
  await Deno.writeTextFile(`${dir}/evil.json`, JSON.stringify({ ...SIDECAR, file: "../x.onnx" }));
  await Deno.writeTextFile(`${dir}/torn.json`, "{");
  await Deno.writeTextFile(`${dir}/settings.json`, JSON.stringify({ editor: "vim" }));
  return dir;
}

Deno.test("safeSegments() refuses every way out of the directory", () => {
  assert.deepEqual(safeSegments("a/b%20c.json"), ["a", "b c.json"]);
  for (
    const bad of ["..", "a/../b", "%2e%2e/x", "a%2Fb", "a%5Cb", "", "a//b", ".hidden", "%E0%A4%A"]
  ) {
    assert.throws(() => safeSegments(bad), UnsafePathError, bad);
  }
});

Deno.test("listModels() lists sidecars in natural order, each unusable one with its reason", async () => {
  const dir = await modelsDir();
  try {
    const models = await listModels(dir);
    assert.deepEqual(models.map((m) => m.name), [
      "empty",
      "evil",
      "gone",
      "lm2",
      "lm10",
      "old",
      "other",
      "torn-model",
      "torn",
      "wide",
    ]);
    const byName = Object.fromEntries(models.map((m) => [m.name, m]));
    assert.equal(byName.lm2.size, MODEL.length);
    assert.equal(byName.lm2.error, undefined);
    assert.equal(
      byName.wide.error,
      "lm2.onnx predicts 1 tokens, but its sidecar's vocabulary has 2: the two files do not belong together",
    );
    assert.equal(byName.empty.error, "empty.onnx is empty (0 bytes): export the model again");
    assert.match(byName["torn-model"].error!, /torn-model\.onnx.*export the model again$/);
    assert.equal(
      byName.other.error,
      `other.onnx has no "logits" output: not an onnx-lm export`,
    );
    assert.equal(byName.gone.error, "gone.onnx is missing from the models directory");
    assert.match(
      byName.old.error!,
      /^old\.json: "version" must be one of 1, 2: got 7$/,
    );
    assert.match(
      byName.evil.error!,
      /"file" must be a plain \.onnx file name: got "\.\.\/x\.onnx"/,
    );
    assert.match(byName.torn.error!, /^Cannot read torn\.json: /);
    // An unusable model lists only what the page shows; a usable one, the checked sidecar the
    // page loads it with.
    assert.deepEqual(Object.keys(byName.old), ["name", "file", "error"]);
    assert.deepEqual(Object.keys(byName.wide), ["name", "file", "size", "error"]);
    assert.deepEqual(byName.lm2.vocab, ["a"]);
    assert.equal(byName.lm2.format, "onnx-lm-export");
    await assert.rejects(listModels(`${dir}/nope`), ModelsDirError);
    await assert.rejects(listModels(`${dir}/nope`), /does not exist: export a model there/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the server serves the page, the model list, models and onnxruntime-web, and nothing else", async () => {
  const dir = await modelsDir();
  const handle = createHandler({
    webDir: `${PROJECT_ROOT}/web`,
    modelsDir: dir,
    ortDir: await findOrtDist(PROJECT_ROOT),
  }, await bundleScripts(PROJECT_ROOT));
  const get = (path: string, method = "GET") =>
    handle(new Request(`http://127.0.0.1${path}`, { method }));
  try {
    const page = await get("/");
    assert.equal(page.status, 200);
    assert.equal(page.headers.get("content-security-policy"), PAGE_CSP);
    assert.match(await page.text(), /<script type="module" src="web\/app\.js">/);

    const index = await get("/models/index.json");
    assert.equal(index.status, 200);
    assert.equal((await index.json()).length, 10);

    const model = await get("/models/lm2.onnx");
    assert.equal(model.headers.get("content-type"), "application/octet-stream");
    assert.equal((await model.arrayBuffer()).byteLength, MODEL.length);
    // Every response carries the page's policy, whatever path reaches an HTML file, and the
    // headers that make it cross-origin isolated (threads for wasm).
    for (
      const path of ["/web/index.html", "/index.html", "/models/lm2.onnx", "/nope", WORKER_PATH]
    ) {
      const r = await get(path);
      const csp = path === WORKER_PATH ? WORKER_CSP : PAGE_CSP;
      assert.equal(r.headers.get("content-security-policy"), csp, path);
      assert.equal(r.headers.get("cross-origin-opener-policy"), "same-origin", path);
      assert.equal(r.headers.get("cross-origin-embedder-policy"), "require-corp", path);
      await r.body?.cancel();
    }
    assert.deepEqual(Object.keys(ISOLATION_HEADERS).length, 2);
    // Only the worker may eval (protobufjs's encoders); the page may not.
    assert.match(WORKER_CSP, /'unsafe-eval'/);
    assert.doesNotMatch(PAGE_CSP, /'unsafe-eval'/);

    const ort = await get(`/ort/${ORT_ENTRY}`);
    assert.equal(ort.status, 200);
    assert.match(ort.headers.get("content-type")!, /^text\/javascript/);
    await ort.body?.cancel();
    // The page's share of src/, bundled: the same functions the CLI runs.
    const lib = await get(BROWSER_LIB_PATH);
    assert.equal(lib.status, 200);
    assert.match(lib.headers.get("content-type")!, /^text\/javascript/);
    assert.equal(lib.headers.get("x-content-type-options"), "nosniff");
    const libText = await lib.text();
    for (const name of ["loadModel", "readPrompt", "joinTokens", "parseSidecar", "readModelList"]) {
      assert.match(libText, new RegExp(`export \\{[^}]*\\b${name}\\b`), name);
    }
    assert.doesNotMatch(libText, /^import /m, "the bundle imports nothing");
    // The training worker: the CLI's learner, without onnxruntime-node's native binding.
    const worker = await get(WORKER_PATH);
    assert.equal(worker.status, 200);
    const workerText = await worker.text();
    assert.match(workerText, /\bTrainJob = class\b/);
    assert.match(workerText, /\bLearner = class\b/);
    assert.doesNotMatch(workerText, /^import /m, "the worker imports nothing statically");
    assert.doesNotMatch(workerText, /onnxruntime_binding/);
    // The bundles carry the ONNX schema: nothing fetches it, so it is not served.
    assert.match(workerText, /message ModelProto/);
    assert.match(libText, /message ModelProto/);
    assert.equal((await get("/proto/onnx.proto")).status, 404);
    const head = await get("/web/app.js", "HEAD");
    assert.equal(head.status, 200);
    assert.equal(head.body, null);

    for (
      const [path, status] of [
        ["/models/..%2f..%2fdeno.json", 400],
        ["/web/../deno.json", 404], // URL parsing already removed the dots: /deno.json
        ["/web/%2e%2e/deno.json", 404], // so did %2e%2e, which URL parsing treats as ..
        ["/models/nope.onnx", 404],
        ["/web/index.ts", 404], // a type the server does not serve
        ["/etc/passwd", 404],
      ] as const
    ) {
      const r = await get(path);
      assert.equal(r.status, status, path);
      await r.body?.cancel();
    }
    const post = await get("/", "POST");
    assert.equal(post.status, 405);
    assert.equal(post.headers.get("allow"), "GET, HEAD");
    await post.body?.cancel();

    const missing = createHandler({
      webDir: `${PROJECT_ROOT}/web`,
      modelsDir: `${dir}/nope`,
      ortDir: dir,
    }, {});
    const r = await missing(new Request("http://127.0.0.1/models/index.json"));
    assert.equal(r.status, 404);
    assert.match((await r.json()).error, /does not exist/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("serve CLI: bad flags name the flag", async () => {
  for (
    const [args, message] of [
      [["--port", "99999"], /--port must be an integer from 0 to 65535: got "99999"/],
      [["runs/export"], /unexpected argument "runs\/export" \(use --models DIR/],
      [["--host", "a b"], /--host must be a host name or IP address: got "a b"/],
    ] as const
  ) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", "--allow-net", "--allow-env", "tools/serve.ts", ...args],
      cwd: PROJECT_ROOT,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 2, stderr);
    assert.match(stderr, message);
    assert.ok(!stderr.includes("    at "), stderr);
  }
});

Deno.test("the page's own Content-Security-Policy (for static hosts) is serve's header, less frame-ancestors", async () => {
  const html = await Deno.readTextFile(`${PROJECT_ROOT}/web/index.html`);
  const meta = /<meta http-equiv="Content-Security-Policy"\s+content="([^"]+)">/.exec(html);
  assert.ok(meta, "index.html carries its policy");
  assert.equal(meta[1], PAGE_CSP.replace("; frame-ancestors 'none'", ""));
});
