/**
 * `deno task serve`: serves the web page (`web/`), the exported models (`--models`, default
 * `runs/export`) and onnxruntime-web from `node_modules`, on 127.0.0.1 by default. Needs no
 * network beyond the local socket. Ctrl-C stops it.
 *
 * @module
 */

import { intFlag, parseFlags, runTool, UsageError } from "./lib/cli/cli.ts";
import { startServer } from "./lib/serve/serve_app.ts";
import { isLoopback } from "./lib/serve/host_check.ts";

const USAGE = `Usage: deno task serve [options]

Serves the page that runs exported models in the browser (onnxruntime-web). It answers only
to the host and port it listens on (and localhost, 127.0.0.1, [::1] for loopback), unless it
listens on every interface (0.0.0.0).

Options:
  --port N        TCP port (default 8000; 0 picks a free one)
  --host H        interface to listen on (default 127.0.0.1)
  --models DIR    directory of exported <name>.onnx + <name>.json (default runs/export);
                  not a system root, a system folder or the home folder
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
    // The server's own list: built once here, then served from the cache.
    const { entries: models } = await server.models.get();
    const usable = models.filter((m) => !m.error).length;
    note = `${usable} model${usable === 1 ? "" : "s"} in ${modelsDir}` +
      (usable < models.length
        ? `, and ${models.length - usable} unusable (the page says why)`
        : "");
  } catch (error) {
    note = `warning: ${(error as Error).message}`;
  }
  console.log(`Serving onnx-lm's page at ${server.url} (${note}); Ctrl-C stops`);
  if (server.hosts.any) {
    console.log(
      `note: listening on ${host} (every interface), so other machines on the network can ` +
        `reach it, by any host name`,
    );
  } else if (!isLoopback(host)) {
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
