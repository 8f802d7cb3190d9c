/**
 * Issue 21, item 5: long prompts. onnxruntime-node aborts natively once a process's arguments
 * pass about 24-32 KB, so `generate` takes the prompt from a file or stdin, and refuses an
 * over-long command line before anything loads.
 */
import assert from "node:assert/strict";
import { ROOT, taskPermissions } from "../helpers/cli.ts";

const MODEL = `${ROOT}examples/lm6.onnx`;

async function generate(args: string[], stdin?: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...taskPermissions("generate"), "tools/generate.ts", ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000),
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const out = await child.output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("a 20,000-word prompt reads from a file and from stdin, with the same continuation", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const words = Array.from({ length: 20_000 }, (_, i) => ["one", "two", "."][i % 3]).join(" ");
    await Deno.writeTextFile(`${dir}/prompt.txt`, words + "\n");
    const common = ["--n", "8", "--seed", "3"];
    const fromFile = await generate([MODEL, "--prompt-file", `${dir}/prompt.txt`, ...common]);
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.ok(fromFile.stdout.trim().length > 0);
    const fromStdin = await generate([MODEL, "--prompt", "-", ...common], words);
    assert.equal(fromStdin.code, 0, fromStdin.stderr);
    assert.equal(fromStdin.stdout, fromFile.stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("generate refuses an over-long command line and bad prompt sources in one line", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/latin1.txt`, new Uint8Array([0x6f, 0x6e, 0xe9, 0x20]));
    await new Deno.Command("mkfifo", { args: [`${dir}/pipe`] }).output();
    const long = Array.from({ length: 10_000 }, () => "one").join(" "); // 40 KB
    const cases: [string[], RegExp][] = [
      [
        [MODEL, "--prompt", long],
        /^error: the command line is 39 KB: .*--prompt-file PATH, or --prompt - /m,
      ],
      [
        [MODEL, "--prompt", "one", "--prompt-file", `${dir}/latin1.txt`],
        /^error: give the prompt once/m,
      ],
      [
        [MODEL, "--prompt-file", `${dir}/latin1.txt`],
        /^error: --prompt-file .*latin1\.txt: not UTF-8 text$/m,
      ],
      [
        [MODEL, "--prompt-file", `${dir}/pipe`],
        /^error: --prompt-file .*pipe is a FIFO \(named pipe\), not a regular file$/m,
      ],
      [[MODEL, "--prompt-file", `${dir}/none.txt`], /^error: --prompt-file .*none\.txt: /m],
      [[MODEL], /^error: --prompt TEXT or --prompt-file PATH is required/m],
    ];
    for (const [args, message] of cases) {
      const r = await generate(args);
      const shown = args.map((a) => a.length > 40 ? `${a.slice(0, 40)}...` : a).join(" ");
      assert.equal(r.code, 2, `${shown}: ${r.stderr}`);
      assert.match(r.stderr, message, shown);
      assert.ok(!r.stderr.includes("    at ") && !r.stderr.includes("stack overflow,"), r.stderr);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
