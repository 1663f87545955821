// The distributed run against the serial reference, with real parts: a private redis-server, two
// `headroom worker` processes (one SIGKILLed while it holds a job), Redis killed and restarted
// mid-sweep, Redis gone for good. Every sweep that finishes must write exactly the bytes of the
// serial run in this process; `capacity --queue` and `plan --queue` those of the local runs. Own script (`npm run test:distributed`, about a minute): it starts
// processes and waits out lock periods, too slow for `npm test`.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { planSweep, assembleSweep } from "../sweep/sweep.ts";
import { parseVary } from "../sweep/design.ts";
import { serialRunner } from "./runner.ts";
import { station } from "../cli/tests/capacity/test-support.ts";
import { headroom, privateRedis, stopAll, tempDir, waitForOutput, type PrivateRedis } from "./test-support.ts";

const FILE = "scenarios/single-service.yaml";
// 8 points of about a second each: long enough that a kill lands inside a job.
const VARY = ["components.api.servers=8,9,10,12", "load.rate=250,300"];
const WINDOW = { replications: 2, duration: 300, warmup: 30 };
const FLAGS = [...VARY.flatMap((v) => ["--vary", v]), "--replications", "2", "--duration", "5m", "--warmup", "30s"];

// The capacity tests' M/M/1 scenario with 2 ms per request and the server count to plan: at
// 1500/s the planner needs 4 or more servers.
const PLAN_YAML = station(2, "planq") + "plan: { api.servers: [1, 40] }\n";

let expected = "";

beforeAll(async () => {
  const plan = planSweep(FILE, readFileSync(FILE, "utf8"), VARY.map(parseVary), WINDOW);
  expected = JSON.stringify(assembleSweep(plan, await serialRunner().run(plan.jobs, () => {})), null, 2) + "\n";
});
afterEach(stopAll);
afterAll(stopAll);

function worker(redis: PrivateRedis) {
  return headroom(["worker", "--queue", redis.url, "--threads", "1", "--lock", "2s"]);
}

describe("a sweep on BullMQ workers", () => {
  it("survives a worker killed mid-job: the job is retried elsewhere, counted once, bytes equal the serial run", async () => {
    const redis = await privateRedis();
    const dir = tempDir();
    const w1 = worker(redis), w2 = worker(redis);
    await Promise.all([waitForOutput(w1.proc, /taking jobs/, 60_000), waitForOutput(w2.proc, /taking jobs/, 60_000)]);
    const out = join(dir, "sweep.json");
    const sweep = headroom(["sweep", FILE, ...FLAGS, "--queue", redis.url, "--json", out]);
    // w1's first job, started and not yet done: kill -9 it there
    const [, victim] = await waitForOutput(w1.proc, /job (\S+) started/, 90_000);
    w1.proc.kill("SIGKILL");
    expect(await sweep.exited()).toBe(0);
    expect(w1.stderr()).not.toContain(`job ${victim} done`);
    // the job was stalled and taken again by the survivor (or by the stalled check it ran)
    expect(w2.stderr()).toContain(`job ${victim} started`);
    expect(w2.stderr()).toContain(`job ${victim} done`);
    expect(readFileSync(out, "utf8")).toBe(expected);
    expect(sweep.stderr()).toMatch(/sweep on the queue at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: 8\/8 simulations/);
    expect(sweep.stderr()).not.toContain(redis.url.split("@")[0].slice(10)); // the password stays out of the log
  });

  it("resumes after Redis is killed and restarted empty mid-sweep: lost jobs are submitted again", async () => {
    const redis = await privateRedis();
    const dir = tempDir();
    const w = worker(redis);
    await waitForOutput(w.proc, /taking jobs/, 60_000);
    const out = join(dir, "sweep.json");
    const sweep = headroom(["sweep", FILE, ...FLAGS, "--queue", redis.url, "--json", out]);
    await waitForOutput(w.proc, /job \S+ done[\s\S]*job \S+ done/, 90_000);
    await redis.kill();
    await new Promise((r) => setTimeout(r, 1500));
    await redis.start();
    expect(await sweep.exited()).toBe(0);
    expect(sweep.stderr()).toMatch(/does not answer/);
    expect(sweep.stderr()).toMatch(/no longer in Redis .*submitting them again/);
    expect(readFileSync(out, "utf8")).toBe(expected);
  });

  it("fails with a clear message and writes nothing when Redis stays away", async () => {
    const redis = await privateRedis();
    const dir = tempDir();
    const out = join(dir, "sweep.json");
    // no worker: nothing finishes before Redis goes
    const sweep = headroom(["sweep", FILE, ...FLAGS, "--queue", redis.url, "--queue-timeout", "3s", "--json", out]);
    await waitForOutput(sweep.proc, /0\/8 simulations/, 60_000);
    await redis.kill();
    expect(await sweep.exited()).toBe(1);
    expect(sweep.stderr()).toMatch(/headroom sweep: lost Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: no answer for [3-9] s \(0 of 8 simulations finished\); nothing was written/);
    expect(existsSync(out)).toBe(false);
  });

  it("capacity --queue and plan --queue write the local runs' bytes", async () => {
    const redis = await privateRedis();
    const dir = tempDir();
    const w = worker(redis);
    const planFile = join(dir, "plan.yaml");
    writeFileSync(planFile, PLAN_YAML);
    const capacity = ["capacity", FILE, "--replications", "2", "--duration", "10s", "--warmup", "2s", "--max-runs", "5"];
    // plan simulates candidates in batches of the command's threads: the same count both ways
    const plan = ["plan", planFile, "--load", "1500/s", "--replications", "1", "--duration", "6s"];
    const env = { HEADROOM_THREADS: "2" };
    const local = [headroom([...capacity, "--threads", "1", "--json", join(dir, "c-local.json")]), headroom([...plan, "--json", join(dir, "p-local.json")], env)];
    await waitForOutput(w.proc, /taking jobs/, 60_000);
    const queued = [headroom([...capacity, "--queue", redis.url, "--json", join(dir, "c-queue.json")]), headroom([...plan, "--queue", redis.url, "--json", join(dir, "p-queue.json")], env)];
    for (const c of [...local, ...queued]) expect(await c.exited()).toBe(0);
    expect(w.stderr()).toMatch(/job \S+ done/);
    expect(readFileSync(join(dir, "c-queue.json"), "utf8")).toBe(readFileSync(join(dir, "c-local.json"), "utf8"));
    const p = readFileSync(join(dir, "p-queue.json"), "utf8");
    expect(JSON.parse(p).chosen.assignment).toBeTruthy(); // a plan was found and simulated on the queue
    expect(p).toBe(readFileSync(join(dir, "p-local.json"), "utf8"));
  });

  it("refuses bad input with exit 2: a path that names no field, a queue URL that is not Redis", async () => {
    const a = headroom(["sweep", FILE, "--vary", "components.api.replica=1,2"]);
    const b = headroom(["sweep", FILE, "--vary", "load.rate=1,2", "--queue", "http://x"]);
    expect(await a.exited()).toBe(2);
    expect(a.stderr()).toContain("single-service.yaml:24:5: components.api: no field 'replica'");
    expect(await b.exited()).toBe(2);
    expect(b.stderr()).toContain("--queue expects a redis:// or rediss:// URL");
  });
});
