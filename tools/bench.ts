/**
 * `deno task bench`: seconds per epoch (training + validation, full default recipe's batch
 * sizes and schedules) for the given models, as medians over the epochs run, with the
 * machine noted. These machines are noisy: compare medians, not single runs.
 *
 * @module
 */

import { cpus } from "node:os";
import { findModel } from "../models/registry.ts";
import { Learner } from "../src/train/learner.ts";
import { intFlag, parseFlags, runTool } from "./lib/cli.ts";

const USAGE = `Usage: deno task bench [models...] [--epochs N] [--threads N]

Median seconds per epoch (training + validation) of each model (default lm1 lm6 lm7) over the
first N epochs (default 5) of its recipe, with the machine noted.`;

function machine(): string {
  const cores = cpus();
  return `${cores[0]?.model ?? "unknown CPU"}, ${cores.length} cores, Deno ${Deno.version.deno}`;
}

async function main(): Promise<number> {
  const parsed = parseFlags(Deno.args, {
    epochs: { type: "string" },
    threads: { type: "string" },
  }, USAGE);
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const names = positionals.length ? positionals : ["lm1", "lm6", "lm7"];
  const epochs = intFlag("epochs", values.epochs, 1, 100, 5);
  const threads = intFlag("threads", values.threads, 0, 64, 1);
  console.log(`machine: ${machine()}; onnxruntime-node CPU EP, ${threads} intra-op thread(s)`);
  console.log(`model  median s/epoch  min     max     (${epochs} epochs of the recipe's schedule)`);
  for (const name of names) {
    const entry = findModel(name);
    const learner = await Learner.create(entry.create(), entry.recipe, {
      seed: 0,
      session: { threads },
    });
    try {
      // The schedule is the recipe's; only the first `epochs` epochs are timed.
      const rows = await learner.fit(entry.recipe.epochs, entry.recipe.lrMax, {
        shouldStop: () => learner.epoch >= epochs,
      }).catch((e) => {
        if (learner.epoch >= epochs) return learner.history;
        throw e;
      });
      const times = rows.map((r) => r.time).sort((a, b) => a - b);
      const med = times[times.length >> 1];
      console.log(
        `${entry.name.padEnd(6)} ${med.toFixed(3).padEnd(15)} ${times[0].toFixed(3).padEnd(7)} ${
          times.at(-1)!.toFixed(3)
        }`,
      );
    } finally {
      await learner.release();
    }
  }
  return 0;
}

if (import.meta.main) await runTool(main);
