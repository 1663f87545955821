// Issue 14's quality bar, "every process and port released on Ctrl-C, also mid-scale-out and
// mid-failover", checked through the CLI (`headroom app up`, what a user stops): SIGINT while the
// auto-scaler's new replica is booting under load (the SIGTERM twin is in app-autoscaling.e2e.test.ts),
// and SIGINT / SIGTERM while the YAML's database failover is under way: right after the primary was
// killed with the promotion following at once (the promotion in flight: replicas asked for their WAL
// position, pg_promote, the services repointed), and between the kill and a promotion still 2 s away.
// Each exits 0 and leaves no process (PostgreSQL's renamed backends included: leftovers() also looks
// for processes working inside the run dir), no listening port (every one the CLI printed) and no
// run dir. Private everything: ephemeral ports of 127.0.0.1, a temp scenario file, the run's own dirs.
import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { leftovers, processesWorkingIn } from "./testing.ts";

const ROOT = join(import.meta.dirname, "..");

interface Up {
  readonly text: () => string;
  waitFor(what: string, test: () => boolean, ms: number, everyMs?: number): Promise<void>;
  signal(sig: NodeJS.Signals): Promise<number | null>;
  kill(): void;
}

function up(file: string): Up {
  const child = spawn(process.execPath, ["bin/headroom.mjs", "app", "up", file], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return {
    text: () => out,
    async waitFor(what, test, ms, everyMs = 50) {
      const end = Date.now() + ms;
      while (!test()) {
        if (Date.now() > end || child.exitCode !== null) throw new Error(`${what}: not seen in ${ms} ms\n${out}`);
        await new Promise((r) => setTimeout(r, everyMs));
      }
    },
    async signal(sig) {
      child.kill(sig);
      return exited;
    },
    kill: () => void (child.exitCode === null && child.kill("SIGKILL")),
  };
}

const readOr = (path: string) => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
};
const printedPorts = (text: string) => [...new Set([...text.matchAll(/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1])))];

async function withFile(name: string, yaml: string, run: (file: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "headroom-interrupt-dyn-"));
  try {
    const file = join(dir, name);
    writeFileSync(file, yaml);
    await run(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("headroom app up, SIGINT mid-scale-out (Ctrl-C)", () => {
  it("exits 0 and leaves nothing while the new replica boots under load", async () => {
    await withFile("scaled.yaml", `version: 1
name: t-dyn-sigint
load: { model: open, rate: 10/s, classes: { get_item: { http: { method: GET, path: "/items/{key}" }, keys: { count: 100 }, flow: [{ call: lb }] } } }
components:
  lb: { kind: load_balancer, backends: api, maxconn: 4 }
  api:
    kind: service
    replicas: 1
    concurrency: 4
    autoscaling: { min: 1, max: 2, target: 0.5, interval: 0.3s, cooldown_out: 1s, cooldown_in: 60s, boot: 60s }
    handlers: { get_item: [{ service: 20ms }] }
`, async (file) => {
      const app = up(file);
      let loading = true;
      let load: Promise<unknown> = Promise.resolve();
      try {
        await app.waitFor("the app ready", () => /Press Ctrl-C/.test(app.text()), 90_000);
        const entry = /entry:\s+(\S+)/.exec(app.text())![1]!;
        const runDir = /started run dir (\S+)/.exec(app.text())![1]!;
        // 8 closed-loop clients keep the one replica's 4 slots busy: the scaler asks for replica 2
        load = Promise.all(Array.from({ length: 8 }, async () => {
          while (loading) await fetch(`${entry}/items/1`).then((r) => r.text(), () => "");
        }));
        // its process answers /healthz: the run is in the injected rest of the 60 s boot
        await app.waitFor("replica 2 started", () => /replica 2 started in/.test(readOr(join(runDir, "logs", "autoscaler.log"))), 60_000);
        const code = await app.signal("SIGINT");
        loading = false;
        await load;
        expect(code).toBe(0);
        expect(app.text()).toMatch(/SIGINT: stopping every part/);
        expect(app.text()).toMatch(/nothing left running/);
        // HAProxy, admin and both places (the standby's port is in the metrics line)
        expect(/metrics:\s+(.*)/.exec(app.text())![1]!.trim().split(/\s+/)).toHaveLength(2);
        expect(printedPorts(app.text()).length).toBeGreaterThanOrEqual(4);
        expect(await leftovers(runDir, printedPorts(app.text()))).toEqual([]);
      } finally {
        loading = false;
        app.kill();
        await load;
      }
    });
  }, 150_000);
});

// A primary with two asynchronous replicas 100 ms behind on the wire (so the failover has
// forwarders to drop and, for the replica left, a new one to start), the failover scheduled from
// the first request HAProxy counts.
const failoverYaml = (promoteAfter: string) => `version: 1
name: t-failover-interrupt
load:
  model: open
  rate: 10/s
  classes:
    get_product: { http: { method: GET, path: "/products/{key}" }, keys: { count: 1000 }, flow: [{ call: lb }] }
    create_order: { http: { method: POST, path: /orders }, flow: [{ call: lb }] }
components:
  lb: { kind: load_balancer, backends: api, maxconn: 8 }
  api:
    kind: service
    replicas: 2
    concurrency: 8
    handlers:
      get_product: [{ call: db, op: read }]
      create_order: [{ call: db, op: write }]
  db:
    kind: database
    keys: 1000
    read: 2ms
    write: 2ms
    replicas: 2
    read_from: replicas
    replication_lag: 100ms
    pool: { size: 4, timeout: 2s }
failures:
  - { at: 500ms, fail_primary: db, promote_after: ${promoteAfter} }
`;

describe("headroom app up, interrupted mid-failover", () => {
  it.each([
    ["SIGINT", "1ms", "the promotion in flight"],
    ["SIGTERM", "2s", "the primary dead, the promotion not yet due"],
  ] as const)("%s right after the primary is killed (promote_after %s: %s): exit 0, no PostgreSQL left", async (signal, promoteAfter, _when) => {
    await withFile("failover.yaml", failoverYaml(promoteAfter), async (file) => {
      const app = up(file);
      let loading = true;
      let load: Promise<unknown> = Promise.resolve();
      try {
        await app.waitFor("the app ready", () => /Press Ctrl-C/.test(app.text()), 120_000);
        const entry = /entry:\s+(\S+)/.exec(app.text())![1]!;
        const runDir = /started run dir (\S+)/.exec(app.text())![1]!;
        // the primary and both replicas, as the CLI printed them
        const pg = /started postgres primary ([^\n]*)/.exec(app.text())![1]!;
        const pgPorts = printedPorts(pg);
        expect(pgPorts).toHaveLength(3);
        // a request starts t = 0; writes and reads go on through the failover
        load = Promise.all(Array.from({ length: 2 }, async (_, k) => {
          for (let i = 0; loading; i++) {
            await (k === 0
              ? fetch(`${entry}/orders`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ product: i % 1000 }) })
              : fetch(`${entry}/products/${i % 1000}`)
            ).then((r) => r.text(), () => "");
            await new Promise((r) => setTimeout(r, 20));
          }
        }));
        const log = join(runDir, "logs", "failover.log");
        await app.waitFor("the primary killed", () => /primary \(127\.0\.0\.1:\d+\) killed/.test(readOr(log)), 30_000, 5);
        // the check below sees PostgreSQL's renamed processes (the replicas' walreceivers, backends)
        expect(processesWorkingIn(runDir).filter((p) => /postgres/.test(p)).length).toBeGreaterThanOrEqual(2);
        const code = await app.signal(signal);
        loading = false;
        await load;
        expect(code).toBe(0);
        expect(app.text()).toMatch(new RegExp(`${signal}: stopping every part`));
        expect(app.text()).toMatch(/nothing left running/);
        expect(await leftovers(runDir, printedPorts(app.text()))).toEqual([]);
      } finally {
        loading = false;
        app.kill();
        await load;
      }
    });
  }, 180_000);
});
