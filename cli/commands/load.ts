// `headroom load`: sends a scenario's load to a target with k6 (K6_BIN or k6 on PATH) or, when there
// is none, the built-in k6-compatible runner; writes k6's NDJSON and summary export; says which ran.
import { join } from "node:path";
import { parseFlags } from "../flags.ts";
import { loadScenarioFile } from "../load-scenario.ts";
import { InputError, UsageError } from "../errors.ts";
import { parseDuration } from "../../simulator/model/units.ts";
import type { Command } from "./index.ts";

const HELP = `usage: headroom load <file.yaml> --target URL [options]

Sends the scenario's load (its load section, as a k6 script) to URL and writes the results in k6's
formats: DIR/k6.ndjson (--out json), DIR/summary.json (--summary-export), plus DIR/script.js and
DIR/plan.json. Uses k6 when K6_BIN is set or k6 is on PATH, else the built-in runner; prints which.

options:
  --target URL        http(s) base URL of the system under test (required)
  --out DIR           where results go (default: results/<scenario>-<timestamp>)
  --duration D        test length, e.g. 30s (default: the end of the load stages, else simulation.duration, else 60s)
  --engine E          auto (default) | k6 | built-in
  --arrival-rate      evenly spaced arrivals (k6 arrival-rate executors) even for poisson scenarios
  -h, --help          this help

Poisson arrivals are paced per VU: an arrival whose VU is still busy starts late and its delay is
missing from http_req_duration (coordinated omission; about latency / 0.5 s of the arrivals). The
share of late arrivals is printed; headroom_req_duration_corrected is the latency measured from the
scheduled arrival, the delay included.

exit codes: 0 success, 99 SLO thresholds crossed (as k6), 3 no request completed (the target never answered), 105 stopped (Ctrl-C, or the run outlived its schedule + 2 minutes), 2 invalid input, 1 internal error`;

export const loadCommand: Command = {
  summary: "send a scenario's load to a target with k6 or the built-in runner",
  async run(argv) {
    const args = parseFlags("load", argv, HELP, {
          target: { type: "string" },
          out: { type: "string" },
          duration: { type: "string" },
          engine: { type: "string" },
          "arrival-rate": { type: "boolean" },
          help: { type: "boolean", short: "h" },
    });
    const v = args.values;
    if (v.help) {
      process.stdout.write(HELP + "\n");
      return 0;
    }
    if (args.positionals.length !== 1) throw new UsageError(`headroom load: expected one scenario file\n\n${HELP}`);
    if (!v.target) throw new UsageError(`headroom load: --target URL is required\n\n${HELP}`);
    const engine = (v.engine ?? "auto") as "auto" | "k6" | "built-in";
    if (!["auto", "k6", "built-in"].includes(engine)) throw new UsageError(`headroom load: --engine expects auto, k6 or built-in, got '${v.engine}'`);
    let durationS: number | undefined;
    if (v.duration !== undefined) {
      durationS = parseDuration(v.duration);
      if (durationS === undefined || durationS <= 0) throw new UsageError(`headroom load: --duration expects a duration like 30s or 5m, got '${v.duration}'`);
    }
    const file = args.positionals[0];
    const scenario = await loadScenarioFile(file);
    const outDir = v.out ?? join("results", `${scenario.name}-${new Date().toISOString().replace(/[:.]/g, "-")}`);
    // loaded on use: the harness pulls in esbuild, acorn and undici
    const { runLoad } = await import("../../k6/harness.ts");
    const { PlanError } = await import("../../k6/plan.ts");
    const { ScriptError } = await import("../../k6/runner/engine.ts");
    const ac = new AbortController();
    const onSig = () => ac.abort();
    process.once("SIGINT", onSig);
    process.once("SIGTERM", onSig);
    try {
      const r = await runLoad({
        scenario,
        source: file,
        target: v.target,
        outDir,
        engine,
        plan: { durationS, forceArrivalRate: v["arrival-rate"] },
        stdout: process.stdout,
        stderr: process.stderr,
        signal: ac.signal,
      });
      process.stdout.write(`\nengine: ${r.engine}\nresults: ${r.ndjsonPath}, ${r.summaryPath}\n`);
      if (r.lateArrivals) {
        const { late, paced, share } = r.lateArrivals;
        // each late start hides its delay from http_req_duration (coordinated omission)
        process.stdout.write(
          `late arrivals: ${late} of ${paced} (${(share * 100).toFixed(2)}%): their delay is missing from http_req_duration, included in headroom_req_duration_corrected\n`,
        );
      }
      if (r.message) process.stderr.write(`${r.message}\n`);
      return r.exitCode;
    } catch (e) {
      if (e instanceof PlanError || e instanceof ScriptError) throw new InputError(`${file}: ${e.message}`);
      if (e instanceof Error && /^(--target|target )/.test(e.message)) throw new InputError(`headroom load: ${e.message}`);
      throw e;
    } finally {
      process.off("SIGINT", onSig);
      process.off("SIGTERM", onSig);
    }
  },
};
