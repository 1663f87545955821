// `headroom app`: starts the reference app of a scenario in the foreground (`up`), or only checks
// that it could (`check`: plan + installed parts, nothing started). Ctrl-C or SIGTERM stops it all.
import { Effect, Exit, Fiber, Cause } from "effect";
import { resolve } from "node:path";
import type { Command } from "./index.ts";
import { UsageError } from "../../shared/errors.ts";
import { loadScenarioFile } from "../../shared/load-scenario.ts";
import { startApp, type RunningApp } from "../../reference-app/launcher.ts";
import { planApp } from "../../reference-app/plan.ts";
import { preflight } from "../../reference-app/preflight.ts";
import { portInRange } from "../../reference-app/resources.ts";
import { regionReport } from "../../reference-app/regions/check.ts";
import type { AppError } from "../../reference-app/errors.ts";
import { largestFittingScale, SCALE_LADDER, scaleSummary } from "../../reference-app/scale-down.ts";
import { scaleSystem } from "../../simulator/analytic/index.ts";
import type { Scenario } from "../../simulator/index.ts";
import { firstRequest } from "../../reference-app/first-request.ts";
import { followFailures } from "../../reference-app/fault-schedule.ts";
import { fitsMachine, footprint, largestMachineScale, MACHINE_LADDER, shortfall, thisMachine } from "../../reference-app/machine-fit.ts";

/**
 * What this machine lacks for the scenario's app at its nominal load (machine-fit.ts), one line
 * each, and the largest --scale at which it would fit; no lines when it fits.
 */
function machineReport(file: string, scenario: Scenario, scale: number | undefined, structural: boolean): string[] {
  const m = thisMachine();
  let missing: string[];
  try {
    missing = shortfall(footprint(scenario), m);
  } catch (e) {
    // no estimate (the analytic solver cannot read the model): say so, refuse nothing on its account
    return [`${file}: machine: not estimated (${e instanceof Error ? e.message : String(e)})`];
  }
  if (missing.length === 0) return [];
  const lines = missing.map((x) => `${file}: machine: ${x}`);
  const f = largestMachineScale(scenario, m);
  const of = scale !== undefined ? ` of --scale ${scale}` : "";
  const then = structural ? " once the parts above are realized" : "";
  lines.push(
    f !== undefined
      ? `${file}: machine: its cores and memory fit scaled down by ${+((scale ?? 1) * f).toPrecision(3)}${then} (headroom app check ${file} --scale ${+((scale ?? 1) * f).toPrecision(3)}; the largest of ${MACHINE_LADDER.join(", ")}${of} that fits; same components, fewer replicas, lower rates: headroom app --help)`
      : `${file}: machine: no scale-down down to ${MACHINE_LADDER[MACHINE_LADDER.length - 1]}${of} fits its cores and memory`,
  );
  return lines;
}

const HELP = `usage: headroom app up <file.yaml> [--run-dir DIR] [--seed N] [--ports FROM-TO] [--traces FILE] [--scale F] [--no-failures]
       headroom app check <file.yaml> [--scale F]

up     Starts the scenario's real system on 127.0.0.1 (HAProxy, Node service replicas, Redis,
       PostgreSQL primary + streaming replicas, RabbitMQ queue + workers, nginx, a dispatcher per
       function forking Node instances on demand; a resilience gateway running the users'
       retries and circuit breaker when the entry service has them), prints its
       endpoints and the admin token, and runs until Ctrl-C or SIGTERM, then stops everything.
check  Says whether the reference app can realize the scenario here, starting nothing. Where
       only this machine's limits stand in the way (open files; cores and memory at the nominal
       load, estimated from measured costs per visit and per process: docs/reference-app.md), it
       names the shortfall and the largest --scale that fits; \`up\` refuses such a system too.

With regions: every part stays on 127.0.0.1; each call crossing between regions (to a service or
balancer; a connection to a cache, database server or queue broker) goes through a delaying relay
holding each chunk for the YAML's one-way latency, each way; each origin region's
users get their own entry URL (a geo router: their region's entry first, the next nearest when it
is down); a CDN is one nginx cache with a server per origin region, each sending its misses to
that region's geo router. \`check\` says how each latency is realized.

options:
  --run-dir DIR   keep logs, run.json and timeseries.jsonl in DIR (default: a temp dir, removed at exit)
  --seed N        seed of the injected service times (default: the scenario's seed)
  --ports FROM-TO take every TCP port of the run from this range of 127.0.0.1 (default: any free
                  ephemeral port); too few free ones fails before anything starts (exit 2)
  --traces FILE   the replicas and workers export OpenTelemetry traces (http, pg, ioredis, amqplib)
                  over OTLP/HTTP to a receiver on 127.0.0.1 that appends them to FILE as OTLP/JSON
                  lines (what headroom fit reads); default: no tracing
  --scale F       run the system scaled down by F (0 < F <= 1), keeping its shape: every load rate
                  (and realtime session rate) times F, and each service's replicas (and auto-scaler
                  min/max), station's servers, unpartitioned queue's workers and realtime
                  instances ceil(n x F), at least 1; caches, databases, partitions, slots, timeouts
                  and the SLO unchanged (simulate the same scaled system to compare: docs/reference-app.md)
  --no-failures   do not inject the YAML's scheduled \`failures:\` (by default \`up\` injects each at its
                  time from t = 0, the first request HAProxy counts, or the moment the app is ready
                  when it has no balancer: a crash kills a replica, \`lose\` restarts Redis empty,
                  \`fail_primary\` kills the primary and promotes a replica, a region goes down; each
                  logged to stderr). The admin API's faults work either way

Needs haproxy, nginx, redis-server and PostgreSQL server binaries, and pgbouncer where a
database's max_connections can bind (Debian/Ubuntu:
  sudo apt-get install -y haproxy nginx redis-server postgresql pgbouncer rabbitmq-server)
and a RabbitMQ broker on 127.0.0.1:5672 or AMQP_URL. See docs/reference-app.md.`;

interface Args {
  sub: "up" | "check";
  file: string;
  runDir?: string;
  seed?: number;
  ports?: readonly [number, number];
  traces?: string;
  scale?: number;
  failures: boolean;
}

function parseArgs(argv: string[]): Args | "help" {
  if (argv.includes("--help") || argv.includes("-h")) return "help";
  const [sub, ...rest] = argv;
  if (sub !== "up" && sub !== "check") throw new UsageError(`headroom app: expected 'up' or 'check', got ${sub ? `'${sub}'` : "nothing"}\n${HELP}`);
  let file: string | undefined;
  let runDir: string | undefined;
  let seed: number | undefined;
  let ports: Args["ports"];
  let traces: string | undefined;
  let scale: number | undefined;
  let failures = true;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === "--no-failures") failures = false;
    else if (a === "--run-dir" || a === "--seed" || a === "--ports" || a === "--traces" || a === "--scale") {
      const v = rest[++i];
      if (v === undefined) throw new UsageError(`headroom app: ${a} needs a value`);
      if (a === "--run-dir") runDir = resolve(v);
      else if (a === "--scale") {
        scale = Number(v);
        if (!(scale > 0 && scale <= 1)) throw new UsageError(`headroom app: --scale must be a number in (0, 1], got '${v}'`);
      }
      else if (a === "--traces") traces = resolve(v);
      else if (a === "--ports") {
        const m = /^(\d+)-(\d+)$/.exec(v);
        const [from, to] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
        if (!(from >= 1 && from <= to && to <= 65535)) throw new UsageError(`headroom app: --ports must be FROM-TO with 1 <= FROM <= TO <= 65535, got '${v}'`);
        ports = [from, to];
      } else {
        seed = Number(v);
        if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`headroom app: --seed must be a non-negative integer, got '${v}'`);
      }
    } else if (a.startsWith("-")) throw new UsageError(`headroom app: unknown option '${a}'\n${HELP}`);
    else if (file === undefined) file = a;
    else throw new UsageError(`headroom app: one scenario file expected, got '${file}' and '${a}'`);
  }
  if (!file) throw new UsageError(`headroom app ${sub}: a scenario file is required\n${HELP}`);
  return { sub, file, runDir, seed, ports, traces, scale, failures };
}

function describe(app: RunningApp): string {
  const width = Math.max(11, ...app.plan.classes.map((c) => c.name.length + 1));
  const lines = [
    `reference app '${app.plan.name}' is ready (run ${app.runId})`,
    `  entry:      ${app.url}${app.cdnUrl ? `   (CDN: ${app.cdnUrl})` : ""}`,
    ...(app.resilienceGateway ? [`  gateway:    ${app.resilienceGateway.metricsUrl}   (${app.plan.service.name}'s retries and breaker, run for all users in front of ${app.resilienceGateway.upstream})`] : []),
    ...(app.caFile ? [`  trust:      ${app.caFile}   (the run's CA, the one root to trust: curl --cacert FILE, k6 SSL_CERT_FILE=FILE)`] : []),
    ...app.plan.classes.map((c) => `  ${(c.name + ":").padEnd(width)} ${c.method} ${app.classUrl[c.name]}${c.path}`),
    // with regions: each origin region's users enter through their own geo router
    ...Object.entries(app.regions?.originUrls ?? {}).map(([r, u]) => `  users in ${r}: ${u}   (share ${app.plan.regions!.origins.find((o) => o.region === r)!.share.toFixed(3)}; nearest healthy region first${app.regions?.cdnUrls?.[r] ? `; CDN: ${app.regions.cdnUrls[r]}` : ""})`),
    ...(app.realtime ? [`  ${(app.realtime.name + ":").padEnd(width)} WebSocket ${app.realtime.url}?channel=N   (metrics: ${app.realtime.metricsUrls.join(" ")})`] : []),
    `  admin:      ${app.adminUrl}   token: ${app.token}`,
    `              e.g. curl -H 'Authorization: Bearer ${app.token}' ${app.adminUrl}/status   (faults: docs/reference-app.md)`,
    `  metrics:    ${[...app.metricsUrls, ...Object.values(app.functions).map((f) => f.metricsUrl)].join(" ")}`,
    `  run dir:    ${app.runDir} (logs/, run.json, timeseries.jsonl)`,
    "Press Ctrl-C to stop everything.",
  ];
  return lines.join("\n") + "\n";
}

/** The YAML's failures, injected from the load's t = 0 (HAProxy's first request; without a balancer, now); cancelled when the app stops. */
const followFromFirstRequest = (app: RunningApp, scenario: Scenario) =>
  Effect.gen(function* () {
    const log = (line: string) => process.stderr.write(`  ${line}\n`);
    const watch = { done: false };
    let cancel = () => {};
    yield* Effect.addFinalizer(() => Effect.sync(() => { watch.done = true; cancel(); }));
    const socket = app.haproxyStatsSocket;
    log(`failures: the YAML's ${(scenario.failures ?? []).length} scheduled failure(s) follow from t = 0: ${socket ? "the first request HAProxy counts" : "now (no balancer to count the first request)"} (--no-failures: none)`);
    const start = socket ? firstRequest(socket, watch) : Promise.resolve(Date.now());
    void start.then((t) => {
      if (watch.done || !Number.isFinite(t)) return;
      log(`failures: t = 0 at ${new Date(t).toISOString()}`);
      try {
        cancel = followFailures(app, scenario, t, log);
      } catch (e) {
        log(`failures not injected: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
  });

function failureMessage(cause: Cause.Cause<AppError>): { text: string; code: number } {
  const failure = Cause.failureOption(cause);
  if (failure._tag === "Some") {
    const e = failure.value;
    // What the user must change before a start can work: the scenario, the machine, the ports.
    const input = e._tag === "Unrealizable" || e._tag === "MissingPart" || e._tag === "PortsExhausted";
    return { text: e.message, code: input ? 2 : 1 };
  }
  return { text: `headroom app: internal error: ${Cause.pretty(cause)}`, code: 1 };
}

export const appCommand: Command = {
  summary: "start the scenario's reference app (real HAProxy, Node, Redis, PostgreSQL, RabbitMQ)",
  async run(argv) {
    const args = parseArgs(argv);
    if (args === "help") {
      process.stdout.write(HELP + "\n");
      return 0;
    }
    const loaded = await loadScenarioFile(args.file);
    const scenario = args.scale !== undefined ? scaleSystem(loaded, args.scale) : loaded;
    if (args.sub === "check") {
      const planned = planApp(scenario);
      // Regions: how each latency is realized (the delaying relay) and what would keep it from running.
      const regions = await regionReport(scenario);
      for (const l of regions.latency) process.stderr.write(`${args.file}: ${l.field}: realized by ${l.how}\n`);
      const issues = [...(planned.ok ? [] : planned.issues), ...regions.issues];
      const machine = machineReport(args.file, scenario, args.scale, issues.length > 0);
      const shortOfMachine = machine.some((l) => !l.includes("not estimated"));
      const hint = async () => {
        const f = await largestFittingScale(scenario, undefined, (x) => fitsMachine(x, thisMachine()));
        if (f !== undefined) process.stderr.write(`${args.file}: it fits this machine scaled down: headroom app check ${args.file} --scale ${+((args.scale ?? 1) * f).toPrecision(3)} (the largest of ${SCALE_LADDER.join(", ")}${args.scale !== undefined ? ` of --scale ${args.scale}` : ""} that passes; what it changes: headroom app --help)\n`);
      };
      if (issues.length > 0) {
        process.stderr.write(issues.map((i) => `${args.file}: ${i.field}: ${i.reason}`).join("\n") + "\n");
        if (machine.length) process.stderr.write(machine.join("\n") + "\n");
        await hint();
        return 2;
      }
      if (machine.length) process.stderr.write(machine.join("\n") + "\n");
      if (shortOfMachine) return 2;
      if (!planned.ok) return 2;
      const exit = await Effect.runPromiseExit(preflight(planned.plan));
      if (Exit.isFailure(exit)) {
        process.stderr.write(failureMessage(exit.cause).text + "\n");
        await hint();
        return 2;
      }
      process.stdout.write(`${args.file}: the reference app can start this scenario here\n`);
      return 0;
    }

    // A system this machine cannot hold is refused before anything starts (exit 2), as check does.
    const machine = machineReport(args.file, scenario, args.scale, false);
    if (machine.some((l) => !l.includes("not estimated"))) {
      process.stderr.write(machine.join("\n") + "\n");
      return 2;
    }
    const program = Effect.scoped(
      Effect.gen(function* () {
        if (args.scale !== undefined) process.stderr.write(`  scaled down by ${args.scale}: ${scaleSummary(loaded, scenario)}\n`);
        const running = yield* startApp(scenario, {
          file: args.file,
          runDir: args.runDir,
          seed: args.seed,
          ports: args.ports ? portInRange(...args.ports) : undefined,
          traces: args.traces,
          onProgress: (p) => process.stderr.write(`  started ${p}\n`),
        });
        process.stdout.write(describe(running));
        const scheduled = (scenario.failures ?? []).length;
        if (scheduled > 0 && args.failures) yield* followFromFirstRequest(running, scenario);
        else if (scheduled > 0) process.stderr.write(`  --no-failures: the YAML's ${scheduled} scheduled failure(s) are not injected\n`);
        return yield* Effect.never;
      }),
    );
    const fiber = Effect.runFork(program);
    let signals = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      signals++;
      if (signals === 1) {
        process.stderr.write(`\n${sig}: stopping every part of the reference app...\n`);
        Effect.runFork(Fiber.interrupt(fiber));
      } else process.stderr.write("still stopping (processes get up to 10 s each)...\n");
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    const exit = await Effect.runPromise(Fiber.await(fiber));
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    if (Exit.isSuccess(exit) || Cause.isInterruptedOnly(exit.cause)) {
      process.stderr.write("reference app stopped; nothing left running\n");
      return 0;
    }
    const { text, code } = failureMessage(exit.cause);
    process.stderr.write(text + "\n");
    return code;
  },
};
