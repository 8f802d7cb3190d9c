/**
 * Issue 21, item 3: every file the CLI and the server read is a regular file of a sane size.
 * A FIFO (a read waits for a writer, forever) and a link to /dev/zero (a read fills memory) are
 * refused at once, by name. Each tool runs under a deadline, so a hang fails the test.
 */
import assert from "node:assert/strict";
import { ROOT, taskPermissions } from "../helpers/cli.ts";
import { checkRegularFile, FileKindError } from "../../tools/lib/cli/regular_file.ts";
import { listModels } from "../../tools/lib/serve/serve_models.ts";
import { fileResponse } from "../../tools/lib/serve/serve_files.ts";

const DEADLINE_MS = 60_000;

async function tool(name: string, args: string[]): Promise<{ code: number; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...taskPermissions(name), `tools/${name}.ts`, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "null",
    stderr: "piped",
    signal: AbortSignal.timeout(DEADLINE_MS), // a hang becomes a failure, not a stuck suite
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

async function mkfifo(path: string): Promise<void> {
  const out = await new Deno.Command("mkfifo", { args: [path] }).output();
  assert.ok(out.success, `mkfifo ${path}`);
}

Deno.test("checkRegularFile names what a path is instead of a file, and its size limit", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await mkfifo(`${dir}/pipe`);
    await Deno.symlink("/dev/zero", `${dir}/zero`);
    await Deno.writeFile(`${dir}/big`, new Uint8Array(2048));
    const cases: [string, RegExp][] = [
      [`${dir}/pipe`, /^the file .*\/pipe is a FIFO \(named pipe\), not a regular file$/],
      [`${dir}/zero`, /^the file .*\/zero is a character device, not a regular file$/],
      [dir, /is a folder, not a regular file$/],
      [`${dir}/big`, /^the file .*\/big is 0\.0 MiB, over the 0\.0 MiB this reads$/],
    ];
    for (const [path, message] of cases) {
      await assert.rejects(checkRegularFile(path, "the file", 1024), (e) => {
        assert.ok(e instanceof FileKindError, String(e));
        assert.match(e.message, message);
        return true;
      });
    }
    assert.equal((await checkRegularFile(`${dir}/big`, "the file", 4096)).size, 2048);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("export, generate and train refuse a FIFO or /dev/zero as checkpoint, model or sidecar", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/fifo-run`);
    await mkfifo(`${dir}/fifo-run/checkpoint.safetensors`);
    await Deno.mkdir(`${dir}/zero-run`);
    await Deno.symlink("/dev/zero", `${dir}/zero-run/checkpoint.safetensors`);
    await Deno.symlink("/dev/zero", `${dir}/zero.onnx`);
    await Deno.copyFile(`${ROOT}examples/lm6.json`, `${dir}/zero.json`);
    await Deno.copyFile(`${ROOT}examples/lm6.onnx`, `${dir}/piped.onnx`);
    await mkfifo(`${dir}/piped.json`);
    const cases: [string, string[], number, RegExp][] = [
      [
        "export",
        [`${dir}/fifo-run`],
        1,
        /checkpoint\.safetensors is a FIFO \(named pipe\), not a regular file/,
      ],
      [
        "export",
        [`${dir}/zero-run`],
        1,
        /checkpoint\.safetensors is a character device, not a regular file/,
      ],
      [
        "generate",
        [`${dir}/zero-run`, "--n", "3", "--prompt", "one"],
        1,
        /is a character device, not a regular file/,
      ],
      [
        "generate",
        [`${dir}/zero.onnx`, "--n", "3", "--prompt", "one"],
        1,
        /zero\.onnx: it is not a regular file/,
      ],
      [
        "generate",
        [`${dir}/piped.onnx`, "--n", "3", "--prompt", "one"],
        1,
        /piped\.json: it is not a regular file/,
      ],
      // An --out holding an unreadable checkpoint is a run that is not replaced unasked.
      ["train", ["lm1", "--out", `${dir}/fifo-run`], 2, /a checkpoint this version cannot read/],
    ];
    for (const [name, args, code, message] of cases) {
      const r = await tool(name, args);
      assert.equal(r.code, code, `${name} ${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message, `${name} ${args.join(" ")}`);
      assert.ok(!r.stderr.includes("    at "), `no stack trace: ${r.stderr}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("serve skips a FIFO sidecar, names a FIFO model, and answers 404 for a FIFO or device file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.copyFile(`${ROOT}examples/lm6.onnx`, `${dir}/lm6.onnx`);
    await Deno.copyFile(`${ROOT}examples/lm6.json`, `${dir}/lm6.json`);
    await mkfifo(`${dir}/piped.json`);
    await mkfifo(`${dir}/pipe.onnx`);
    await Deno.symlink("/dev/zero", `${dir}/zero.onnx`);
    const sidecar = JSON.parse(await Deno.readTextFile(`${dir}/lm6.json`));
    await Deno.writeTextFile(`${dir}/pipe.json`, JSON.stringify({ ...sidecar, file: "pipe.onnx" }));
    const listed = await Promise.race([
      listModels(dir),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error("listModels hung")), 20_000)
      ),
    ]);
    const byName = new Map(listed.map((m) => [m.name, m]));
    assert.equal(byName.get("lm6")?.error, undefined);
    assert.equal(byName.has("piped"), false); // a FIFO is no sidecar: not even read
    assert.match(
      String(byName.get("pipe")?.error),
      /pipe\.onnx is a FIFO \(named pipe\), not a model file/,
    );
    for (const name of ["pipe.onnx", "zero.onnx"]) {
      const answer = await fileResponse(dir, [name], "GET");
      assert.equal(answer, undefined, `${name} is not served`);
    }
    const good = await fileResponse(dir, ["lm6.onnx"], "GET");
    assert.equal(good?.status, 200);
    await good?.body?.cancel();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an --out that is a link to nothing is named as such, not as existing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.symlink(`${dir}/gone`, `${dir}/out`);
    const r = await tool("train", ["lm1", "--epochs", "1", "--out", `${dir}/out`]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /^error: --out .*\/out is a link to .*\/gone, which does not exist: point it at a directory, or remove the link$/m,
    );
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["out"]); // nothing made
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
