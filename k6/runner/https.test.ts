// The built-in runner over https: it trusts the roots it is given (caFile) and only them, times the
// TCP connect and the TLS handshake apart (http_req_connecting, http_req_tls_handshaking, and the
// response's timings.tls_handshaking), pays a handshake only on a new connection (keep-alive reuses
// it; `Connection: close` makes the next request open one) and, as k6, never resumes a session.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { opensslSteps } from "../../reference-app/parts/tls-cert.ts";
import { runScript } from "../testing/run-script.ts";

const hasOpenssl = (() => {
  try {
    execFileSync("openssl", ["version"]);
    return true;
  } catch {
    return false;
  }
})();

let dir: string;
let server: https.Server;
let url: string;
const seen = { secure: 0, resumed: 0 };

beforeAll(async () => {
  if (!hasOpenssl) return;
  dir = mkdtempSync(join(tmpdir(), "headroom-https-test-"));
  for (const args of opensslSteps(dir)) execFileSync("openssl", args, { stdio: "ignore" });
  server = https.createServer({ key: readFileSync(join(dir, "balancer.key")), cert: readFileSync(join(dir, "balancer.crt")) }, (_req, res) => res.end("ok"));
  server.on("secureConnection", (s) => {
    seen.secure++;
    if (s.isSessionReused()) seen.resumed++;
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  if (!hasOpenssl) return;
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

// 6 requests of one VU: new, kept-alive, kept-alive + close, new, kept-alive + close, new
const SCRIPT = `import http from "k6/http"; import { Trend } from "k6/metrics";
const hs = new Trend("hs_ms");
export const options = { vus: 1, iterations: 1 };
export default function () {
  for (const close of [false, false, true, false, true, false]) {
    const r = http.get(__ENV.T + "/", { headers: close ? { Connection: "close" } : {} });
    if (r.status !== 200) throw new Error("status " + r.status + " " + r.error);
    hs.add(r.timings.tls_handshaking);
  }
}`;

describe.skipIf(!hasOpenssl)("the built-in runner over https", () => {
  it("handshakes only on the 3 new connections, times them in http_req_tls_handshaking, resumes none", async () => {
    const before = { ...seen };
    const r = await runScript(SCRIPT, { env: { T: url }, caFile: join(dir, "ca.crt") });
    expect(r.exitCode).toBe(0);
    const hs = r.points.filter((p) => p.metric === "hs_ms").map((p) => p.value);
    const trend = r.points.filter((p) => p.metric === "http_req_tls_handshaking").map((p) => p.value);
    const connecting = r.points.filter((p) => p.metric === "http_req_connecting").map((p) => p.value);
    expect(hs).toEqual(trend); // timings.tls_handshaking is the trend's sample, as in k6
    const fresh = [0, 3, 5];
    for (let i = 0; i < 6; i++) {
      if (fresh.includes(i)) {
        // a full RSA-2048 handshake on loopback: above 0.1 ms, under 1 s even on a loaded machine
        expect(hs[i]).toBeGreaterThan(0.1);
        expect(hs[i]).toBeLessThan(1000);
        expect(connecting[i]).toBeGreaterThan(0);
      } else {
        expect(hs[i]).toBe(0);
        expect(connecting[i]).toBe(0);
      }
    }
    expect(seen.secure - before.secure).toBe(3);
    expect(seen.resumed - before.resumed).toBe(0); // k6 keeps no TLS session cache: every handshake full
  });

  it("without the run's CA the request fails verification (k6 code 1310), never skipping it", async () => {
    const r = await runScript(`import http from "k6/http";
export const options = { vus: 1, iterations: 1 };
export default function () { const r = http.get(__ENV.T + "/"); if (r.error_code !== 1310) throw new Error("got " + r.error_code + " " + r.error); }`, { env: { T: url }, caFile: join(dir, "balancer.crt") });
    // balancer.crt as the only root: the leaf is not a CA, so nothing chains to a trusted root
    expect(r.stderr).not.toMatch(/ERRO/);
    expect(r.summary.metrics.http_req_failed.values.rate).toBe(1);
  });
});
