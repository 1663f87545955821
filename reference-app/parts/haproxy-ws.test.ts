// The realtime servers' HAProxy front: WebSocket-capable (mode http, a tunnel timeout past any
// session), the model's balance rule and per-instance limit, refusal at once when all are full, a
// failed instance marked down on its first refused connection and the connection sent elsewhere.
import { describe, expect, it } from "vitest";
import { parseScenario } from "../../simulator/model/index.ts";
import { planApp } from "../plan.ts";
import { wsHaproxyConfig } from "./haproxy-ws.ts";

function realtimePlan(balance: string) {
  const r = parseScenario(`
version: 1
name: t
load:
  model: open
  rate: 1/s
  classes:
    ping: { http: { method: GET, path: /ping }, flow: [{ call: api }] }
  connections:
    chat: { rate: 1/s, lifetime: 10s }
components:
  api: { kind: service, service: 1ms }
  chat: { kind: realtime, instances: 3, max_connections: 250, balance: ${balance}, backbone: { service: 100us } }
`, "t.yaml");
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  const p = planApp(r.scenario);
  if (!p.ok) throw new Error(JSON.stringify(p.issues));
  return p.plan.realtime!;
}

describe("wsHaproxyConfig", () => {
  it("fronts every instance with the model's limit and holds upgraded tunnels", () => {
    const cfg = wsHaproxyConfig(realtimePlan("least_connections"), 9000, [9001, 9002, 9003], "/run/s.sock");
    const lines = cfg.split("\n").map((l) => l.trim());
    expect(lines).toContain("mode http");
    expect(lines).toContain("timeout tunnel 24h");
    expect(lines).toContain("timeout queue 1ms");
    expect(lines).toContain("bind 127.0.0.1:9000");
    expect(lines).toContain("balance leastconn");
    expect(lines).toContain("option redispatch 1");
    expect(lines.filter((l) => l.startsWith("server "))).toEqual([1, 2, 3].map((i) => `server r${i} 127.0.0.1:${9000 + i} check maxconn 250`));
    // room for every connection of the pool, on the frontend and in the process
    expect(lines.filter((l) => l.startsWith("maxconn ")).map((l) => Number(l.split(" ")[1]))).toEqual([3 * 250 + 256, 3 * 250 + 256]);
    expect(cfg).toMatch(/observe layer4 error-limit 1 on-error mark-down/);
  });

  it("maps the model's balance rules", () => {
    expect(wsHaproxyConfig(realtimePlan("round_robin"), 1, [2], "/s")).toContain("balance roundrobin");
    expect(wsHaproxyConfig(realtimePlan("random"), 1, [2], "/s")).toContain("balance random(1)");
  });
});
