/**
 * `deno task bench`: seconds per epoch (training + validation, full default recipe's batch
 * sizes and schedules) for the given models, as medians over the epochs run, with the
 * machine noted. These machines are noisy: compare medians, not single runs.
 *
 * @module
 */

import { findModel } from "../models/registry.ts";
import { Learner } from "../src/train/learner.ts";
import { intFlag, parseFlags, runTool, UsageError } from "./lib/cli.ts";
import { deviceFlags } from "./lib/device.ts";
import { machineLine, median } from "./lib/machine.ts";

const USAGE =
  `Usage: deno task bench [models...] [--epochs N] [--threads N] [--device D] [--device-id N]

Median seconds per epoch (training + validation) of each model (default lm1 lm6 lm7) over the
first N epochs (default 5) of its recipe, with the machine noted.`;

async function main(): Promise<number> {
  const parsed = parseFlags(Deno.args, {
    epochs: { type: "string" },
    threads: { type: "string" },
    device: { type: "string" },
    "device-id": { type: "string" },
  }, USAGE);
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const names = positionals.length ? positionals : ["lm1", "lm6", "lm7"];
  const epochs = intFlag("epochs", values.epochs, 1, 100, 5);
  const threads = intFlag("threads", values.threads, 0, 64, 1);
  const { device, deviceId, note } = await deviceFlags(values.device, values["device-id"]);
  if (note) console.error(note);
  // Every name is checked before anything is timed.
  const entries = names.map((name) => {
    try {
      return findModel(name);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  });
  console.log(
    `machine: ${machineLine()}; onnxruntime-node ${device} EP, ${threads} intra-op thread(s)`,
  );
  console.log(`model  median s/epoch  min     max     epochs timed (of the recipe's schedule)`);
  for (const entry of entries) {
    const timed = Math.min(epochs, entry.recipe.epochs); // the schedule has no more
    const learner = await Learner.create(entry.create(), entry.recipe, {
      seed: 0,
      session: { threads, device, ...(deviceId !== undefined ? { deviceId } : {}) },
    });
    try {
      // The schedule is the recipe's; only the first `epochs` epochs are timed.
      const rows = await learner.fit(entry.recipe.epochs, entry.recipe.lrMax, {
        shouldStop: () => learner.epoch >= timed,
      }).catch((e) => {
        if (learner.epoch >= timed) return learner.history;
        throw e;
      });
      const times = rows.map((r) => r.time);
      console.log(
        `${entry.name.padEnd(6)} ${median(times).toFixed(3).padEnd(15)} ${
          Math.min(...times).toFixed(3).padEnd(7)
        } ${Math.max(...times).toFixed(3).padEnd(7)} ${timed} of ${entry.recipe.epochs}`,
      );
    } finally {
      await learner.release();
    }
  }
  return 0;
}

if (import.meta.main) await runTool(main);
