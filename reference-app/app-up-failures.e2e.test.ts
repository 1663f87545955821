// `headroom app up` follows the YAML's scheduled failures (issue 14: "triggered on schedule from the
// YAML's failures:"), from t = 0 = the first request HAProxy counts: the cache-aside scenario with
// a cache loss at 1 s and replica 1 crashed at 1 s, restarted 3 s later. Checked on the real parts:
// the replica's metrics endpoint stops answering and answers again, and the run stops clean on
// SIGINT (the restart of Redis itself is checked in app-cache-aside.test.ts). And `--no-failures`
// injects none.
import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { leftovers } from "./testing.ts";

const ROOT = join(import.meta.dirname, "..");

interface Up {
  out: () => string;
  err: () => string;
  waitFor(re: RegExp, ms: number): Promise<RegExpExecArray>;
  stop(): Promise<number | null>;
}

function up(file: string, extra: string[] = []): Up {
  const child = spawn(process.execPath, ["bin/headroom.mjs", "app", "up", file, ...extra], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "", stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
  const cap = setTimeout(() => child.kill("SIGKILL"), 90_000);
  return {
    out: () => stdout,
    err: () => stderr,
    async waitFor(re, ms) {
      const end = Date.now() + ms;
      for (;;) {
        const m = re.exec(stdout + stderr);
        if (m) return m;
        if (Date.now() > end || child.exitCode !== null) throw new Error(`not seen in ${ms} ms: ${re}\n${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      child.kill("SIGINT");
      const code = await exited;
      clearTimeout(cap);
      return code;
    },
  };
}

const answers = async (url: string) => {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
};

async function withScenario(run: (file: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "headroom-upfail-"));
  try {
    const base = await readFile(join(ROOT, "scenarios/cache-aside.yaml"), "utf8");
    const file = join(dir, "cache-aside-faults.yaml");
    await writeFile(file, `${base.trimEnd()}\nfailures:\n  - { at: 1s, lose: cache }\n  - { at: 1s, crash: api, replica: 1, restart_after: 3s }\n`);
    await run(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe("headroom app up follows the YAML's failures", () => {
  it("from the first request: the cache restarted empty, replica 1 killed at 1 s and started at 4 s", async () => {
    await withScenario(async (file) => {
      const app = up(file);
      let code: number | null = null;
      try {
        await app.waitFor(/is ready/, 60_000);
        const entry = /entry: +(\S+)/.exec(app.out())![1]!;
        const metrics = /metrics: +(\S+)/.exec(app.out())![1]!; // replica 1's
        expect(app.err()).toMatch(/failures: the YAML's 2 scheduled failure\(s\) follow from t = 0: the first request HAProxy counts/);
        // nothing happens before the load starts
        await new Promise((r) => setTimeout(r, 1500));
        expect(app.err()).not.toMatch(/fault at/);
        expect(await answers(metrics)).toBe(true);
        const t0 = Date.now();
        await fetch(`${entry}/products/1`);
        await app.waitFor(/fault at 1 s: kill api replica 1/, 5000);
        await app.waitFor(/fault at 1 s: cache lost \(Redis restarted empty\)/, 5000);
        let down = false;
        while (Date.now() - t0 < 3500 && !down) down = !(await answers(metrics));
        expect(down).toBe(true);
        await app.waitFor(/fault at 4 s: restart api replica 1/, 6000);
        let back = false;
        while (Date.now() - t0 < 15_000 && !back) back = await answers(metrics);
        expect(back).toBe(true);
        expect((Date.now() - t0) / 1000).toBeGreaterThan(3.9);
        expect(app.err()).not.toMatch(/failed/);
      } finally {
        code = await app.stop();
      }
      expect(code).toBe(0);
      const dir = /started run dir (\S+)/.exec(app.err())?.[1];
      expect(await leftovers(dir!, [...(app.err() + app.out()).matchAll(/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1])))).toEqual([]);
    });
  }, 120_000);

  it("--no-failures: none injected, and says so", async () => {
    await withScenario(async (file) => {
      const app = up(file, ["--no-failures"]);
      try {
        await app.waitFor(/is ready/, 60_000);
        const entry = /entry: +(\S+)/.exec(app.out())![1]!;
        const metrics = /metrics: +(\S+)/.exec(app.out())![1]!;
        expect(app.err()).toMatch(/--no-failures: the YAML's 2 scheduled failure\(s\) are not injected/);
        await fetch(`${entry}/products/1`);
        await new Promise((r) => setTimeout(r, 2000));
        expect(app.err()).not.toMatch(/fault at/);
        expect(await answers(metrics)).toBe(true);
      } finally {
        expect(await app.stop()).toBe(0);
      }
    });
  }, 120_000);
});
