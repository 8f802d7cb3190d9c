import assert from "node:assert/strict";
import { hostPolicy } from "../../tools/lib/serve/host_check.ts";
import { DEFAULT_TIMEOUTS } from "../../tools/lib/serve/http_listener.ts";
import {
  broadModelsDirProblem,
  UnsafeModelsDirError,
} from "../../tools/lib/serve/models_dir_guard.ts";
import { type RunningServer, startServer } from "../../tools/lib/serve/serve_app.ts";
import { runTool, toolCommand } from "../helpers/cli.ts";

/** What came back on a raw connection, and whether the server closed it (not the guard). */
interface Exchange {
  readonly text: string;
  readonly closedByServer: boolean;
}

/**
 * Writes `chunks` to a fresh connection (`gapMs` apart) and reads until the server closes it;
 * a guard closes it after 20 s, far beyond any timeout here, so a test fails instead of hanging.
 */
async function exchange(port: number, chunks: readonly string[], gapMs = 0): Promise<Exchange> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  let guarded = false;
  const guard = setTimeout(() => {
    guarded = true;
    conn.close();
  }, 20_000);
  const writing = (async () => {
    for (const chunk of chunks) {
      await conn.write(new TextEncoder().encode(chunk));
      if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
    }
  })().catch(() => {}); // the server may close it mid-way: that is the point
  let text = "";
  const buf = new Uint8Array(64 * 1024);
  try {
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      text += new TextDecoder().decode(buf.subarray(0, n));
    }
  } catch {
    // reset by the server, or closed by the guard
  }
  clearTimeout(guard);
  await writing;
  if (!guarded) conn.close();
  return { text, closedByServer: !guarded };
}

function get(path: string, host: string | null, version = "1.1"): string {
  return `GET ${path} HTTP/${version}\r\n${host === null ? "" : `Host: ${host}\r\n`}` +
    "Connection: close\r\n\r\n";
}

async function withServer(
  options: { timeouts?: { idleMs: number; headersMs: number } },
  body: (server: RunningServer) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-serve-guard-" });
  const server = await startServer({ port: 0, host: "127.0.0.1", modelsDir: dir, ...options });
  try {
    await body(server);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("serve answers only the host and port it is reached by (DNS rebinding)", async () => {
  await withServer({}, async (server) => {
    const p = server.port;
    const expected = `127.0.0.1:${p}, localhost:${p} or [::1]:${p}`;
    for (const host of ["evil.example", `evil.example:${p}`, `localhost:${p + 1}`, "localhost"]) {
      const r = await exchange(p, [get("/models/index.json", host)]);
      assert.match(r.text, /^HTTP\/1\.1 421 /, host);
      assert.ok(
        r.text.includes(`Refusing Host "${host}": this server answers only to ${expected}`),
        r.text,
      );
      assert.ok(!r.text.includes("[]"), "nothing of the list");
    }
    const bare = await exchange(p, [get("/", null, "1.0")]);
    assert.match(bare.text, /^HTTP\/1\.1 421 /);
    assert.match(bare.text, /Refusing a request without a Host header/);
    for (const host of [`127.0.0.1:${p}`, `localhost:${p}`, `[::1]:${p}`, `LocalHost:${p}`]) {
      const r = await exchange(p, [get("/models/index.json", host)]);
      assert.match(r.text, /^HTTP\/1\.1 200 /, host);
      assert.match(r.text, /\r\n\r\n\[\]\n$/, host);
    }
    // An ordinary client at the server's URL sends its Host: accepted.
    const list = await fetch(`${server.url}models/index.json`);
    assert.deepEqual(await list.json(), []);
  });
});

Deno.test("hostPolicy() names the hosts of the address listened on; every interface accepts any", () => {
  assert.deepEqual(hostPolicy("0.0.0.0", 8000), { any: true });
  assert.deepEqual(hostPolicy("::", 8000), { any: true });
  assert.deepEqual(hostPolicy("::1", 8000), {
    any: false,
    hosts: ["[::1]:8000", "localhost:8000", "127.0.0.1:8000"],
  });
  assert.deepEqual(hostPolicy("192.168.1.5", 8000), { any: false, hosts: ["192.168.1.5:8000"] });
  // On port 80 a browser sends the bare name.
  assert.deepEqual(hostPolicy("localhost", 80), {
    any: false,
    hosts: ["localhost:80", "127.0.0.1:80", "[::1]:80", "localhost", "127.0.0.1", "[::1]"],
  });
});

Deno.test("serve CLI: listening on 0.0.0.0 says that any host name is accepted", async () => {
  const child = toolCommand("serve", ["--host", "0.0.0.0", "--port", "0", "--models", "runs/x"])
    .spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("note:")) {
    const { done, value } = await lines.read();
    if (done) break;
    out += value;
  }
  child.kill("SIGTERM");
  while (!(await lines.read()).done);
  const status = await child.status;
  await child.stderr.cancel();
  assert.equal(status.code, 0);
  assert.match(out, /Serving onnx-lm's page at http:\/\/0\.0\.0\.0:\d+\//);
  assert.match(out, /note: listening on 0\.0\.0\.0 \(every interface\).* by any host name/);
});

Deno.test("serve closes idle and slow connections after its timeouts", async () => {
  assert.ok(DEFAULT_TIMEOUTS.idleMs > 0 && DEFAULT_TIMEOUTS.headersMs > 0);
  await withServer({ timeouts: { idleMs: 300, headersMs: 300 } }, async (server) => {
    const p = server.port;
    // Connected, and never a byte sent.
    const idle = await exchange(p, []);
    assert.ok(idle.closedByServer, "the idle connection is closed");
    // Closed silently, or with node:http's 408 when its header timer fires first.
    assert.ok(idle.text === "" || /^HTTP\/1\.1 408 /.test(idle.text), idle.text);
    // Headers trickled a line at a time, each well within the idle limit.
    const lines = [`GET / HTTP/1.1\r\nHost: 127.0.0.1:${p}\r\n`];
    for (let i = 0; i < 40; i++) lines.push(`X-Slow-${i}: 1\r\n`);
    const slow = await exchange(p, lines, 50);
    assert.ok(slow.closedByServer, "the slow request's connection is closed");
    // node:http answers 408 and closes; under load the close can reset the socket before the
    // 408 is read, so the closing is the point and the 408, when it arrives, must be the one.
    assert.ok(slow.text === "" || /^HTTP\/1\.1 408 /.test(slow.text), slow.text);
    // A kept-alive connection, answered and then left alone.
    const kept = await exchange(p, [
      `GET /models/index.json HTTP/1.1\r\nHost: 127.0.0.1:${p}\r\n\r\n`,
    ]);
    assert.ok(kept.closedByServer, "the kept-alive connection is closed");
    assert.match(kept.text, /^HTTP\/1\.1 200 /);
  });
});

Deno.test("serve refuses --models / before serving anything", async () => {
  const r = await runTool("serve", ["--port", "0", "--models", "/"]);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(
    r.stderr.trim(),
    `error: Refusing to serve "/" as the models folder: it is the file system's root, and the ` +
      `server would publish every .json, .onnx, .js and .html file beneath it; pass the folder ` +
      `the models were exported to (deno task export RUN --out DIR)`,
  );
  assert.ok(!r.stdout.includes("Serving"), r.stdout);
});

Deno.test("serve refuses the home folder, a link to it and a folder above it", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "onnx-lm-home-" }));
  const home = `${dir}/me`;
  await Deno.mkdir(`${home}/models`, { recursive: true });
  await Deno.symlink(home, `${dir}/link`);
  const before = Deno.env.get("HOME");
  Deno.env.set("HOME", home);
  try {
    const refused = await startServer({ port: 0, host: "127.0.0.1", modelsDir: home }).then(
      () => assert.fail("served the home folder"),
      (error) => error,
    );
    assert.ok(refused instanceof UnsafeModelsDirError);
    assert.equal(
      refused.message,
      `Refusing to serve "${home}" as the models folder: it is your home folder, and the ` +
        `server would publish every .json, .onnx, .js and .html file beneath it; pass the ` +
        `folder the models were exported to (deno task export RUN --out DIR)`,
    );
    assert.match(
      broadModelsDirProblem(`${dir}/link`)!,
      new RegExp(`^Refusing to serve "${dir}/link" \\(${home}\\) .*: it is your home folder`),
    );
    assert.match(broadModelsDirProblem(dir)!, /it is a folder that holds your home folder/);
    assert.match(broadModelsDirProblem("/etc")!, /it is a system folder/);
    // A folder inside the home folder is where models belong.
    assert.equal(broadModelsDirProblem(`${home}/models`), undefined);
    assert.equal(broadModelsDirProblem(`${home}/missing`), undefined);
  } finally {
    if (before === undefined) Deno.env.delete("HOME");
    else Deno.env.set("HOME", before);
    await Deno.remove(dir, { recursive: true });
  }
});
