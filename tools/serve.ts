/**
 * `deno task serve`: serves the web page (`web/`), the exported models (`--models`, default
 * `runs/export`) and onnxruntime-web from `node_modules`, on 127.0.0.1 by default. Needs no
 * network beyond the local socket. Ctrl-C stops it.
 *
 * @module
 */

import { intFlag, parseFlags, runTool, UsageError } from "./lib/cli/cli.ts";
import { startServer } from "./lib/serve/serve_app.ts";
import { listModels } from "./lib/serve/serve_models.ts";

const USAGE = `Usage: deno task serve [options]

Serves the page that runs exported models in the browser (onnxruntime-web).

Options:
  --port N        TCP port (default 8000; 0 picks a free one)
  --host H        interface to listen on (default 127.0.0.1)
  --models DIR    directory of exported <name>.onnx + <name>.json (default runs/export)
  -h, --help      this help`;

async function main(): Promise<number> {
  const parsed = parseFlags(Deno.args, {
    port: { type: "string" },
    host: { type: "string" },
    models: { type: "string" },
  }, USAGE);
  if (!parsed) return 0;
  const { values: flags, positionals } = parsed;
  if (positionals.length) {
    throw new UsageError(
      `unexpected argument "${positionals[0]}" (use --models DIR for the models)\n${USAGE}`,
    );
  }
  const port = intFlag("port", flags.port, 0, 65535, 8000);
  const host = flags.host ?? "127.0.0.1";
  if (host.trim() === "" || /[\s\/]/.test(host)) {
    throw new UsageError(`--host must be a host name or IP address: got "${host}"`);
  }
  const modelsDir = (flags.models ?? "runs/export").replace(/\/+$/, "") || "/";
  if (flags.models !== undefined && flags.models.trim() === "") {
    throw new UsageError(`--models must be a directory: got ""`);
  }

  const server = await startServer({ port, host, modelsDir });
  let note: string;
  try {
    const models = await listModels(modelsDir);
    const usable = models.filter((m) => !m.error).length;
    note = `${usable} model${usable === 1 ? "" : "s"} in ${modelsDir}` +
      (usable < models.length
        ? `, and ${models.length - usable} unusable (the page says why)`
        : "");
  } catch (error) {
    note = `warning: ${(error as Error).message}`;
  }
  console.log(`Serving onnx-lm's page at ${server.url} (${note}); Ctrl-C stops`);
  if (host !== "127.0.0.1" && host !== "localhost" && host !== "::1") {
    console.log(`note: listening on ${host}, so other machines on the network can reach it`);
  }

  const stopped = Promise.withResolvers<void>();
  const stop = () => stopped.resolve();
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, stop);
  await stopped.promise;
  for (const s of signals) Deno.removeSignalListener(s, stop);
  await server.close();
  console.log("Stopped");
  return 0;
}

if (import.meta.main) await runTool(main);
