import assert from "node:assert/strict";
import { parseFlags, UsageError } from "../../tools/lib/cli/cli.ts";
import { closestFlag } from "../../tools/lib/cli/flag_check.ts";
import { runTool } from "../helpers/cli.ts";

const USAGE = "Usage: deno task train <model> [options]";
const FLAGS = {
  epochs: { type: "string" },
  hidden: { type: "string" },
  temperature: { type: "string" },
  json: { type: "boolean" },
  "top-k": { type: "string" },
} as const;

/** The usage error's message for a command line. */
function usageError(args: string[]): string {
  try {
    parseFlags(args, FLAGS, USAGE);
  } catch (error) {
    assert.ok(error instanceof UsageError, String(error));
    return error.message;
  }
  assert.fail(`${args.join(" ")} was accepted`);
}

Deno.test("parseFlags() names the closest flag for a misspelt one", () => {
  assert.equal(
    usageError(["lm1", "--hiden", "8"]),
    "unknown flag --hiden: did you mean --hidden? (deno task train --help lists the flags)",
  );
  assert.equal(
    usageError(["--epoch=3"]),
    "unknown flag --epoch: did you mean --epochs? (deno task train --help lists the flags)",
  );
  assert.equal(
    usageError(["--tempreature", "1"]),
    "unknown flag --tempreature: did you mean --temperature? (deno task train --help lists the flags)",
  );
  assert.equal(
    usageError(["--zzz"]),
    "unknown flag --zzz: no flag is close to it (deno task train --help lists the flags)",
  );
  assert.equal(
    usageError(["-x"]),
    "unknown flag -x: no flag is close to it (deno task train --help lists the flags)",
  );
});

Deno.test("parseFlags() says which flag lacks its value", () => {
  assert.equal(
    usageError(["lm1", "--hidden"]),
    "--hidden needs a value: got the end of the command line (deno task train --help lists the flags)",
  );
  assert.equal(
    usageError(["--hidden", "--json"]),
    `--hidden needs a value: got "--json" (deno task train --help lists the flags)`,
  );
});

Deno.test("parseFlags() passes a negative number to a string flag as its value", () => {
  for (const value of ["-1", "-0.5", "-.5", "-1e3", "-Infinity"]) {
    const parsed = parseFlags(["lm1", "--temperature", value, "--json"], FLAGS, USAGE);
    assert.equal(parsed?.values.temperature, value);
    assert.equal(parsed?.values.json, true);
    assert.deepEqual(parsed?.positionals, ["lm1"]);
  }
  // A value with "=", or after "--", is left as written.
  const parsed = parseFlags(["--top-k=-2", "--", "--hiden"], FLAGS, USAGE);
  assert.equal(parsed?.values["top-k"], "-2");
  assert.deepEqual(parsed?.positionals, ["--hiden"]);
});

Deno.test("closestFlag() prefers the fewest edits and takes an unambiguous prefix", () => {
  const known = ["epochs", "lr", "seed", "hidden", "layers", "top-k", "top-p"];
  assert.equal(closestFlag("epoch", known), "epochs");
  assert.equal(closestFlag("laers", known), "layers");
  assert.equal(closestFlag("hid", known), "hidden");
  assert.equal(closestFlag("top", known), undefined); // top-k or top-p: no guess
  assert.equal(closestFlag("xyzzy", known), undefined);
});

Deno.test("train and generate CLIs: a misspelt flag and a negative temperature get their own messages", async () => {
  const train = await runTool("train", ["lm1", "--hiden", "8"]);
  assert.equal(train.code, 2, train.stderr);
  assert.equal(
    train.stderr.trim(),
    "error: unknown flag --hiden: did you mean --hidden? (deno task train --help lists the flags)",
  );
  const generate = await runTool("generate", [
    "runs/lm1",
    "--prompt",
    "one",
    "--temperature",
    "-1",
  ]);
  assert.equal(generate.code, 2, generate.stderr);
  assert.match(generate.stderr, /^error: --temperature must be a number from 0 to 100: got "-1"$/m);
  assert.ok(!generate.stderr.includes("ambiguous"), generate.stderr);
});
