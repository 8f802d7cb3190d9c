/**
 * One process per run folder (issue 21, item 1): two trains into one `--out` never mix their
 * files, a `--resume` or export into a folder in use is refused with the holder named, a lock
 * whose process died is taken over, only dead processes' temp files are removed, and a
 * `--force` replacement killed while moving its files in is finished by the next train.
 *
 * @module
 */

import assert from "node:assert/strict";
import { lockFolder } from "../../tools/lib/cli/folder_lock.ts";
import { RUN_FILES, runTool, toolCommand } from "../helpers/cli.ts";

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

/** A PID no process has: one that just exited. */
async function deadPid(): Promise<number> {
  const child = new Deno.Command("true").spawn();
  await child.status;
  return child.pid;
}

Deno.test("two trains started together into one --out: one runs, the other is refused, the run is whole", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-lock-" });
  try {
    const out = `${dir}/run`;
    const [a, b] = await Promise.all([
      toolCommand("train", ["lm1", "--epochs", "1", "--out", out]).output(),
      new Promise((r) => setTimeout(r, 50)).then(() =>
        toolCommand("train", ["lm2", "--epochs", "1", "--out", out]).output()
      ),
    ]);
    const text = (b: Uint8Array) => new TextDecoder().decode(b);
    const codes = [a.code, b.code].sort();
    assert.equal(codes[0], 0, `${text(a.stderr)}\n${text(b.stderr)}`);
    assert.notEqual(codes[1], 0, "both ran into one folder");
    const winner = a.code === 0 ? "lm1" : "lm2";
    const loser = text(a.code === 0 ? b.stderr : a.stderr);
    // Refused while the other runs, or (on a slow start) because its run is already there.
    assert.match(
      loser,
      /is in use by train lm\d \(PID \d+ on .+, since .+ UTC\)|already holds a run/,
    );
    const metrics = (await Deno.readTextFile(`${out}/metrics.jsonl`)).trim().split("\n");
    assert.equal(metrics.length, 1, "one run's epoch");
    const exported = await runTool("export", [out, "--out", `${dir}/export`]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.equal(
      await exists(`${dir}/export/${winner}.onnx`),
      true,
      "the checkpoint is the winner's",
    );
    const files = [...Deno.readDirSync(out)].map((e) => e.name).sort();
    assert.deepEqual(files, [...RUN_FILES], "one run's files, nothing of the other");
    assert.equal(await exists(`${out}/.lock`), false, "the lock file goes with its holder");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a folder in use refuses train, --resume, --force and export by the holder's name", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-lock-" });
  try {
    const out = `${dir}/run`;
    assert.equal((await runTool("train", ["lm1", "--epochs", "1", "--out", out])).code, 0);
    const before = await Deno.readFile(`${out}/checkpoint.safetensors`);
    const lock = await lockFolder(out, "--out", "train lm9");
    try {
      const busy =
        /^error: --out .*run is in use by train lm9 \(PID \d+ on .+, since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\): wait for it to finish, or choose another --out$/m;
      for (const args of [["--resume"], ["--force", "--epochs", "2"], ["--epochs", "2"]]) {
        const r = await runTool("train", ["lm1", "--out", out, ...args]);
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, busy);
      }
      const exportLock = await lockFolder(`${dir}/export`, "--out", "export runs/x");
      try {
        const e = await runTool("export", [out, "--out", `${dir}/export`]);
        assert.equal(e.code, 1, e.stderr);
        assert.match(e.stderr, /--out .*export is in use by export runs\/x \(PID \d+/);
      } finally {
        await exportLock.release();
      }
    } finally {
      await lock.release();
    }
    assert.deepEqual(await Deno.readFile(`${out}/checkpoint.safetensors`), before);
    // Released: the same resume runs.
    const resumed = await runTool("train", ["lm1", "--out", out, "--resume"]);
    assert.equal(resumed.code, 0, resumed.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a lock left by a killed process is taken over; only dead owners' temp files go", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-lock-" });
  let writer: Deno.FsFile | undefined;
  try {
    const out = `${dir}/run`;
    await Deno.mkdir(out);
    const dead = await deadPid();
    // What a train killed with -9 leaves: its lock file (the OS dropped the lock) and a temp.
    await Deno.writeTextFile(
      `${out}/.lock`,
      JSON.stringify({
        pid: dead,
        host: "here",
        command: "train lm1",
        since: "2026-01-01T00:00:00Z",
      }),
    );
    const deadTemp = `${out}/.metrics.jsonl.${dead}.0123abcd.tmp`;
    const liveTemp = `${out}/.notes.md.${Deno.pid}.89abcdef.tmp`;
    await Deno.writeTextFile(deadTemp, "torn");
    await Deno.writeTextFile(liveTemp, "another process is writing this");
    // What writeFileAtomic holds while it writes.
    writer = await Deno.open(liveTemp, { read: true, write: true });
    await writer.lock(true);
    const r = await runTool("train", ["lm1", "--epochs", "1", "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await exists(deadTemp), false);
    assert.equal(await Deno.readTextFile(liveTemp), "another process is writing this");
    assert.equal(await exists(`${out}/.lock`), false);
  } finally {
    writer?.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a --force replacement killed while moving its files in is finished by the next train", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-lock-" });
  try {
    const out = `${dir}/run`, other = `${dir}/other`;
    for (const [path, seed] of [[out, "1"], [other, "2"]]) {
      const r = await runTool("train", ["lm1", "--epochs", "1", "--seed", seed, "--out", path]);
      assert.equal(r.code, 0, r.stderr);
    }
    // The state a kill leaves mid-swap: some new files moved in, the new checkpoint not yet.
    const staging = `${out}/.new-${await deadPid()}`;
    await Deno.mkdir(staging);
    for (const e of Deno.readDirSync(other)) {
      if (e.name === "metrics.jsonl") await Deno.copyFile(`${other}/${e.name}`, `${out}/${e.name}`);
      else await Deno.copyFile(`${other}/${e.name}`, `${staging}/${e.name}`);
    }
    const r = await runTool("train", ["lm1", "--epochs", "1", "--out", out, "--resume"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /finished replacing the run in .*run that a --force run \(PID \d+\) had begun/,
    );
    for (const file of ["checkpoint.safetensors", "metrics.jsonl", "report.html"]) {
      assert.deepEqual(
        await Deno.readFile(`${out}/${file}`),
        await Deno.readFile(`${other}/${file}`),
        file,
      );
    }
    assert.equal(await exists(staging), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
