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

  it("reports an unreachable broker for a scenario with a queue", async () => {
    const q = parseScenario(readFileSync(new URL("../scenarios/queue-offload.yaml", import.meta.url), "utf8"), "q.yaml");
    const p = q.ok ? planApp(q.scenario) : undefined;
    if (!p?.ok) throw new Error("queue-offload must plan");
    // Port 1 on loopback: nothing listens there.
    const exit = await Effect.runPromiseExit(preflight(p.plan, "amqp://guest:guest@127.0.0.1:1"));
    expect(Exit.isFailure(exit) && Cause.pretty(exit.cause)).toMatch(/RabbitMQ broker at amqp:\/\/127\.0\.0\.1:1/);
  });
});
