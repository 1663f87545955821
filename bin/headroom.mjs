#!/usr/bin/env node
// The `headroom` command: runs the compiled CLI (dist/cli/cli.mjs, an esbuild bundle of cli/main.ts),
// building it first when it is missing or a source is newer (bin/cli-bundle.mjs).
//
// `headroom app up` stops on Ctrl-C or SIGTERM with exit 0 (docs/reference-app.md), but loading
// the CLI takes a moment (a second or more when it must be built first), and a signal in that
// time, before `app up` installs its own handler, met Node's default: death by the signal (130 in
// a shell). Nothing has started then, so until the command takes the signals over, one ends the
// process as a normal stop would: exit 0.
// Installed before the CLI is even imported (a dynamic import: static ones would load first).
const argv = process.argv.slice(2);
const appUp = argv[0] === "app" && argv[1] === "up";
const beforeStart = (sig) => {
  // Once the command has its own handler, that one decides (it stops the parts already started).
  if (process.listenerCount(sig) > 1) return;
  process.stderr.write(`\n${sig} before the reference app started anything: stopping\nreference app stopped; nothing left running\n`);
  process.exit(0);
};
if (appUp) for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, beforeStart);

const { loadMain } = await import("./cli-bundle.mjs");
const main = await loadMain();
const code = await main(argv);
if (appUp) for (const sig of ["SIGINT", "SIGTERM"]) process.off(sig, beforeStart);
process.exitCode = code;
