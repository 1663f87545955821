// `npm run bench:parse`: parse time against file size, 10 KB to 5 MB, for the three shapes of
// parse-shapes.ts. Each row parses with the size limit lifted (so files above MAX_SCENARIO_CHARS are
// timed too) and gives the median wall time, the median CPU time of this process (less disturbed by
// other work on a shared machine) and the CPU time per MB: constant when parsing is linear. The last
// line times the default refusal of a 5 MB file. Options: `--sizes 10k,1m` (k = 1024 characters,
// m = 1024 k), `--shape NAME` (one shape), `--json` (one object per row). Prints the load average so
// the figures can be judged; take them on an idle machine when they are to be compared.
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { MAX_SCENARIO_CHARS, parseScenario } from "../model/parse.ts";
import { PARSE_SHAPES, scenarioOfSize, type ParseShape } from "./parse-shapes.ts";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "10k,100k,500k,1m,2m,5m" },
    shape: { type: "string" },
    json: { type: "boolean", default: false },
  },
});

const MB = 1 << 20;

function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(s.trim());
  if (!m) throw new Error(`--sizes: '${s}' is not a size like 10k or 5m`);
  return Math.round(Number(m[1]) * (m[2].toLowerCase() === "m" ? MB : m[2].toLowerCase() === "k" ? 1024 : 1));
}

const sizes = values.sizes!.split(",").map(parseSize);
const shapes: ReadonlyArray<ParseShape> = values.shape ? [values.shape as ParseShape] : PARSE_SHAPES;
for (const s of shapes) if (!PARSE_SHAPES.includes(s)) throw new Error(`--shape: one of ${PARSE_SHAPES.join(", ")}`);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

function time(text: string, maxChars: number): { wallMs: number; cpuMs: number; outcome: string } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = parseScenario(text, "bench.yaml", { maxChars });
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wallMs, cpuMs: (c.user + c.system) / 1000, outcome: r.ok ? "valid" : `${r.errors.length} errors` };
}

// Warm the JIT on every shape first, so the smallest size does not carry the compile time.
for (const s of shapes) time(scenarioOfSize(s, 64 * 1024), Infinity);

const avg = () => loadavg().map((x) => x.toFixed(2)).join(" ");
if (!values.json) {
  console.log(`node ${process.version}, load average ${avg()} at start`);
  console.log("shape            size       repeats  wall ms (median)  cpu ms (median)  cpu ms per MB  outcome");
}
for (const shape of shapes) {
  for (const size of sizes) {
    const text = scenarioOfSize(shape, size);
    const repeats = Math.max(1, Math.min(15, Math.round(MB / text.length)));
    const runs = Array.from({ length: repeats }, () => time(text, Infinity));
    const wall = median(runs.map((r) => r.wallMs));
    const cpu = median(runs.map((r) => r.cpuMs));
    const perMB = cpu / (text.length / MB);
    const row = { shape, chars: text.length, repeats, wallMs: wall, cpuMs: cpu, cpuMsPerMB: perMB, outcome: runs[0].outcome };
    if (values.json) console.log(JSON.stringify(row));
    else {
      const kb = text.length >= MB ? `${(text.length / MB).toFixed(1)} MB` : `${Math.round(text.length / 1024)} KB`;
      console.log(`${shape.padEnd(16)} ${kb.padStart(8)}  ${String(repeats).padStart(7)}  ${wall.toFixed(1).padStart(16)}  ${cpu.toFixed(1).padStart(15)}  ${perMB.toFixed(0).padStart(13)}  ${row.outcome}`);
    }
  }
}
const big = scenarioOfSize("components", 5 * MB);
const refused = time(big, MAX_SCENARIO_CHARS);
if (values.json) console.log(JSON.stringify({ refused5MB: refused }));
else {
  console.log(`5 MB at the default limit (${MAX_SCENARIO_CHARS} characters): ${refused.outcome}, refused in ${refused.wallMs.toFixed(3)} ms`);
  console.log(`load average ${avg()} at the end`);
}
