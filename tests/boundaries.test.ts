// The repository's import boundaries, as a test (the simulator's Node purity test, extended):
// - the simulator core imports nothing from Node (it runs in the dashboard's Web Worker);
// - the k6 scripts import only k6 modules, each other and simulator/random.ts (they are bundled
//   into what stock k6 runs: the scenario parser and Effect must not come along);
// - each top-level folder imports only the folders its row of LAYERS names, so the folders form
//   no cycle (checked on the table itself, of which the real imports are a subset);
// - another folder is imported only through its public entry points (PUBLIC); the imports that
//   reach past them are listed one by one in EXCEPTIONS with the reason, and an exception that no
//   import uses any more fails the test, so the list only shrinks.
// Test code (tests, test helpers, benchmarks, fuzzers) follows the same table plus TEST_EXTRA, and
// code that ships imports none of it.
// Imports are read with a regular expression over the source (static, dynamic and type-only
// alike): a specifier built at run time is not seen, and none is used across folders.
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative, sep } from "node:path";
import { builtinModules } from "node:module";

const ROOT = join(import.meta.dirname, "..");

/** Folders each folder's own (non-test) code may import, from the bottom of the stack up. */
const LAYERS: Record<string, readonly string[]> = {
  simulator: [],
  shared: ["simulator"],
  k6: ["simulator", "shared"],
  "reference-app": ["simulator", "shared"],
  fit: ["simulator", "shared", "reference-app"],
  planning: ["simulator", "shared"],
  distributed: ["simulator", "shared", "planning"],
  sweep: ["simulator", "shared", "planning"],
  validation: ["simulator", "shared", "k6", "reference-app", "planning"],
  dashboard: ["simulator", "planning", "validation", "sweep", "scenarios"],
  cli: ["simulator", "shared", "k6", "reference-app", "fit", "planning", "distributed", "sweep", "validation", "dashboard"],
  bin: ["cli"],
  scenarios: [],
  tests: ["*"],
};

/**
 * A folder's public entry points: what other folders may import. "*" = every module (a folder of
 * parts with no single front yet; a narrower list is welcome).
 */
const PUBLIC: Record<string, readonly string[] | "*"> = {
  // the whole simulator; the model alone (no engine); the analytic solver; the browser-safe random
  // parts; the one percentile of a sample; the tests' scenarioOf (simulator/testing.ts)
  simulator: ["simulator/index.ts", "simulator/model/index.ts", "simulator/analytic/index.ts", "simulator/random.ts", "simulator/percentile.ts", "simulator/testing.ts"],
  shared: "*",
  k6: "*",
  "reference-app": "*",
  fit: "*",
  planning: "*",
  distributed: "*",
  sweep: "*",
  validation: "*",
  dashboard: "*",
  cli: ["cli/main.ts"],
  scenarios: "*",
};

/** What test code may import beyond its folder's row: the CLI's entry, to drive a command end to end. */
// cli/main.ts: tests drive the CLI; bin/cli-bundle.mjs: the test setups build the compiled CLI once
const TEST_EXTRA: readonly string[] = ["cli/main.ts", "bin/cli-bundle.mjs"];

/** Imports allowed past the rules above, each with its reason. `from` and `to` are repo paths. */
const EXCEPTIONS: ReadonlyArray<{ from: string; to: string; why: string }> = [
  { from: "reference-app/plan.test.ts", to: "simulator/engine/program.ts", why: "the test compares the app's plan with the compiled Program the engine runs (health checks, pools): the compiled form is not public" },
  { from: "reference-app/parts/link-relay.ts", to: "simulator/engine/links.ts", why: "a realized link is the model's own processor-sharing server (LinkRuntime) run on the real clock, so the app's transfers end when the model's would" },
  { from: "reference-app/redis-eviction.e2e.test.ts", to: "simulator/engine/lru.ts", why: "compares Redis's eviction with the engine's exact LRU itself, not through a run" },
  { from: "reference-app/redis-eviction.e2e.test.ts", to: "simulator/engine/sampled-lru.ts", why: "compares Redis's sampled eviction with the engine's model of it" },
  { from: "cli/tests/capacity/commands.test.ts", to: "simulator/tests/helpers.ts", why: "the Erlang C closed form the capacity search is checked against" },
  { from: "distributed/distributed.dist.test.ts", to: "cli/tests/capacity/test-support.ts", why: "the capacity tests' M/M/1 station, so both suites plan the same model" },
  { from: "distributed/distributed.dist.test.ts", to: "sweep/sweep.ts", why: "a sweep is one of the batches the queue must run byte-identically" },
  { from: "distributed/distributed.dist.test.ts", to: "sweep/design.ts", why: "as above: the sweep's points" },
  { from: "distributed/bench.ts", to: "sweep/sweep.ts", why: "the benchmark times a sweep on the queue" },
  { from: "distributed/bench.ts", to: "sweep/design.ts", why: "as above: the sweep's points" },
  { from: "sweep/sweep.test.ts", to: "distributed/runner.ts", why: "runs a sweep on local threads and serially to compare the bytes" },
  { from: "validation/compare-k6.test.ts", to: "dashboard/src/validation-file.ts", why: "the dashboard must read the report compare writes" },
  { from: "fit/fit-loop.e2e.test.ts", to: "validation/run.ts", why: "validates the fitted model at rates it was not fitted at, as `headroom validate` does" },
  { from: "fit/fit-loop.e2e.test.ts", to: "validation/levels.ts", why: "as above: the level's rate, given to the original scenario's app" },
  { from: "fit/fit-loop.e2e.test.ts", to: "validation/measure.ts", why: "as above: measures the app of the original YAML while the fitted one is the model" },
  { from: "fit/fit-loop.e2e.test.ts", to: "validation/report.ts", why: "as above: prints the report" },
  { from: "simulator/tests/model/prototype-names.test.ts", to: "k6/plan.ts", why: "prototype-named components must survive every reader of the model, the k6 plan included" },
  { from: "simulator/tests/model/prototype-names.test.ts", to: "reference-app/plan.ts", why: "as above: the reference app's plan" },
  { from: "k6/runner/https.test.ts", to: "reference-app/parts/tls-cert.ts", why: "the runner's https is tested against a certificate made as the app makes its own (a CA of the run's, 127.0.0.1 only)" },
  { from: "reference-app/tls.e2e.test.ts", to: "k6/harness.ts", why: "drives the app's TLS balancer with the built-in runner to read k6's tls_handshaking as a user would" },
];

const SKIP_DIRS = new Set(["node_modules", "dist", "artifacts", ".git"]);
const SOURCE = /\.(ts|tsx|mts|mjs|js)$/;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (SKIP_DIRS.has(name) || name.startsWith(".")) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (SOURCE.test(name) && !name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

const isTest = (file: string): boolean =>
  /\.(test|spec)\.tsx?$/.test(file) || /(^|\/)(tests|testing|fuzz|bench)\//.test(file) ||
  /(^|\/)(test-support|testing|bench)\.ts$/.test(file) || /(^|\/)vitest[^/]*\.config\.ts$/.test(file);

interface Import { from: string; spec: string; to: string | null }

/** Every import in a file: to = the repo path a relative specifier names, null for a package. */
function importsOf(file: string): Import[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  const out: Import[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)["']([^"']+)["']/g;
  for (const m of text.matchAll(re)) {
    const spec = m[1];
    const path = spec.replace(/\?.*$/, "");
    out.push({ from: file, spec, to: spec.startsWith(".") ? normalize(join(dirname(file), path)).split(sep).join("/") : null });
  }
  return out;
}

const top = (path: string): string => path.split("/")[0];

const files = sources(ROOT).map((f) => relative(ROOT, f).split(sep).join("/")).filter((f) => f.includes("/"));
const imports = files.flatMap(importsOf);
const crossing = imports.filter((i) => i.to !== null && top(i.to) !== top(i.from));

function allowed(i: Import): string | null {
  const from = top(i.from), to = top(i.to!);
  const test = isTest(i.from);
  if (test && TEST_EXTRA.includes(i.to!)) return null;
  const row = LAYERS[from];
  if (!row) return `${from}/ is not in the LAYERS table`;
  if (!row.includes("*") && !row.includes(to)) return `${from}/ may not import ${to}/`;
  const pub = PUBLIC[to];
  if (pub !== undefined && pub !== "*" && !pub.includes(i.to!)) return `${i.to} is not a public entry of ${to}/ (${pub.join(", ")})`;
  return null;
}

describe("import boundaries", () => {
  it("finds the repository's sources", () => {
    expect(files.length).toBeGreaterThan(300);
    expect(crossing.length).toBeGreaterThan(100);
  });

  it("the simulator core imports nothing from Node", () => {
    const builtins = new Set(builtinModules);
    const offenders: string[] = [];
    const core = files.filter((f) => top(f) === "simulator" && !isTest(f));
    expect(core.length).toBeGreaterThan(10);
    for (const f of core) {
      for (const i of importsOf(f)) {
        if (i.spec.startsWith("node:") || builtins.has(i.spec.split("/")[0])) offenders.push(`${f}: ${i.spec}`);
      }
      if (/\bprocess\.|\bBuffer\./.test(readFileSync(join(ROOT, f), "utf8"))) offenders.push(`${f}: uses process or Buffer`);
    }
    expect(offenders).toEqual([]);
  });

  it("the k6 scripts import only k6, each other and simulator/random.ts (what a bundle for stock k6 can hold)", () => {
    const offenders = imports
      .filter((i) => i.from.startsWith("k6/scripts/") && !isTest(i.from))
      .filter((i) => (i.to === null ? !/^k6(\/|$)/.test(i.spec) && i.spec !== "headroom:config" : !i.to.startsWith("k6/scripts/") && i.to !== "simulator/random.ts"))
      .map((i) => `${i.from}: ${i.spec}`);
    expect(offenders).toEqual([]);
  });

  it("code that ships imports no test support (simulator/testing.ts is public for tests only)", () => {
    const offenders = imports.filter((i) => i.to !== null && !isTest(i.from) && isTest(i.to)).map((i) => `${i.from}: ${i.spec}`);
    expect(imports.some((i) => i.to === "simulator/testing.ts" && isTest(i.from))).toBe(true);
    expect(offenders).toEqual([]);
  });

  it("the LAYERS table has no cycle, so neither do the folders", () => {
    const state = new Map<string, "open" | "done">();
    const cycles: string[] = [];
    const visit = (f: string, path: string[]): void => {
      if (state.get(f) === "done") return;
      if (state.get(f) === "open") { cycles.push([...path, f].join(" -> ")); return; }
      state.set(f, "open");
      for (const g of LAYERS[f] ?? []) if (g !== "*") visit(g, [...path, f]);
      state.set(f, "done");
    };
    for (const f of Object.keys(LAYERS)) visit(f, []);
    expect(cycles).toEqual([]);
  });

  it("every import across folders follows LAYERS and PUBLIC, or is a listed exception", () => {
    const excepted = new Set(EXCEPTIONS.map((e) => `${e.from} -> ${e.to}`));
    const offenders = crossing
      .map((i) => ({ i, why: allowed(i) }))
      .filter(({ i, why }) => why !== null && !excepted.has(`${i.from} -> ${i.to}`))
      .map(({ i, why }) => `${i.from}: '${i.spec}': ${why}`);
    expect(offenders).toEqual([]);
  });

  it("every listed exception is still needed (the list only shrinks)", () => {
    const stale = EXCEPTIONS.filter((e) => !crossing.some((i) => i.from === e.from && i.to === e.to && allowed(i) !== null));
    expect(stale.map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
    for (const e of EXCEPTIONS) expect(e.why.length).toBeGreaterThan(10);
  });
});
