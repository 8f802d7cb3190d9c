// The gpt entry: its architecture and recipe read back from a run, and the checks that keep a
// saved architecture from building the wrong model.
import assert from "node:assert/strict";
import { findModel } from "../../models/registry.ts";
import { readSizes, sizedModel } from "../../models/sizing.ts";
import { ContractError, Fields } from "../../src/contract/fields.ts";
import { readArch, readRecipe } from "../../src/train/run_meta.ts";

const readRecipeForTest = (value: unknown) =>
  readRecipe(Fields.root("run.json", value, "a recipe"));

Deno.test("a GPT's architecture is read back, and heads that do not divide its width are named", () => {
  const arch = {
    vocabSize: 65,
    hidden: 128,
    layers: 4,
    dropout: 0,
    tied: true,
    gpt: { heads: 4, block: 64, bias: false },
  };
  const read = (value: unknown) => readArch(Fields.root("run.json", value, "an architecture"));
  assert.deepEqual(read(arch), arch);
  for (
    const [gpt, message] of [
      [{ heads: 3, block: 64, bias: false }, /"gpt.heads" must divide the hidden size 128: got 3/],
      [{ heads: 4, block: 0, bias: false }, /"gpt.block" must be an integer >= 1/],
      [{ heads: 4, block: 64, bias: "no" }, /"gpt.bias" must be true or false/],
    ] as const
  ) {
    assert.throws(() => read({ ...arch, gpt }), (e: Error) => {
      assert.ok(e instanceof ContractError, e.message);
      assert.match(e.message, message);
      return true;
    });
  }
});

Deno.test("a GPT's recipe (its steps schedule, AdamW settings, clipping) is read back from a run", () => {
  const recipe = findModel("gpt").recipe;
  assert.deepEqual(readRecipeForTest(JSON.parse(JSON.stringify(recipe))), recipe);
  assert.throws(
    () => readRecipeForTest({ ...recipe, schedule: { ...recipe.schedule, warmup: 2000 } }),
    /"schedule.warmup" must be an integer in 0..1999: got 2000/,
  );
});

Deno.test("a saved architecture cannot build the other kind of model", () => {
  const gpt = findModel("gpt");
  assert.throws(
    () => findModel("lm6").create({ ...findModel("lm6").arch, gpt: gpt.arch.gpt }),
    /lm6 is a recurrent model: the architecture asks for a GPT's attention \(4 heads, block 64\)/,
  );
  const { gpt: _, ...recurrent } = gpt.arch;
  assert.throws(() => gpt.create(recurrent), /gpt needs its heads, block and bias/);
});

Deno.test("GPT sizes: --embd, --heads, --block and --bias set the architecture and the windows", () => {
  const sizes = readSizes({ embd: "64", heads: "8", block: "32", bias: "true", layers: "2" }, "--");
  const { arch, recipe } = sizedModel(findModel("gpt"), { ...sizes, vocabSize: 50 });
  assert.deepEqual(arch, {
    vocabSize: 50,
    hidden: 64,
    layers: 2,
    dropout: 0,
    tied: true,
    gpt: { heads: 8, block: 32, bias: true },
  });
  assert.equal(recipe.seqLen, 32);
  assert.throws(() => readSizes({ bias: "yes" }, ""), /bias must be true or false: got "yes"/);
  assert.throws(() => readSizes({ heads: "0" }, "--"), /--heads must be an integer/);
});
