import assert from "node:assert/strict";
import { median } from "../../tools/lib/bench/machine.ts";
import { tableHeader, tableRow } from "../../tools/lib/cli/table.ts";

Deno.test("tableRow() keeps a space between cells however large a loss is", () => {
  const row = tableRow({
    epoch: 12,
    train_loss: 14517138208211.658,
    train_loss_mean: 0,
    valid_loss: 123456.5,
    accuracy: 0.5,
    time: 1234.5,
  });
  assert.deepEqual(row.split(/\s+/), [
    "12",
    "14517138208211.658203",
    "123456.500000",
    "0.500000",
    "Infinity", // perplexity: exp(123456.5) overflows, as fastai's does
    "1234.50s",
  ]);
  // Ordinary rows line up under the header, as fastai's table does.
  const small = tableRow({
    epoch: 0,
    train_loss: 1.5,
    train_loss_mean: 0,
    valid_loss: 2,
    accuracy: 0.25,
    time: 0.1,
  });
  assert.equal(small.indexOf("2.000000"), tableHeader().indexOf("valid_loss"));
});

Deno.test("median() averages the two middle values of an even count", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
});

Deno.test("tableRow() adds perplexity, and bits per character for char tokens, under their headers", () => {
  const record = {
    epoch: 1,
    train_loss: 1.5,
    train_loss_mean: 0,
    valid_loss: Math.LN2 * 2,
    accuracy: 0.5,
    time: 2,
  };
  const word = tableRow(record);
  assert.equal(word.split(/\s+/)[4], "4.000000"); // exp(2 ln 2)
  assert.equal(word.indexOf("4.000000"), tableHeader().indexOf("perplexity"));
  const char = tableRow(record, "char");
  assert.deepEqual(char.split(/\s+/).slice(4), ["4.000000", "2.000000", "2.00s"]);
  assert.equal(char.indexOf("2.000000"), tableHeader("char").indexOf("bits_per_char"));
  assert.equal(char.indexOf("2.00s"), tableHeader("char").indexOf("time"));
});
