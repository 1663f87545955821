// `headroom serve`: builds the dashboard and serves it on localhost until Ctrl-C; the page opens on
// a bundled scenario and simulates it in the browser.
import { spawn } from "node:child_process";
import { parseArgs } from "node:util";
import { buildDashboard, serveDirectory, DEFAULT_DIST, NotBuiltError } from "../../dashboard/server.ts";
import { InputError, UsageError } from "../../shared/errors.ts";
import type { Command } from "./index.ts";

const USAGE = `usage: headroom serve [--port N] [--no-build] [--no-open]

Builds the dashboard (dashboard/ -> dashboard/dist) and serves it on http://127.0.0.1:PORT/.
Answers only to the Host names 127.0.0.1:PORT, localhost:PORT and [::1]:PORT (421 otherwise),
so a page of another site that rebinds its name to 127.0.0.1 cannot read it.
  --port N     port to listen on (default: $PORT, else a free port)
  --no-build   serve the existing dashboard/dist without rebuilding
  --no-open    do not open a browser (never opened when CI is set or there is no display)
Stops on Ctrl-C.`;

function openBrowser(url: string): void {
  const cmd = process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
  try {
    const child = spawn(cmd, [url], { stdio: "ignore", detached: true });
    child.on("error", () => {});
    child.unref();
  } catch {
    // No opener installed: the URL is printed anyway.
  }
}

export const serveCommand: Command = {
  summary: "build and serve the dashboard on localhost",
  async run(argv) {
    let values;
    try {
      ({ values } = parseArgs({ args: argv, options: {
        port: { type: "string" }, "no-build": { type: "boolean" }, "no-open": { type: "boolean" }, help: { type: "boolean", short: "h" },
      } }));
    } catch (e) {
      throw new UsageError(`headroom serve: ${(e as Error).message}\n${USAGE}`);
    }
    if (values.help) {
      process.stdout.write(USAGE + "\n");
      return 0;
    }
    const portText = values.port ?? process.env.PORT ?? "0";
    const port = Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`headroom serve: --port expects a port number 0-65535, got ${JSON.stringify(portText)}`);

    if (!values["no-build"]) {
      process.stderr.write("building the dashboard…\n");
      await buildDashboard(DEFAULT_DIST);
    }
    const server = await serveDirectory(DEFAULT_DIST, port).catch((e: NodeJS.ErrnoException) => {
      if (e.code === "EADDRINUSE") throw new UsageError(`headroom serve: port ${port} is in use; pick another with --port or PORT`);
      if (e.code === "EACCES") throw new UsageError(`headroom serve: no permission to listen on port ${port}; pick a port above 1023`);
      if (e instanceof NotBuiltError) throw new InputError(`headroom serve: ${e.message}`);
      throw e;
    });
    process.stdout.write(`Headroom dashboard: ${server.url}\n(Ctrl-C to stop)\n`);
    const headless = process.env.CI || (process.platform === "linux" && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY);
    if (!values["no-open"] && !headless) openBrowser(server.url);

    await new Promise<void>((done) => {
      const stop = () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        done();
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    await server.close();
    return 0;
  },
};
