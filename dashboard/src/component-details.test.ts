// The component table's details carry what the CLI's table notes for each kind (shared/
// format-table.ts): a function's cold starts, a realtime server's connections and messages, a
// rate limiter's refusals and a service's instances, each figure the result's own.
import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { simulate } from "../../simulator/index.ts";
import { scenarioOf } from "../../simulator/testing.ts";
import { componentDetails } from "./Summary.tsx";
import { pctCi, withCi } from "./format.ts";

const run = (file: string, o: { duration: number; warmup: number; replications: number }) =>
  simulate(scenarioOf(readFileSync(new URL(`../../scenarios/${file}`, import.meta.url), "utf8"), file), o);
const componentOf = (r: ReturnType<typeof run>, kind: string) => Object.values(r.components).find((c) => c.kind === kind)!;

describe("component details, as the CLI's notes", () => {
  test("a function: cold starts, cold and warm p95, peak instances, GB-s per second", () => {
    const f = componentOf(run("serverless-api.yaml", { duration: 30, warmup: 5, replications: 2 }), "function");
    const d = componentDetails(f);
    expect(d).toContain(`cold starts ${pctCi(f.function!.coldStartShare)}`);
    expect(d).toContain(`peak ${f.function!.peakInstances} instances`);
    expect(d).toContain(`${withCi(f.function!.gbSecondsPerSecond)} GB-s/s`);
  });

  test("a realtime server: connections with their peak, messages in and out, delivery p99", () => {
    const rt = componentOf(run("realtime-chat.yaml", { duration: 20, warmup: 4, replications: 2 }), "realtime");
    const d = componentDetails(rt);
    expect(d).toContain(`connections ${withCi(rt.realtime!.connections)} (peak ${rt.realtime!.peakConnections},`);
    expect(d).toContain(`messages in ${withCi(rt.realtime!.messagesInPerSecond)}/s, out ${withCi(rt.realtime!.messagesOutPerSecond)}/s`);
  });

  test("a rate limit's refusals and a service's instances", () => {
    const r = run("validation/dynamic/rate-limit.yaml", { duration: 20, warmup: 2, replications: 2 });
    const limited = Object.values(r.components).find((c) => (c.rateLimited ?? 0) > 0)!;
    expect(componentDetails(limited)).toContain(`${limited.rateLimited} rate limited`);
    const svc = componentOf(r, "service");
    expect(componentDetails(svc)).toContain(`instances ${withCi(svc.instances!)}`);
  });
});
