// A private, real Prometheus for the tests of `validate --target --prometheus` (Debian's package,
// `apt-get install prometheus`; .ci/run installs it): its own config and TSDB in a temp dir, its
// web API on a free loopback port, scraping one target at a short interval. close() stops it and
// removes the dir, also when the test fails; nothing listens beyond 127.0.0.1.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? "/usr/bin/prometheus";

export interface RealPrometheus {
  url: string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts Prometheus scraping `scrape` (an http URL of a /metrics page) every `scrapeMs`; resolves once
 * it is ready AND has stored its first scrape of the target. Ready alone is not enough: Prometheus
 * answers /-/ready before its scrape loop has started, and the first scrape came 3.4 s after ready
 * in a quiet run (3 Dec 2026); a load started at ready then had the first seconds of its window
 * missing from the TSDB, and `rate(...[$window])` read 0.29 where the truth was 0.33 (0.14 off in
 * another run). A user's Prometheus has been scraping long before a validation; this one must too.
 */
export async function startPrometheus(o: { scrape: string; scrapeMs?: number }): Promise<RealPrometheus> {
  if (!existsSync(PROMETHEUS_BIN)) throw new Error(`no Prometheus at ${PROMETHEUS_BIN}: apt-get install prometheus (or set PROMETHEUS_BIN)`);
  const dir = mkdtempSync(join(tmpdir(), "headroom-prometheus-"));
  const target = new URL(o.scrape);
  const config = [
    "global:",
    `  scrape_interval: ${o.scrapeMs ?? 250}ms`,
    `  scrape_timeout: ${o.scrapeMs ?? 250}ms`,
    "scrape_configs:",
    "  - job_name: own",
    `    metrics_path: ${JSON.stringify(target.pathname)}`,
    "    static_configs:",
    `      - targets: [${JSON.stringify(target.host)}]`,
    "",
  ].join("\n");
  writeFileSync(join(dir, "prometheus.yml"), config);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = "";
  const child: ChildProcess = spawn(
    PROMETHEUS_BIN,
    [`--config.file=${join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  child.stderr!.on("data", (b: Buffer) => (log = (log + b.toString()).slice(-4000)));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 5000);
      await gone;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`prometheus exited with code ${child.exitCode}: ${log.trim()}`);
      try {
        if ((await fetch(`${url}/-/ready`)).ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`prometheus not ready within 20 s: ${log.trim()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    while (!(await scrapedOnce(url))) {
      if (child.exitCode !== null) throw new Error(`prometheus exited with code ${child.exitCode}: ${log.trim()}`);
      if (Date.now() > deadline) throw new Error(`prometheus did not scrape ${o.scrape} within 20 s: ${log.trim()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (e) {
    await close();
    throw e;
  }
  return { url, close };
}

/** True once the job's `up` series holds a successful scrape (its value 1). */
async function scrapedOnce(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent('up{job="own"}')}`);
    const body = (await res.json()) as { data?: { result?: Array<{ value?: [number, string] }> } };
    return body.data?.result?.[0]?.value?.[1] === "1";
  } catch {
    return false;
  }
}
