// `headroom fit`: a scenario from OpenTelemetry traces (OTLP/JSON lines, Jaeger JSON, Zipkin v2
// JSON): the call graph, fitted own-time distributions and arrival rates, written as a new scenario
// or into an existing one (--update, comments and layout kept), with a fit report. See docs/fit.md.
import { readFile, rename, writeFile } from "node:fs/promises";
import { basename } from "node:path";
import { parseFlags } from "../flags.ts";
import { InputError, UsageError } from "../../shared/errors.ts";
import type { Command } from "./index.ts";
import { fitTraces, NothingUsable } from "../../fit/pipeline.ts";
import { TRACE_FORMATS, TraceFormatError, type TraceFormat } from "../../fit/read-traces.ts";
import { reportJson, reportText } from "../../fit/report.ts";
import { writeScenario } from "../../fit/write-scenario.ts";
import { updateScenario, UpdateError } from "../../fit/update.ts";

const HELP = `usage: headroom fit <traces> [--out FILE.yaml] [--update FILE.yaml] [options]

Reads OpenTelemetry traces (OTLP/JSON lines as the Collector's file exporter writes them, Jaeger
JSON, or Zipkin v2 JSON; streamed), builds the call graph (services, operations, calls with their
probabilities; caches, databases and queues from the semantic conventions), fits each operation's
own time (duration minus its children's, parallel children counted once): exponential by its mean,
lognormal and gamma by the sample's mean and cv (chosen by a Kolmogorov-Smirnov rule, else
empirical), and the
request classes' arrival rates, then writes a scenario and prints the fit report.

options:
  --out FILE        where the scenario goes (default: stdout, the report then goes to stderr);
                    with --update, where the updated file goes (default: FILE.yaml itself)
  --update FILE     change only the fitted parameters of this scenario, keeping its comments and layout
  --name NAME       the new scenario's name (default: from the trace file's name)
  --format F        ${TRACE_FORMATS.join(" | ")} (default: from the file's first characters)
  --json FILE|-     also write the report as JSON (headroom.fit/v1)
  -h, --help        this help

exit codes: 0 written; 2 bad flags, an unreadable file, or no usable request in the traces
(what was dropped and why is printed)`;

export const fitCommand: Command = {
  summary: "fit a scenario (or update one) from OpenTelemetry, Jaeger or Zipkin traces",
  async run(argv) {
    const args = parseFlags("fit", argv, HELP, {
      out: { type: "string" }, update: { type: "string" }, name: { type: "string" }, format: { type: "string" },
      json: { type: "string" }, help: { type: "boolean", short: "h" },
    });
    const v = args.values;
    if (v.help) { process.stdout.write(HELP + "\n"); return 0; }
    if (args.positionals.length !== 1) throw new UsageError(`headroom fit: expected one trace file\n\n${HELP}`);
    if (v.format !== undefined && !TRACE_FORMATS.includes(v.format as TraceFormat)) {
      throw new UsageError(`headroom fit: --format must be one of ${TRACE_FORMATS.join(", ")}, got '${v.format}'`);
    }
    const file = args.positionals[0]!;
    let fitted;
    try {
      fitted = await fitTraces(file, v.format as TraceFormat | undefined);
    } catch (e) {
      if (e instanceof NothingUsable || e instanceof TraceFormatError) throw new InputError(e.message);
      if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new InputError(`${file}: no such file`);
      throw e;
    }
    let yaml: string;
    let undetermined: ReadonlyArray<string>;
    let merged: ReadonlyArray<{ op: string; spans: number }> = [];
    let dest = v.out;
    const extra: string[] = [];
    if (v.update !== undefined) {
      let text: string;
      try {
        text = await readFile(v.update, "utf8");
      } catch {
        throw new InputError(`${v.update}: cannot read the scenario to update`);
      }
      try {
        const u = updateScenario(text, v.update, fitted.model);
        yaml = u.yaml;
        undetermined = u.kept;
        extra.push(`updated in ${v.update}: ${u.changed.join(", ") || "nothing"}`);
        if (u.unmatched.length) extra.push(`traced operations with no place in ${v.update} (not added): ${u.unmatched.join(", ")}`);
      } catch (e) {
        if (e instanceof UpdateError) throw new InputError(e.message);
        throw e;
      }
      dest ??= v.update;
    } else {
      const w = writeScenario(fitted.model, v.name ?? basename(file).replace(/\.[^.]*$/, ""), basename(file));
      yaml = w.yaml;
      undetermined = w.undetermined;
      merged = w.merged;
    }
    const report = reportText({ ...fitted, undetermined, merged }) + (extra.length ? "\n" + extra.join("\n") : "");
    if (v.json === "-") process.stdout.write(JSON.stringify(reportJson({ ...fitted, undetermined, merged }), null, 2) + "\n");
    else if (v.json !== undefined) await writeFile(v.json, JSON.stringify(reportJson({ ...fitted, undetermined, merged }), null, 2) + "\n");
    if (dest === undefined) {
      process.stderr.write(report + "\n");
      if (v.json !== "-") process.stdout.write(yaml);
    } else {
      // Written beside and renamed: an interrupted run never leaves half a scenario.
      await writeFile(`${dest}.tmp-${process.pid}`, yaml);
      await rename(`${dest}.tmp-${process.pid}`, dest);
      (v.json === "-" ? process.stderr : process.stdout).write(`${report}\n\nWrote ${dest}\n`);
    }
    return 0;
  },
};
