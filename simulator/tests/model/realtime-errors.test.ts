// Bad realtime components and connections: each problem at its line, column and field, all at once,
// and the JSON Schema (`headroom schema`) describes the new fields. The CLI's exit 2 on them is
// checked in cli/tests/simulate.test.ts's way (a spawned `headroom simulate`).
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import { parse as parseYaml } from "yaml";
import { parseScenario, scenarioJsonSchema, type ScenarioError } from "../../model/index.ts";

/** Line and column (1-based) of the first `needle` after `after` in `text`. */
function where(text: string, needle: string, after = ""): { line: number; column: number } {
  const offset = text.indexOf(needle, after ? text.indexOf(after) : 0);
  if (offset < 0) throw new Error(`'${needle}' not in the scenario`);
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

function parsed(yaml: string): { errors: ScenarioError[]; warnings: ScenarioError[] } {
  const r = parseScenario(yaml, "bad.yaml");
  return r.ok ? { errors: [], warnings: [...r.warnings] } : { errors: [...r.errors], warnings: [] };
}

const scenario = (component: string, connections = "    chat: { rate: 10/s, lifetime: 5m, messages: 1/m }", extra = "") => `version: 1
name: rt
load:
  model: open
  rate: 1/s
  classes: { r: { flow: [api] } }
  connections:
${connections}
components:
  api: { kind: station, service: 1ms }
  chat:
${component}
${extra}`;

describe("realtime: located errors", () => {
  it("memory per connection larger than an instance's memory", () => {
    const y = scenario("    kind: realtime\n    memory: 1MiB\n    memory_base: 512KiB\n    memory_per_connection: 600KiB");
    const { errors } = parsed(y);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ path: "components.chat.memory_per_connection", ...where(y, "600KiB") });
    expect(errors[0].message).toMatch(/one connection needs memory_base \+ memory_per_connection = 1\.08\d*MiB, more than the instance's memory \(1MiB\)/);
  });
  it("several instances without a backbone; backoff above max_backoff", () => {
    const y = scenario("    kind: realtime\n    instances: 3\n    reconnect: { backoff: 40s, max_backoff: 30s }");
    const { errors } = parsed(y);
    expect(errors.map((e) => e.path)).toEqual(["components.chat.instances", "components.chat.reconnect.backoff"]);
    expect(errors[0]).toMatchObject(where(y, "3", "instances"));
    expect(errors[0].message).toMatch(/3 instances need a `backbone:`/);
    expect(errors[1]).toMatchObject(where(y, "40s"));
  });
  it("connections to a missing component or to another kind; a realtime component without clients", () => {
    const y = scenario("    kind: realtime", "    api: { rate: 1/s, lifetime: 1m }\n    nope: { rate: 1/s, lifetime: 1m }");
    const { errors } = parsed(y);
    const by = Object.fromEntries(errors.map((e) => [e.path, e]));
    expect(by["load.connections.api"].message).toMatch(/connections go to a realtime component; 'api' is a station/);
    expect(by["load.connections.nope"].message).toMatch(/no component named 'nope'/);
    expect(by["components.chat"].message).toMatch(/no clients connect to realtime 'chat': add `load.connections.chat`/);
  });
  it("a crash of an instance that does not exist; op on a call to it", () => {
    const y = scenario("    kind: realtime\n    instances: 2\n    backbone: { service: 50us }", undefined,
      "failures:\n  - { at: 10s, crash: chat, replica: 3 }\n");
    const { errors } = parsed(y);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ path: "failures[0].replica", ...where(y, "3 }") });
    const z = parsed(scenario("    kind: realtime").replace("flow: [api]", "flow: [{ call: chat, op: get }]"));
    expect(z.errors.map((e) => e.path)).toEqual(["load.classes.r.flow[0].op"]);
  });
  it("schema errors: unknown fields, units, limits", () => {
    const y = scenario("    kind: realtime\n    max_conections: 10\n    send: fast\n    channels: { count: 0 }", "    chat: { rate: 10/s, lifetime: 5m, messages: -1/s }");
    const { errors } = parsed(y);
    expect(errors.map((e) => e.path).sort()).toEqual(["components.chat.channels.count", "components.chat.max_conections", "components.chat.send", "load.connections.chat.messages"]);
    expect(errors.find((e) => e.path === "components.chat.channels.count")!.message).toMatch(/channels.count must be a whole number >= 1/);
  });
  it("more connection slots or channel cells than the simulator holds", () => {
    const y = scenario("    kind: realtime\n    instances: 10\n    max_connections: 1M\n    backbone: { service: 50us }\n    channels: { count: 3M }");
    const { errors } = parsed(y);
    expect(errors.map((e) => e.path)).toEqual(["components.chat.max_connections", "components.chat.channels.count"]);
  });
});

describe("realtime: warnings", () => {
  it("running out of memory before max_connections; more channels than connections; more connections than slots", () => {
    const y = scenario("    kind: realtime\n    max_connections: 1000\n    memory: 10MiB\n    memory_per_connection: 64KiB\n    channels: { count: 5000 }", "    chat: { rate: 10/s, lifetime: 5m }");
    const { errors, warnings } = parsed(y);
    expect(errors).toEqual([]);
    const by = Object.fromEntries(warnings.map((w) => [w.path, w.message]));
    expect(by["components.chat.max_connections"]).toMatch(/runs out of memory at 160 connections, before max_connections \(1000\)/);
    expect(by["components.chat.channels.count"]).toMatch(/5000 channels but at most 1000 connections/);
    expect(by["load.connections.chat.rate"]).toMatch(/rate x mean lifetime is 3000 connections, more than the 1000 slots/);
  });
});

describe("realtime: the JSON Schema and the bundled scenario", () => {
  const text = readFileSync(join(import.meta.dirname, "../../../scenarios/realtime-chat.yaml"), "utf8");
  // compiled once: Ajv takes about 2 s over the whole schema
  const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(scenarioJsonSchema());
  it("the bundled scenario parses without warnings and validates against `headroom schema`", () => {
    const r = parseScenario(text, "realtime-chat.yaml");
    expect(r.ok && r.warnings).toEqual([]);
    expect(validate(parseYaml(text)), JSON.stringify(validate.errors)).toBe(true);
  });
  it("the schema refuses an unknown realtime field", () => {
    const doc = parseYaml(text);
    doc.components.chat.max_conections = 10;
    expect(validate(doc)).toBe(false);
  });
});

describe("realtime: the CLI", () => {
  it("exits 2 with file:line:column messages", () => {
    const dir = mkdtempSync(join(tmpdir(), "headroom-rt-"));
    try {
      const f = join(dir, "bad.yaml");
      const y = scenario("    kind: realtime\n    memory: 1MiB\n    memory_per_connection: 2MiB");
      writeFileSync(f, y);
      const r = spawnSync(process.execPath, [join(import.meta.dirname, "../../../bin/headroom.mjs"), "simulate", f], { encoding: "utf8" });
      expect(r.status).toBe(2);
      const at = where(y, "2MiB");
      expect(r.stderr).toContain(`${f}:${at.line}:${at.column}: components.chat.memory_per_connection: one connection needs`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
