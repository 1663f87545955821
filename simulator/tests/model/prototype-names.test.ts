// Names that live on Object.prototype (constructor, __proto__, toString, ...) written where a scenario
// takes a user-given name (components, classes, handlers, regions, geo routes, plan keys and every
// reference to them) or an enum value (dist, kind, algorithm, shape, ...), in every bundled scenario.
// Each variant goes through parse + check, the analytic solver, the run-size estimate, compile and a
// short simulation, the reference app's plan and the k6 plan: the outcome must be a located error or
// a normal result, never a thrown TypeError or RangeError. Renaming a name consistently (to one that
// passes the name pattern and Object.prototype has: constructor) must not change what the model computes.
// Trades away breadth for time: one replication of at most a few thousand events per variant.
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { isMap, isScalar, isSeq, parseDocument, type Node } from "yaml";
import { parseScenario, simulate, UnsupportedError, type Scenario } from "../../index.ts";
import { solveAnalytic } from "../../analytic/index.ts";
import { expectedEvents } from "../../model/run-size.ts";
import { planApp } from "../../../reference-app/plan.ts";
import { planFromScenario, PlanError } from "../../../k6/plan.ts";

// Object.prototype's members (the __define/__lookup family by one of them) and `prototype`.
const PROTO_NAMES = [
  "constructor", "__proto__", "toString", "valueOf", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable",
  "toLocaleString", "__defineGetter__", "prototype",
];
// The one prototype name a scenario accepts as a name ([a-z][a-z0-9_-]*) that Object.prototype has
// (`prototype` passes the pattern too, but only functions have it).
const VALID_PROTO_NAMES = ["constructor"];

const root = join(import.meta.dirname, "../../../scenarios");
function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? yamlFiles(p) : f.endsWith(".yaml") ? [p] : [];
  });
}
const files = yamlFiles(root).map((p) => ({ name: relative(root, p), text: readFileSync(p, "utf8") }));

// Maps whose keys are user-given names, by the path of the map (`*` any key, `#` any index).
const NAME_KEY_MAPS = ["components", "load.classes", "load.connections", "components.*.handlers", "regions", "regions.*.latency", "load.regions", "geo", "plan"];
// Fields whose scalar value names a component, region, geo route or class.
const NAME_VALUE_FIELDS = new Set(["visit", "call", "publish", "backends", "origin", "to", "region", "crash", "fail_primary", "lose", "random"]);
// Fields whose value is one of a fixed set of words.
const ENUM_FIELDS = new Set(["dist", "kind", "algorithm", "popularity", "shape", "op", "method", "read_from", "overflow", "by", "jitter", "metric", "arrivals", "model"]);

interface Position { readonly range: [number, number]; readonly value: string; readonly what: "name" | "enum"; readonly at: string }

/** Every name and enum position of a document, with the source range of its scalar. */
function positions(text: string): Position[] {
  const doc = parseDocument(text);
  const out: Position[] = [];
  const matches = (path: string[], pattern: string) => {
    const p = pattern.split(".");
    return p.length === path.length && p.every((x, i) => x === "*" || x === path[i]);
  };
  const scalar = (n: unknown, what: "name" | "enum", at: string) => {
    if (isScalar(n) && typeof n.value === "string" && n.range) out.push({ range: [n.range[0], n.range[1]], value: n.value, what, at });
  };
  const inFlow = (path: string[]) => path.some((k) => k === "flow" || k === "handler" || k === "hit" || k === "miss" || k === "parallel") || matches(path.slice(0, 3), "components.*.handlers");
  const walk = (node: unknown, path: string[]) => {
    if (isMap(node)) {
      const nameKeys = NAME_KEY_MAPS.some((m) => matches(path, m));
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : "?";
        if (nameKeys) scalar(pair.key, "name", [...path, key].join("."));
        if (NAME_VALUE_FIELDS.has(key)) scalar(pair.value, "name", [...path, key].join("."));
        if (ENUM_FIELDS.has(key)) scalar(pair.value, "enum", [...path, key].join("."));
        walk(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        // a bare string in a flow is a station's name; a geo route lists entries
        if ((inFlow(path) || path[0] === "geo") && isScalar(item)) scalar(item, "name", `${path.join(".")}[${i}]`);
        walk(item, [...path, "#"]);
      });
    }
  };
  walk(doc.contents as Node, []);
  return out;
}

function splice(text: string, edits: ReadonlyArray<{ range: [number, number]; to: string }>): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.range[0] - a.range[0])) out = out.slice(0, e.range[0]) + e.to + out.slice(e.range[1]);
  return out;
}

// A short run of a smaller load: closed loads above 1,000 users and open loads above 2,000/s are
// scaled down (the names, kinds and flows, what this test is about, stay as written).
function small(s: Scenario): Scenario {
  const load = s.load;
  if (load.model === "closed") {
    const peak = Math.max(load.users ?? 0, load.start_users, ...(load.stages ?? []).map((st) => st.target));
    if (peak <= 1000) return s;
    const f = 1000 / peak;
    const n = (x: number) => Math.round(x * f);
    return { ...s, load: { ...load, users: load.users === undefined ? undefined : Math.max(1, n(load.users)), start_users: n(load.start_users), stages: load.stages?.map((st) => ({ ...st, target: n(st.target) })) as typeof load.stages } };
  }
  const peak = Math.max(load.rate ?? 0, load.start_rate, ...(load.stages ?? []).map((st) => Math.max(st.target ?? 0, st.max ?? 0)));
  if (peak <= 2000) return s;
  const f = 2000 / peak;
  const r = (x: number | undefined) => (x === undefined ? undefined : x * f);
  return { ...s, load: { ...load, rate: r(load.rate), start_rate: load.start_rate * f, stages: load.stages?.map((st) => ({ ...st, target: r(st.target), min: r(st.min), max: r(st.max) })) as typeof load.stages } };
}
const SHORT = { duration: 2, warmup: 0.5, replications: 1 };

/** Runs a text through every reader of scenarios; returns what happened, throws only on a crash. */
function exercise(text: string, file: string): { ok: boolean; analytic?: string; events?: number } {
  const r = parseScenario(text, file);
  if (!r.ok) {
    for (const e of r.errors) {
      expect(e.file).toBe(file);
      expect(e.line).toBeGreaterThanOrEqual(1);
      expect(e.column).toBeGreaterThanOrEqual(1);
      expect(e.message.length).toBeGreaterThan(3);
    }
    return { ok: false };
  }
  const events = expectedEvents(r.scenario);
  expect(Number.isFinite(events)).toBe(true);
  const s = small(r.scenario);
  let analytic: string | undefined;
  try {
    analytic = JSON.stringify(solveAnalytic(s));
  } catch (e) {
    if (!(e instanceof UnsupportedError)) throw e;
  }
  try {
    simulate(s, SHORT);
  } catch (e) {
    if (!(e instanceof UnsupportedError)) throw e;
  }
  const app = planApp(s);
  if (!app.ok) expect(app.issues.length).toBeGreaterThan(0);
  try {
    planFromScenario(s);
  } catch (e) {
    if (!(e instanceof PlanError)) throw e;
  }
  return { ok: true, analytic, events };
}

/** All numbers of a JSON text, sorted: the same model under other names gives the same multiset. */
function numbers(json: string | undefined): number[] {
  return [...(json ?? "").matchAll(/-?\d+(?:\.\d+)?(?:e[+-]?\d+)?/gi)].map((m) => Number(m[0])).sort((a, b) => a - b);
}

describe("prototype names in every name and enum position", () => {
  for (const f of files) {
    it(`${f.name}: one position at a time`, () => {
      const pos = positions(f.text);
      expect(pos.filter((p) => p.what === "name").length).toBeGreaterThan(2);
      expect(pos.filter((p) => p.what === "enum").length).toBeGreaterThan(0);
      const crashes: string[] = [];
      for (const p of pos) {
        for (const name of PROTO_NAMES) {
          const text = splice(f.text, [{ range: p.range, to: name }]);
          try {
            exercise(text, f.name);
          } catch (e) {
            crashes.push(`${p.at} (${p.what}) = ${name}: ${(e as Error).name}: ${(e as Error).message.split("\n")[0]}`);
          }
        }
      }
      expect(crashes).toEqual([]);
    });

    it(`${f.name}: every name renamed to a prototype name computes the same`, () => {
      const base = exercise(f.text, f.name);
      expect(base.ok).toBe(true);
      const names = [...new Set(positions(f.text).filter((p) => p.what === "name").map((p) => p.value))];
      const crashes: string[] = [];
      // a `<class>/revalidate` handler key is derived from its class's name: renamed with it
      for (const old of names.filter((n) => !n.endsWith("/revalidate"))) {
        for (const name of VALID_PROTO_NAMES) {
          if (names.includes(name)) continue;
          const all = positions(f.text).filter((p) => p.what === "name" && (p.value === old || p.value === `${old}/revalidate`))
            .map((p) => ({ ...p, to: p.value === old ? name : `${name}/revalidate` }));
          // plan keys are component.field
          const doc = parseDocument(f.text);
          const plan = doc.get("plan", true);
          const planEdits: Array<{ range: [number, number]; to: string }> = [];
          if (isMap(plan)) for (const pair of plan.items) {
            if (isScalar(pair.key) && typeof pair.key.value === "string" && pair.key.value.startsWith(`${old}.`) && pair.key.range) {
              planEdits.push({ range: [pair.key.range[0], pair.key.range[1]], to: `${name}${pair.key.value.slice(old.length)}` });
            }
          }
          const text = splice(f.text, [...all.map((p) => ({ range: p.range, to: p.to })), ...planEdits]);
          try {
            const r = exercise(text, f.name);
            if (!r.ok) { crashes.push(`${old} -> ${name}: refused: ${JSON.stringify((parseScenario(text, f.name) as { errors: unknown }).errors)}`); continue; }
            if (r.events !== base.events) crashes.push(`${old} -> ${name}: estimated events ${r.events} != ${base.events}`);
            const a = numbers(r.analytic), b = numbers(base.analytic);
            if (a.length !== b.length || a.some((x, i) => Math.abs(x - b[i]) > 1e-9 * Math.max(1, Math.abs(b[i])))) crashes.push(`${old} -> ${name}: analytic result differs`);
          } catch (e) {
            crashes.push(`${old} -> ${name}: ${(e as Error).name}: ${(e as Error).message.split("\n")[0]}`);
          }
        }
      }
      expect(crashes).toEqual([]);
    });
  }
});
