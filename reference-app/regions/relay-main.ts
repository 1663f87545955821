// The relay of one region (regions/relay.ts), as its own process: started inside the region's
// namespace with `ip netns exec <ns> node bin/run-ts.mjs regions/relay-main.ts <config.json>`, it
// listens on every route of the config ({ seed, routes }), prints {"ports": [...]} on one line of
// stdout once all listen, and exits when its stdin closes (its parent gone) or on SIGTERM. A line
// on stdin cuts or restores routes (a region's outage); each is acknowledged with a line on stdout.
// With links between regions ({ links } in the config): {"links": true} is answered with their
// figures ({"links": [...LinkReport]}), {"reset": true} restarts them.
import { readFileSync } from "node:fs";
import { startRelay, type RelayRoute } from "./relay.ts";
import type { LinkDef } from "../parts/link-relay.ts";

const cfg = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as { seed: number; routes: RelayRoute[]; links?: LinkDef[] };
const relay = await startRelay(cfg.routes, cfg.seed, cfg.links ?? []);
process.stdout.write(`${JSON.stringify({ ports: relay.ports })}\n`);
const stop = () => void relay.close().finally(() => process.exit(0));
// Commands on stdin, one JSON line each: { "cut": [route names], "down": true | false } (a region's outage).
let pending = "";
process.stdin.setEncoding("utf8").on("data", (d: string) => {
  pending += d;
  for (let nl = pending.indexOf("\n"); nl >= 0; nl = pending.indexOf("\n")) {
    const line = pending.slice(0, nl);
    pending = pending.slice(nl + 1);
    const cmd = JSON.parse(line) as { cut?: string[]; down?: boolean; links?: boolean; reset?: boolean };
    if (cmd.links) {
      process.stdout.write(`${JSON.stringify({ links: relay.links() })}\n`);
      continue;
    }
    if (cmd.reset) {
      relay.resetLinks();
      process.stdout.write(`${JSON.stringify({ reset: true })}\n`);
      continue;
    }
    relay.cut(cmd.cut ?? [], cmd.down ?? false);
    process.stdout.write(`${JSON.stringify({ cut: cmd.cut?.length ?? 0, down: cmd.down })}\n`);
  }
});
process.stdin.on("end", stop).resume();
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
// What it cost: printed on stderr at the end (CPU seconds, chunks), for docs/reference-app.md's figure.
process.on("exit", () => {
  const u = process.cpuUsage();
  process.stderr.write(`relay: ${relay.forwarded()} chunks forwarded, released on average ${relay.meanLateMs().toFixed(3)} ms past their due moment, ${((u.user + u.system) / 1e6).toFixed(3)} s CPU\n`);
});
