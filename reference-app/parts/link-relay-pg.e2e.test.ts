// The link relay on a database's route (protocol "pg", parts/pg-framer.ts) against a real
// PostgreSQL: a private server made with initdb (SCRAM passwords, as the run's), node-postgres in
// front through the relay, the database's link of 1 MB/s on its answers and the caller's on its
// requests. The startup and SCRAM exchange cross (each turn framed alone, or it would deadlock); a
// 200 kB answer alone takes its bytes over the capacity, two at once share the link; every query
// is one request and one answer on the links; the relay counts the rows' values as the model's
// bytes. Not in npm test: it makes a cluster (initdb, a few seconds). The app's use of it (a
// database's `bandwidth`) is validation/store-link-validate.e2e.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { startLinkRelay, type RunningLinkRelay } from "./link-relay.ts";

const CAPACITY = 1_000_000; // bytes per second
const VALUE = 200_000;
const SLACK_S = 0.08 + VALUE * 50e-9;
const PASSWORD = "relay-test";

let dir: string;
let server: ChildProcess | undefined;
let relay: RunningLinkRelay;
const clients: pg.Client[] = [];

const freePort = () => new Promise<number>((resolve, reject) => {
  const s = net.createServer().listen(0, "127.0.0.1", () => {
    const p = (s.address() as net.AddressInfo).port;
    s.close(() => resolve(p));
  }).on("error", reject);
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "hr-pg-relay-"));
  const bin = execFileSync("sh", ["-c", "dirname $(command -v initdb)"], { encoding: "utf8" }).trim();
  // PostgreSQL refuses to run as root: as the postgres user then, as the run's parts/postgres.ts does
  const root = process.getuid?.() === 0;
  const as = root ? { uid: Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" })), gid: Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" })) } : {};
  chmodSync(dir, 0o700);
  writeFileSync(join(dir, "pw"), `${PASSWORD}\n`, { mode: 0o600 });
  if (root) for (const p of [dir, join(dir, "pw")]) chownSync(p, as.uid!, as.gid!);
  execFileSync(join(bin, "initdb"), ["-D", join(dir, "data"), "-U", "postgres", "--auth=scram-sha-256", `--pwfile=${join(dir, "pw")}`, "-E", "UTF8", "--no-sync", "--no-instructions"], { ...as, stdio: "ignore" });
  const port = await freePort();
  server = spawn(join(bin, "postgres"), ["-D", join(dir, "data"), "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", `unix_socket_directories=${dir}`, "-c", "fsync=off"], { ...as, stdio: "ignore" });
  relay = await startLinkRelay(
    [{ name: "db", bytesPerSecond: CAPACITY }, { name: "api", bytesPerSecond: CAPACITY }],
    [{ name: "api->db", listenHost: "127.0.0.1", listenPort: 0, targetHost: "127.0.0.1", targetPort: port, up: 1, down: 0, protocol: "pg" }],
  );
  for (let i = 0; ; i++) {
    const c = new pg.Client({ host: "127.0.0.1", port, user: "postgres", password: PASSWORD, database: "postgres" });
    try {
      await c.connect();
      await c.end();
      break;
    } catch (e) {
      await c.end().catch(() => {});
      if (i > 200) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
});

afterAll(async () => {
  for (const c of clients) await c.end().catch(() => {});
  await relay?.close();
  if (server && server.exitCode === null) {
    const gone = new Promise((r) => server!.once("exit", r));
    server.kill("SIGINT"); // PostgreSQL's fast shutdown
    await gone;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const timed = async <T>(f: () => Promise<T>): Promise<{ s: number; v: T }> => {
  const t0 = performance.now();
  const v = await f();
  return { s: (performance.now() - t0) / 1000, v };
};

describe("the link relay on PostgreSQL's answers (protocol 3.0)", () => {
  it("connects with SCRAM through it; an answer alone takes its bytes over the capacity, two share the link; one transfer per query each way; the rows' values counted", async () => {
    const client = () => { const c = new pg.Client({ host: "127.0.0.1", port: relay.ports[0], user: "postgres", password: PASSWORD, database: "postgres" }); clients.push(c); return c; };
    const a = client(), b = client();
    await Promise.all([a.connect(), b.connect()]);
    relay.reset();

    const alone = await timed(() => a.query<{ v: string }>("SELECT repeat('x', $1::int) AS v", [VALUE]));
    expect(alone.v.rows[0]!.v).toHaveLength(VALUE);
    expect(alone.s).toBeGreaterThanOrEqual(VALUE / CAPACITY);
    expect(alone.s).toBeLessThan(VALUE / CAPACITY + SLACK_S);

    // two at once: the later one ends at 2 x 0.2 s from the first's start at the latest (FIFO: 0.2 and 0.4 s apart)
    const t0 = performance.now();
    const ends = await Promise.all([a, b].map((c, i) => c.query("SELECT repeat($2, $1::int) AS v", [VALUE, "yz"[i]]).then(() => (performance.now() - t0) / 1000)));
    const [first, last] = ends.sort((x, y) => x - y) as [number, number];
    expect(last).toBeGreaterThanOrEqual((2 * VALUE) / CAPACITY - 0.005);
    expect(last).toBeLessThan((2 * VALUE) / CAPACITY + SLACK_S);
    expect(last - first, "processor sharing: they end close together").toBeLessThan(0.1);

    const err = await a.query("SELECT * FROM no_such_table").catch((e: Error) => e.message);
    expect(err).toMatch(/does not exist/);

    const [db, api] = relay.report() as [ReturnType<RunningLinkRelay["report"]>[number], ReturnType<RunningLinkRelay["report"]>[number]];
    // four queries: four requests (Parse..Sync) on the caller's link, four answers on the database's
    expect(db.messages).toBe(4);
    expect(api.messages).toBe(4);
    expect(db.bodyBytes).toBe(3 * VALUE);
    expect(api.bodyBytes).toBe(0);
    expect(db.busySeconds).toBeGreaterThanOrEqual((3 * VALUE) / CAPACITY - 0.005);
    expect(db.busySeconds).toBeLessThan((3 * VALUE + db.headBytes) / CAPACITY + 0.05);
  });
});
