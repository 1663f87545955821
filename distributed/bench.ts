// Figures for BENCHMARKS.md (issue 20): a 200-simulation sweep serially, on 2 local threads, and on
// 1 and 2 `headroom worker` processes over a private redis-server (the speed-up), and the overhead
// per job of the queue against a local worker thread (200 tiny simulations minus 1, so start-up
// costs cancel). Every run's bytes are checked against the serial run. Prints the load average
// beside the figures: on a shared machine they are only as good as it was quiet.
// Usage: node bin/run-ts.mjs distributed/bench.ts [--json]
import { readFileSync } from "node:fs";
import { loadavg, availableParallelism } from "node:os";
import { planSweep, assembleSweep, type SweepPlan } from "../sweep/sweep.ts";
import { parseVary } from "../sweep/design.ts";
import { serialRunner, threadRunner, type JobRunner } from "./runner.ts";
import { queueRunner } from "./queue-runner.ts";
import { parseRedisUrl } from "./redis-url.ts";
import { headroom, privateRedis, stopAll, waitForOutput } from "./test-support.ts";

const FILE = "scenarios/single-service.yaml";
const text = readFileSync(FILE, "utf8");
const grid = ["components.api.servers=6..15:10", "load.rate=200..390:20"].map(parseVary);
// about 0.1 s per simulation on a quiet core: long enough that the queue's cost per job is small beside it
const big = planSweep(FILE, text, grid, { replications: 1, duration: 300, warmup: 10 });
const tiny = planSweep(FILE, text, grid, { replications: 1, duration: 0.2, warmup: 0.02 });
const one = { ...tiny, jobs: tiny.jobs.slice(0, 1), points: tiny.points.slice(0, 1), scenarios: tiny.scenarios.slice(0, 1) };

async function timed(runner: JobRunner, plan: SweepPlan, close = true): Promise<{ seconds: number; bytes: string }> {
  const t0 = performance.now();
  try {
    const out = await runner.run(plan.jobs, () => {});
    return { seconds: (performance.now() - t0) / 1000, bytes: JSON.stringify(assembleSweep(plan, out)) };
  } finally {
    if (close) await runner.close();
  }
}

const load = () => loadavg().map((x) => x.toFixed(2)).join(" ");
const figures: Record<string, number | string> = { cores: availableParallelism(), simulations: big.jobs.length };

try {
  figures.loadBefore = load();
  const serial = await timed(serialRunner(), big);
  figures.serialSeconds = serial.seconds;
  const local2 = await timed(threadRunner(2), big);
  if (local2.bytes !== serial.bytes) throw new Error("2 local threads differ from the serial run");
  figures.local2Seconds = local2.seconds;

  const redis = await privateRedis();
  const target = parseRedisUrl(redis.url);
  const q = () => queueRunner({ target, pollMs: 200, log: () => {} });
  const startWorker = async () => {
    const w = headroom(["worker", "--queue", redis.url, "--threads", "1", "--quiet"]);
    await waitForOutput(w.proc, /taking jobs/, 60_000);
    return w;
  };
  const w1 = await startWorker();
  await timed(q(), { ...big, jobs: big.jobs.slice(0, 10) }); // warm the worker's thread (tsx compiles there once)
  const queue1 = await timed(q(), big);
  if (queue1.bytes !== serial.bytes) throw new Error("1 queue worker differs from the serial run");
  figures.queue1WorkerSeconds = queue1.seconds;
  const w2 = await startWorker();
  await timed(q(), { ...big, jobs: big.jobs.slice(0, 20) });
  const queue2 = await timed(q(), big);
  if (queue2.bytes !== serial.bytes) throw new Error("2 queue workers differ from the serial run");
  figures.queue2WorkersSeconds = queue2.seconds;
  figures.speedup2vs1 = queue1.seconds / queue2.seconds;
  w2.proc.kill("SIGTERM");
  await w2.exited();

  // Overhead per job: 200 tiny jobs minus 1, on one local thread and on one warm queue worker,
  // alternated three times (the median of each), since the machine's load moves between runs.
  const localPer: number[] = [], queuePer: number[] = [];
  for (let k = 0; k < 3; k++) {
    const localTiny = await timed(threadRunner(1), tiny), localOne = await timed(threadRunner(1), one);
    const queueTiny = await timed(q(), tiny), queueOne = await timed(q(), one);
    localPer.push((localTiny.seconds - localOne.seconds) * 1000 / (tiny.jobs.length - 1));
    queuePer.push((queueTiny.seconds - queueOne.seconds) * 1000 / (tiny.jobs.length - 1));
    figures.localOneTinyJobSeconds = localOne.seconds; // a thread's start-up (tsx compiles the simulator in it), mostly
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1];
  figures.tinyJobSerialMs = (await timed(serialRunner(), tiny)).seconds * 1000 / tiny.jobs.length;
  figures.localThreadPerJobMs = median(localPer);
  figures.queuePerJobMs = median(queuePer);
  figures.localThreadPerJobMsRuns = localPer.map((x) => x.toFixed(2)).join(" ");
  figures.queuePerJobMsRuns = queuePer.map((x) => x.toFixed(2)).join(" ");
  figures.queueOverheadPerJobMs = median(queuePer) - median(localPer);
  figures.loadAfter = load();
  w1.proc.kill("SIGTERM");
  await w1.exited();
} finally {
  await stopAll();
}

if (process.argv.includes("--json")) process.stdout.write(JSON.stringify(figures, null, 2) + "\n");
else for (const [k, v] of Object.entries(figures)) process.stdout.write(`${k.padEnd(24)} ${typeof v === "number" ? Number(v.toPrecision(4)) : v}\n`);
