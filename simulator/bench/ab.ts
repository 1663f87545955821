// `node bin/run-ts.mjs simulator/bench/ab.ts --against DIR`: this checkout's engine against another
// checkout's (DIR, e.g. a `git worktree` or `git archive` of main), alternately in one process, so
// both see the same moments of a shared machine. Absolute figures on a busy machine vary by 2x
// from one minute to the next; a ratio of runs taken seconds apart, in alternating order, is what
// can be compared. Per round and benchmark: each side's events per second (wall time of the timed
// run, from bench/main.ts) and CPU time per event (user + system of the whole call: compile,
// warm-up run and timed run, divided by their events). Prints each round with the load average,
// then the medians of the per-round ratios, each above 1 when this checkout is faster: events per
// second here / there, and CPU time per event there / here.
// Options: --only NAME (mmc, network5, topology, million; default the three fixed-count ones),
// --events N (default 5M), --rounds N (default 6).
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import * as here from "./main.ts";

type Bench = typeof here;
interface Sample { eventsPerSecond: number; nsPerEvent: number; events: number }

const WARMUP_EVENTS = 2_000_000; // runBench's warm-up run, counted in the CPU time per event

function once(b: Bench, name: string, events: number): Sample {
  const c0 = process.cpuUsage();
  const r = name === "million" ? b.runMillion() : b.runBench(name, events);
  const c = process.cpuUsage(c0);
  const counted = r.events + (name === "million" ? 0 : WARMUP_EVENTS);
  return { eventsPerSecond: r.eventsPerSecond, nsPerEvent: ((c.user + c.system) * 1000) / counted, events: r.events };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const load = () => readFileSync("/proc/loadavg", "utf8").split(" ")[0];

const USAGE = `usage: ab.ts --against DIR [--only NAME] [--events N] [--rounds N]
  --against DIR  the other checkout (its simulator/bench/main.ts is imported)
  --only NAME    one benchmark: mmc, network5, topology or million (default the first three)
  --events N     events per timed run (default 5000000; million runs its scenario whole)
  --rounds N     alternating rounds (default 6)`;
const { values } = parseArgs({ options: { against: { type: "string" }, only: { type: "string" }, events: { type: "string" }, rounds: { type: "string" }, help: { type: "boolean", short: "h" } } });
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (!values.against) {
  console.error(USAGE);
  process.exit(2);
}
const other = (await import(pathToFileURL(resolve(values.against, "simulator/bench/main.ts")).href)) as Bench;
const events = values.events ? Number(values.events) : 5_000_000;
const rounds = values.rounds ? Number(values.rounds) : 6;
const names = values.only ? [values.only] : ["mmc", "network5", "topology"];

for (const name of names) {
  const mine: Sample[] = [], theirs: Sample[] = [];
  for (let i = 0; i < rounds; i++) {
    // Alternate who goes first, so neither side always runs on the warmer (or busier) half.
    if (i % 2 === 0) { mine.push(once(here, name, events)); theirs.push(once(other, name, events)); }
    else { theirs.push(once(other, name, events)); mine.push(once(here, name, events)); }
    const a = mine[i], b = theirs[i];
    if (a.events !== b.events) console.log(`  note: ${name} ran ${a.events} events here, ${b.events} there`);
    console.log(`${name} round ${i + 1}, load ${load()}: here ${(a.eventsPerSecond / 1e6).toFixed(2)} M/s, ${a.nsPerEvent.toFixed(0)} ns CPU/event; other ${(b.eventsPerSecond / 1e6).toFixed(2)} M/s, ${b.nsPerEvent.toFixed(0)} ns CPU/event`);
  }
  const wall = median(mine.map((a, i) => a.eventsPerSecond / theirs[i].eventsPerSecond));
  const cpu = median(mine.map((a, i) => theirs[i].nsPerEvent / a.nsPerEvent));
  console.log(`${name}, medians of ${rounds} rounds: events/s here / other x${wall.toFixed(3)}; CPU per event other / here x${cpu.toFixed(3)}`);
}
