// Preflight: a missing part fails before anything starts, saying how to install it.
import { describe, expect, it } from "vitest";
import { Effect, Exit, Cause } from "effect";
import { readFileSync } from "node:fs";
import { parseScenario } from "../simulator/model/index.ts";
import { planApp } from "./plan.ts";
import { preflight } from "./preflight.ts";

const scenario = parseScenario(readFileSync(new URL("../scenarios/cache-aside.yaml", import.meta.url), "utf8"), "cache-aside.yaml");
const planned = scenario.ok ? planApp(scenario.scenario) : undefined;

describe("preflight", () => {
  it.each([
    ["haproxy", "apt-get install -y haproxy"],
    ["redis-server", "apt-get install -y redis-server"],
    ["initdb", "apt-get install -y postgresql"],
  ])("reports a missing %s with its install command", async (missing, install) => {
    if (!planned?.ok) throw new Error("cache-aside must plan");
    const exit = await Effect.runPromiseExit(preflight(planned.plan, undefined, (cmd) => (cmd === missing ? undefined : `/usr/bin/${cmd}`)));
    expect(Exit.isFailure(exit)).toBe(true);
    if (Exit.isFailure(exit)) {
      const e = Cause.failureOption(exit.cause);
      expect(e._tag === "Some" && e.value._tag).toBe("MissingPart");
      expect(e._tag === "Some" && e.value.message).toContain(install);
    }
  });

  it("asks for pgbouncer where the model's max_connections can bind (growing-table: 4 under 2 x 16), and only there", async () => {
    const g = parseScenario(readFileSync(new URL("../scenarios/growing-table.yaml", import.meta.url), "utf8"), "growing-table.yaml");
    const p = g.ok ? planApp(g.scenario) : undefined;
    if (!p?.ok || !planned?.ok) throw new Error("growing-table and cache-aside must plan");
    const without = (cmd: string) => (cmd === "pgbouncer" ? undefined : `/usr/bin/${cmd}`);
    const exit = await Effect.runPromiseExit(preflight(p.plan, undefined, without));
    expect(Exit.isFailure(exit) && Cause.pretty(exit.cause)).toMatch(/pgbouncer \(the gate of components\.db\.max_connections: 4 queries at once, the rest queued, where the app may run 32\).*apt-get install -y pgbouncer/s);
    // cache-aside's pools fit its max_connections: no gate, no pgbouncer needed
    expect(Exit.isSuccess(await Effect.runPromiseExit(preflight(planned.plan, undefined, without)))).toBe(true);
  });

  it("reports an unreachable broker for a scenario with a queue", async () => {
    const q = parseScenario(readFileSync(new URL("../scenarios/queue-offload.yaml", import.meta.url), "utf8"), "q.yaml");
    const p = q.ok ? planApp(q.scenario) : undefined;
    if (!p?.ok) throw new Error("queue-offload must plan");
    // Port 1 on loopback: nothing listens there.
    const exit = await Effect.runPromiseExit(preflight(p.plan, "amqp://guest:guest@127.0.0.1:1"));
    expect(Exit.isFailure(exit) && Cause.pretty(exit.cause)).toMatch(/RabbitMQ broker at amqp:\/\/127\.0\.0\.1:1/);
  });

  it("refuses a realtime pool whose HAProxy would need more open files than the limit, saying how many", async () => {
    const rt = parseScenario(readFileSync(new URL("../scenarios/realtime-chat.yaml", import.meta.url), "utf8"), "realtime-chat.yaml");
    const p = rt.ok ? planApp(rt.scenario) : undefined;
    if (!p?.ok) throw new Error("realtime-chat must plan");
    const found = (cmd: string) => `/usr/bin/${cmd}`;
    // 4 x 5,000 connections: HAProxy's maxconn 20,256, two files each plus 64
    const exit = await Effect.runPromiseExit(preflight(p.plan, undefined, found, 20_000));
    expect(Exit.isFailure(exit) && Cause.pretty(exit.cause)).toMatch(/asks for 40576, two a connection; the limit here is 20000.*ulimit -n 40576/s);
    expect(Exit.isSuccess(await Effect.runPromiseExit(preflight(p.plan, undefined, found, 40_576)))).toBe(true);
  });
});
