// `npm run fuzz -- --count 20000 --seed S`: the hostile corpus (hostile-corpus.ts) through the loader
// and a bounded simulation, each document in a child process (fuzz-worker.ts) that is killed when it
// runs past the timeout. Reports documents, crashes (an exception that is not a located error), hangs
// (past --timeout of the child's CPU time where /proc shows it, else of wall time; never more than
// 12 timeouts of wall time), and errors without file:line:column; the first offending documents are
// written to a temp dir, with findings.json, to reproduce. Exits 1 on any crash, hang or unlocated
// error. Other options: --workers N (default 2), --timeout MS (default 5000), --from I (first index),
// --show I (print document I, and on stderr how it ends in a child), --json. Each child's address space
// is capped (prlimit, 3 GB) so that a scenario asking for a huge allocation fails in the child.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { HostileCorpus, type BaseScenario, type HostileDocument, type Mutation } from "./hostile-corpus.ts";
import type { DocumentOutcome } from "./fuzz-worker.ts";

const repo = join(import.meta.dirname, "../../..");
const WORKER = join(import.meta.dirname, "fuzz-worker.ts");
const RUN_TS = join(repo, "bin/run-ts.mjs");
const ADDRESS_SPACE = 3_000_000_000;
const CLOCK_TICKS = 100; // USER_HZ on Linux

export interface FuzzOptions {
  readonly count: number;
  readonly seed: number;
  readonly from?: number;
  readonly workers?: number;
  readonly timeoutMs?: number;
  /** Write the first offending documents to a new temp dir (default true). */
  readonly save?: boolean;
  /** How many offending documents to save per class of finding (default 10). */
  readonly savePerKind?: number;
}

export interface Finding {
  readonly index: number;
  readonly base: string;
  readonly mutations: ReadonlyArray<Mutation>;
  readonly stage: string;
  readonly message: string;
  readonly chars: number;
}

export interface FuzzReport {
  readonly seed: number;
  readonly documents: number;
  readonly simulated: number;
  readonly refused: number;
  readonly crashes: ReadonlyArray<Finding>;
  readonly hangs: ReadonlyArray<Finding>;
  readonly unlocated: ReadonlyArray<Finding>;
  /** Documents per mutation kind (a document with two mutations counts for both). */
  readonly byMutation: Readonly<Record<string, number>>;
  readonly savedTo?: string;
  readonly seconds: number;
}

/** Every bundled scenario: scenarios/**\/*.yaml, sorted by path so the corpus is the same everywhere. */
export function bundledScenarios(): BaseScenario[] {
  const root = join(repo, "scenarios");
  const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? walk(join(dir, d.name)) : d.name.endsWith(".yaml") ? [join(dir, d.name)] : []);
  return walk(root).sort().map((f) => ({ name: relative(repo, f), text: readFileSync(f, "utf8") }));
}

/** Messages with their numbers and quoted names blanked: one class per kind of failure. */
export function crashClass(message: string): string {
  return message.replace(/\(at .*\)$/, "").replace(/'[^']*'|"[^"]*"/g, "'…'").replace(/\d+(\.\d+)?/g, "N").trim();
}

interface Worker {
  child: ChildProcess;
  ready: Promise<void>;
  stderr: string;
}

function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // fields from the 3rd on
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime, stime
  } catch {
    return undefined;
  }
}

function startWorker(): Worker {
  // No WebAssembly in the child: its memories reserve about 10 GB of address space each, more than
  // the cap (tsx then falls back to its JavaScript lexer).
  const node = ["--no-expose-wasm", "--max-old-space-size=1024", RUN_TS, WORKER];
  const limited = existsSync("/usr/bin/prlimit");
  const child = limited
    ? spawn("/usr/bin/prlimit", [`--as=${ADDRESS_SPACE}`, "--", process.execPath, ...node], { stdio: ["ignore", "ignore", "pipe", "ipc"], env: { ...process.env, HEADROOM_FUZZ_WORKER: "1" } })
    : spawn(process.execPath, node, { stdio: ["ignore", "ignore", "pipe", "ipc"], env: { ...process.env, HEADROOM_FUZZ_WORKER: "1" } });
  const w: Worker = { child, stderr: "", ready: Promise.resolve() };
  child.stderr!.on("data", (b: Buffer) => { w.stderr = (w.stderr + b.toString()).slice(-4000); });
  w.ready = new Promise((resolve, reject) => {
    const onMessage = (m: { ready?: boolean }) => { if (m.ready) { child.off("message", onMessage); resolve(); } };
    child.on("message", onMessage);
    child.once("exit", (code, signal) => reject(new Error(`fuzz worker exited before it was ready (${signal ?? code}): ${w.stderr.trim().split("\n").slice(-3).join(" | ")}`)));
  });
  return w;
}

function stopWorker(w: Worker): void {
  if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill("SIGKILL");
}

type Ending = { kind: "outcome"; outcome: DocumentOutcome } | { kind: "hang"; seconds: number } | { kind: "died"; message: string };

/** Sends one document to `w` and waits for its outcome, its death or the timeout. */
function runIn(w: Worker, doc: HostileDocument, timeoutMs: number): Promise<Ending> {
  return new Promise((resolve) => {
    const started = Date.now();
    const cpu0 = cpuSeconds(w.child.pid);
    const done = (e: Ending) => {
      clearInterval(timer);
      w.child.off("message", onMessage);
      w.child.off("exit", onExit);
      resolve(e);
    };
    const onMessage = (m: { index?: number; outcome?: DocumentOutcome }) => { if (m.index === doc.index && m.outcome) done({ kind: "outcome", outcome: m.outcome }); };
    const onExit = (code: number | null, signal: string | null) => {
      const tail = w.stderr.trim().split("\n").filter((l) => l.trim()).slice(-2).join(" | ");
      done({ kind: "died", message: `worker died (${signal ?? `exit ${code}`})${tail ? `: ${tail}` : ""}` });
    };
    const timer = setInterval(() => {
      const wall = Date.now() - started;
      if (wall < timeoutMs) return;
      const cpu = cpuSeconds(w.child.pid);
      const used = cpu !== undefined && cpu0 !== undefined ? (cpu - cpu0) * 1000 : wall;
      if (used >= timeoutMs || wall >= 12 * timeoutMs) done({ kind: "hang", seconds: wall / 1000 });
    }, 100);
    w.child.on("message", onMessage);
    w.child.once("exit", onExit);
    w.child.send({ index: doc.index, text: doc.text });
  });
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const t0 = Date.now();
  const corpus = new HostileCorpus(bundledScenarios(), o.seed);
  const from = o.from ?? 0;
  const timeoutMs = o.timeoutMs ?? 5000;
  const savePerKind = o.savePerKind ?? 10;
  let simulated = 0, refused = 0;
  const crashes: Finding[] = [], hangs: Finding[] = [], unlocated: Finding[] = [];
  const byMutation: Record<string, number> = {};
  const offending: Array<{ kind: string; doc: HostileDocument }> = [];
  let next = from;
  const end = from + o.count;

  const record = (doc: HostileDocument, e: Ending) => {
    for (const m of new Set(doc.mutations)) byMutation[m] = (byMutation[m] ?? 0) + 1;
    const finding = (stage: string, message: string): Finding => ({ index: doc.index, base: doc.base, mutations: doc.mutations, stage, message, chars: doc.text.length });
    let kind: string | undefined;
    if (e.kind === "hang") { hangs.push(finding("?", `no answer after ${e.seconds.toFixed(1)} s`)); kind = "hang"; }
    else if (e.kind === "died") { crashes.push(finding("?", e.message)); kind = "crash"; }
    else if (e.outcome.kind === "simulated") simulated++;
    else if (e.outcome.kind === "refused") refused++;
    else if (e.outcome.kind === "crash") { crashes.push(finding(e.outcome.stage, e.outcome.message)); kind = "crash"; }
    else { unlocated.push(finding(e.outcome.stage, e.outcome.message)); kind = "unlocated"; }
    if (kind && offending.filter((x) => x.kind === kind).length < savePerKind) offending.push({ kind, doc });
  };

  const lane = async () => {
    let w = startWorker();
    try {
      await w.ready;
      while (next < end) {
        const doc = corpus.document(next++);
        const ending = await runIn(w, doc, timeoutMs);
        record(doc, ending);
        if (ending.kind !== "outcome") { // a hung or dead worker is replaced
          stopWorker(w);
          w = startWorker();
          await w.ready;
        }
      }
    } finally {
      stopWorker(w);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.workers ?? 2) }, lane));

  let savedTo: string | undefined;
  if ((o.save ?? true) && offending.length > 0) {
    savedTo = mkdtempSync(join(tmpdir(), "headroom-fuzz-"));
    for (const { kind, doc } of offending) writeFileSync(join(savedTo, `${kind}-${doc.index}.yaml`), doc.text);
    writeFileSync(join(savedTo, "findings.json"), JSON.stringify({ seed: o.seed, crashes, hangs, unlocated }, null, 2));
  }
  const order = (a: Finding, b: Finding) => a.index - b.index;
  return {
    seed: o.seed, documents: o.count, simulated, refused,
    crashes: crashes.sort(order), hangs: hangs.sort(order), unlocated: unlocated.sort(order),
    byMutation, savedTo, seconds: (Date.now() - t0) / 1000,
  };
}

/** The distinct classes among findings, each with its count and its shortest document. */
export function classes(findings: ReadonlyArray<Finding>): Array<{ class: string; count: number; example: Finding }> {
  const by = new Map<string, { class: string; count: number; example: Finding }>();
  for (const f of findings) {
    const k = `${f.stage}: ${crashClass(f.message)}`;
    const c = by.get(k);
    if (!c) by.set(k, { class: k, count: 1, example: f });
    else { c.count++; if (f.chars < c.example.chars) c.example = f; }
  }
  return [...by.values()].sort((a, b) => b.count - a.count);
}

function printReport(r: FuzzReport): void {
  console.log(`seed ${r.seed}: ${r.documents} documents in ${r.seconds.toFixed(0)} s: ${r.simulated} simulated, ${r.refused} refused with located errors`);
  console.log(`crashes ${r.crashes.length}, hangs ${r.hangs.length}, errors without file:line:column ${r.unlocated.length}`);
  console.log(`mutations: ${Object.entries(r.byMutation).sort().map(([k, v]) => `${k} ${v}`).join(", ")}`);
  for (const [title, findings] of [["crashes", r.crashes], ["hangs", r.hangs], ["unlocated errors", r.unlocated]] as const) {
    if (findings.length === 0) continue;
    console.log(`\n${title} by class (count, shortest document: npm run fuzz -- --seed ${r.seed} --show INDEX):`);
    for (const c of classes(findings)) {
      console.log(`  ${String(c.count).padStart(5)}  ${c.class}\n         e.g. #${c.example.index} (${c.example.base}; ${c.example.mutations.join(" + ")}; ${c.example.chars} chars): ${c.example.message}`);
    }
  }
  if (r.savedTo) console.log(`\nthe first offending documents and findings.json are in ${r.savedTo}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      count: { type: "string", default: "1000" },
      seed: { type: "string", default: "1" },
      from: { type: "string", default: "0" },
      workers: { type: "string", default: "2" },
      timeout: { type: "string", default: "5000" },
      show: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log("usage: npm run fuzz -- [--count N] [--seed S] [--from I] [--workers N] [--timeout MS] [--show I] [--json]");
    return;
  }
  const int = (name: string, v: string, min: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: expected a whole number >= ${min}, got '${v}'`);
    return n;
  };
  const seed = int("seed", values.seed!, 0);
  if (values.show !== undefined) {
    const doc = new HostileCorpus(bundledScenarios(), seed).document(int("show", values.show, 0));
    console.log(`# document ${doc.index} of seed ${seed}: ${doc.base} with ${doc.mutations.join(" + ")}\n${doc.text}`);
    // In a child with the same limits as a run: a document may allocate without bound or hang.
    const w = startWorker();
    try {
      await w.ready;
      const ending = await runIn(w, doc, int("timeout", values.timeout!, 100));
      console.error(JSON.stringify(ending.kind === "outcome" ? ending.outcome : ending));
    } finally {
      stopWorker(w);
    }
    return;
  }
  const report = await runFuzz({
    count: int("count", values.count!, 1), seed, from: int("from", values.from!, 0),
    workers: int("workers", values.workers!, 1), timeoutMs: int("timeout", values.timeout!, 100),
  });
  if (values.json) console.log(JSON.stringify(report));
  else printReport(report);
  process.exitCode = report.crashes.length + report.hangs.length + report.unlocated.length > 0 ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exitCode = 2;
  });
}
