// The links of a run (parts/link-relay.ts) as their own process, so the launcher's event loop is not
// in the data path: `node bin/run-ts.mjs reference-app/parts/link-relay-main.ts <config.json>` with
// { links, routes }, prints {"ports": [...]} on one line once every route listens, then answers a
// line on stdin: {"report": true} with {"report": [...LinkReport]}, {"reset": true} with
// {"reset": true}. It exits when its stdin closes (its parent gone) or on SIGTERM/SIGINT, and says
// what its links carried on stderr. A diagnostic: with HEADROOM_LINK_TRACE=<file> in its environment
// it writes there at exit one CSV line per request and answer (link-relay.ts's Exchange; times in
// ms from its start), to see where an answer's time went (its link, a wait behind its connection).
import { readFileSync, writeFileSync } from "node:fs";
import { startLinkRelay, type Exchange, type LinkDef, type LinkRoute } from "./link-relay.ts";

const cfg = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as { links: LinkDef[]; routes: LinkRoute[] };
const traceFile = process.env.HEADROOM_LINK_TRACE;
const exchanges: Exchange[] = [];
const relay = await startLinkRelay(cfg.links, cfg.routes, traceFile ? (e) => void exchanges.push(e) : undefined);
process.stdout.write(`${JSON.stringify({ ports: relay.ports })}\n`);
const stop = () => void relay.close().finally(() => process.exit(0));
let pending = "";
process.stdin.setEncoding("utf8").on("data", (d: string) => {
  pending += d;
  for (let nl = pending.indexOf("\n"); nl >= 0; nl = pending.indexOf("\n")) {
    const cmd = JSON.parse(pending.slice(0, nl)) as { report?: boolean; reset?: boolean };
    pending = pending.slice(nl + 1);
    if (cmd.reset) relay.reset();
    process.stdout.write(`${JSON.stringify(cmd.reset ? { reset: true } : { report: relay.report() })}\n`);
  }
});
process.stdin.on("end", stop).resume();
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.on("exit", () => {
  const u = process.cpuUsage();
  const lines = relay.report().map((r) => `${r.name}: ${r.transfers} transfers, ${r.bytes} B, busy ${(100 * r.utilization).toFixed(1)}%, mean ${r.meanTransferMs.toFixed(3)} ms, released ${r.meanLateMs.toFixed(3)} ms late on average, ${r.behind} behind their connection's earlier message (${r.behind ? ((1000 * r.behindSeconds) / r.behind).toFixed(3) : "0"} ms on average)`);
  process.stderr.write(`link relay: ${lines.join("; ")}; ${((u.user + u.system) / 1e6).toFixed(3)} s CPU\n`);
  if (traceFile) {
    // from the first moment the trace has (an answer's request can be missing: NaN, written so)
    const t0 = Math.min(...exchanges.map((e) => e.answerIn)), ms = (t: number) => ((t - t0) * 1000).toFixed(3);
    const rows = exchanges.map((e) => [e.route, e.conn, ms(e.requestIn), ms(e.requestOut), ms(e.answerIn), ms(e.answerOut), e.answerBytes, e.answerHead].join(","));
    writeFileSync(traceFile, ["route,conn,requestIn,requestOut,answerIn,answerOut,answerBytes,answerHead", ...rows].join("\n") + "\n");
  }
});
