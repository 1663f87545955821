// The planning commands' fast paths through the real CLI: simulate --analytic (text and JSON), and
// the input errors of capacity and plan, which are refused before any simulation runs.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../main.ts";
import { erlangC } from "../../../simulator/tests/helpers.ts";

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "", err = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((s) => { out += String(s); return true; });
  const e = vi.spyOn(process.stderr, "write").mockImplementation((s) => { err += String(s); return true; });
  try {
    return { code: await main(args), out, err };
  } finally {
    o.mockRestore(); e.mockRestore();
  }
}

const scenario = (extra: string) => `
version: 1
name: tiny
load: { model: open, rate: 100/s, classes: { req: { flow: [api] } } }
components:
  api: { kind: station, servers: 2, service: { dist: exponential, mean: 5ms } }
${extra}
`;

describe("simulate --analytic", () => {
  it("prints the M/M/8 table of single-service with Erlang C's mean, and writes headroom.analytic/v1 JSON", async () => {
    const text = await cli(["simulate", "scenarios/single-service.yaml", "--analytic"]);
    expect(text.code, text.err).toBe(0);
    expect(text.out).toContain("analytic estimate at 300 req/s");
    expect(text.out).toContain("bottleneck: api");
    const json = await cli(["simulate", "scenarios/single-service.yaml", "--analytic", "--json", "-"]);
    const r = JSON.parse(json.out);
    expect(r.schema).toBe("headroom.analytic/v1");
    const theory = 1000 * (erlangC(8, 6) / (8 * 50 - 300) + 0.02);
    expect(Math.abs(r.classes.get_product.latencyMs.mean - theory)).toBeLessThan(1e-9);
    expect(r.components.api.utilization).toBeCloseTo(0.75, 12);
    // the one edge, the users' 300/s into api, exactly; and its row in the text
    expect(r.edges).toEqual({ "users->api": { requestsPerSecond: 300 } });
    expect(text.out).toMatch(/^users->api +300$/m);
  });
});

describe("input errors of capacity and plan: exit 2 with what to do", () => {
  let dir: string;
  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), "headroom-cmds-")); });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  it("capacity without an SLO", async () => {
    const f = join(dir, "noslo.yaml");
    await writeFile(f, scenario(""));
    const r = await cli(["capacity", f]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${f}: slo: a capacity needs an SLO to meet`);
  });
  it("plan without a plan section, with a malformed --load, and with a bound on an unknown field", async () => {
    const f = join(dir, "noplan.yaml");
    await writeFile(f, scenario("slo: { latency: { p99: 50ms } }"));
    const none = await cli(["plan", f, "--load", "200/s"]);
    expect(none.code).toBe(2);
    expect(none.err).toContain("plan: nothing to size");
    const g = join(dir, "plan.yaml");
    await writeFile(g, scenario("slo: { latency: { p99: 50ms } }\nplan: { api.servers: [1, 8] }"));
    const bad = await cli(["plan", g, "--load", "fast"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("--load expects a rate like 800/s for this open load, got 'fast'");
    const h = join(dir, "badplan.yaml");
    await writeFile(h, scenario("slo: { latency: { p99: 50ms } }\nplan: { api.replicas: [1, 8] }"));
    const field = await cli(["plan", h, "--load", "200/s"]);
    expect(field.code).toBe(2);
    expect(field.err).toMatch(/badplan\.yaml:\d+:\d+: plan\.api\.replicas: 'replicas' is not a field the planner sizes on a station; it sizes api\.servers/);
  });
  it("capacity, plan, check and validate refuse a load above the event budget before any simulation", async () => {
    const f = join(dir, "huge.yaml");
    await writeFile(f, scenario("slo: { latency: { p99: 50ms } }\nplan: { api.servers: [1, 8] }").replace("rate: 100/s", "rate: 9999999999999999999999/s"));
    const cap = await cli(["capacity", f]);
    expect(cap.code).toBe(2);
    expect(cap.err).toMatch(/huge\.yaml: each simulation of the search is estimated at 1\.20e\+24 events \(6\.00e\+23 requests over 1 x 60s, 2 events each\), above the budget of 500M/);
    const plan = await cli(["plan", f, "--load", "1e21/s"]);
    expect(plan.code).toBe(2);
    expect(plan.err).toMatch(/each simulated candidate at 1e21\/s is estimated at [\d.]+e\+23 events/);
    const check = await cli(["check", f, "--baseline", join(dir, "none.json"), "--update-baseline"]);
    expect(check.code).toBe(2);
    expect(check.err).toMatch(/each simulation of the gate is estimated at/);
    const validate = await cli(["validate", f, "--out", join(dir, "v")]);
    expect(validate.code).toBe(2);
    expect(validate.err).toMatch(/each prediction is estimated at/);
  });
  it("check without --baseline, and with a tolerance that is not a fraction", async () => {
    expect((await cli(["check", "scenarios/single-service.yaml"])).err).toContain("--baseline FILE is required");
    const t = await cli(["check", "scenarios/single-service.yaml", "--baseline", "x.json", "--tolerance", "lots"]);
    expect(t.code).toBe(2);
    expect(t.err).toContain("--tolerance expects a fraction like 5% or 0.05, got 'lots'");
  });
});
