// Checks a schema cannot express: references between components, probabilities that must add to 1,
// routing cycles without an exit, call cycles, load sections that contradict themselves, and (as
// warnings) stations that the offered load makes unstable. They also run on the parts of a file
// that decoded when other parts did not, so a file's problems are all reported at once.
import { BROWSER_MAX_ENTRIES, type Scenario, type Step } from "./schema.ts";
import { meanOf } from "./dist-moments.ts";
import { peakRate, visitRatios } from "./traffic.ts";
import { latencyBetween, regionNames } from "./regions.ts";
import { own, hasOwn } from "./own.ts";
import { payloadProblems } from "./payload.ts";
import { PRIMARY_KEY } from "./table.ts";

export interface Problem {
  readonly path: ReadonlyArray<PropertyKey>;
  readonly message: string;
}

const EPS = 1e-9;

/** Connection slots (instances x max_connections) a realtime component may have: the engine packs a session's id into an event argument (components/realtime MAX_SESSIONS). */
const REALTIME_SLOTS = 1 << 23;
/** channels.count x instances of a realtime component: the subscriber counts it keeps per channel and instance (4 bytes each). */
const REALTIME_CHANNEL_CELLS = 20_000_000;

/**
 * What a partly decoded file lacks (parse.ts builds the scenario from the parts that decoded):
 * references to names written in the file whose definitions failed are not errors (the schema
 * already reported them), and checks reading a section that failed are skipped.
 */
export interface Undecoded {
  /** Components and geo routes written in the file whose definitions did not decode. */
  readonly names: ReadonlySet<string>;
  /** Request classes written in the file that did not decode. */
  readonly classes: ReadonlySet<string>;
  readonly sections: ReadonlySet<"simulation" | "load" | "classes" | "regions">;
}

const NOTHING_UNDECODED: Undecoded = { names: new Set(), classes: new Set(), sections: new Set() };

export function checkScenario(s: Scenario, undecoded: Undecoded = NOTHING_UNDECODED): { errors: Problem[]; warnings: Problem[] } {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const partial = undecoded !== NOTHING_UNDECODED;
  const err = (path: ReadonlyArray<PropertyKey>, message: string) => errors.push({ path, message });
  // A name that is neither defined nor reported already by the schema stage.
  const missing = (name: string) => !undecoded.names.has(name);
  const comps = s.components;
  const names = Object.keys(comps);
  const known = `known components: ${names.join(", ")}`;
  const regions = regionNames(s);
  const geoNames = s.geo ? `; geo routes: ${Object.keys(s.geo).join(", ")}` : "";
  const knownRegions = regions.length > 0 ? `regions: ${regions.join(", ")}` : "the scenario has no `regions:` section";

  // simulation
  const sim = s.simulation;
  if (!undecoded.sections.has("simulation") && sim.duration !== undefined && sim.warmup !== undefined && sim.warmup >= sim.duration) {
    err(["simulation", "warmup"], `warmup (${sim.warmup}s) must be shorter than duration (${sim.duration}s)`);
  }

  // load
  const load = s.load;
  if (undecoded.sections.has("load")) {
    // the load's shape did not decode; its classes (those that did) are still checked below
  } else if (load.model === "open") {
    if (load.rate === undefined && load.stages === undefined) err(["load"], "an open load needs `rate` or `stages`");
    if (load.rate !== undefined && load.stages !== undefined) err(["load", "rate"], "give either `rate` or `stages`, not both");
    load.stages?.forEach((st, i) => {
      const p = ["load", "stages", i];
      if (st.shape === "sine") {
        for (const f of ["min", "max", "period"] as const) if (st[f] === undefined) err(p, `a sine stage needs \`${f}\``);
        if (st.min !== undefined && st.max !== undefined && st.min > st.max) err([...p, "min"], "min must not exceed max");
        if (st.target !== undefined) err([...p, "target"], "a sine stage has min and max, not target");
      } else {
        if (st.target === undefined) err(p, `a ${st.shape} stage needs \`target\``);
        for (const f of ["min", "max", "period", "peak"] as const) if (st[f] !== undefined) err([...p, f], `\`${f}\` belongs to sine stages only`);
      }
    });
  } else {
    if (load.users === undefined && load.stages === undefined) err(["load"], "a closed load needs `users` or `stages`");
    if (load.users !== undefined && load.stages !== undefined) err(["load", "users"], "give either `users` or `stages`, not both");
  }

  // Per database, the columns its reads look rows up by (`by`, default the primary key).
  const queried = new Map<string, Set<string>>();

  // flows of request classes
  for (const [cls, def] of Object.entries(load.classes)) {
    checkFlow(def.flow, ["load", "classes", cls, "flow"]);
    const bc = def.browser_cache;
    if (bc) {
      const p = ["load", "classes", cls, "browser_cache"];
      if (bc.revalidate) {
        if (!bc.etag) err([...p, "revalidate"], "without an ETag (etag: false) a stale response is fetched anew: there is nothing to revalidate");
        checkFlow(bc.revalidate, [...p, "revalidate"]);
      }
      if (!undecoded.sections.has("load")) {
        const users = load.model === "open" ? load.population : Math.max(load.users ?? 0, load.start_users, ...(load.stages ?? []).map((st) => st.target));
        if (users === undefined) err(["load"], `class '${cls}' has a browser_cache: an open load needs \`population\`, the users its arrivals come from (each arrival is one of them at random)`);
        else if (users * (def.keys?.count ?? 1) > BROWSER_MAX_ENTRIES) {
          err(p, `${users} users x ${def.keys?.count ?? 1} keys is ${users * (def.keys?.count ?? 1)} browser-cache entries, above the ${BROWSER_MAX_ENTRIES / 1e6}M a run keeps (see Limits)`);
        }
      }
    }
    if (def.http?.path.includes("{key}") && !def.keys) err(["load", "classes", cls, "http", "path"], "a path with {key} needs `keys` on the class");
  }

  function checkQueryBy(step: Extract<Step, { call: string }>, c: Scenario["components"][string], p: ReadonlyArray<PropertyKey>): void {
    if (c.kind !== "database") err([...p, "by"], `\`by\` names the column a database read looks rows up by; '${step.call}' is a ${c.kind}`);
    else if (step.op === "write") err([...p, "by"], "`by` is for reads: a write adds a row (table.growth)");
    else if (!c.table && step.by !== PRIMARY_KEY) err([...p, "by"], `'${step.call}' has no \`table:\`: add table: { rows: ..., indexes: [${step.by}] } to model reads by ${step.by}`);
  }

  function checkFlow(flow: ReadonlyArray<Step>, path: ReadonlyArray<PropertyKey>): void {
    flow.forEach((step, i) => {
      const p = [...path, i];
      if ("visit" in step) {
        const c = own(comps, step.visit);
        if (!c) { if (missing(step.visit)) err([...p, "visit"], `no component named '${step.visit}' (${known})`); }
        else if (c.kind !== "station") err([...p, "visit"], `'${step.visit}' is a ${c.kind}; visit takes a station (use call: for ${c.kind}s)`);
      } else if ("branch" in step) {
        const sum = step.branch.reduce((a, b) => a + b.p, 0);
        if (Math.abs(sum - 1) > EPS) err([...p, "branch"], `branch probabilities must add to 1, they add to ${round(sum)}`);
        step.branch.forEach((b, j) => checkFlow(b.flow, [...p, "branch", j, "flow"]));
      } else if ("call" in step) {
        const c = own(comps, step.call);
        if (!c && own(s.geo, step.call)) {
          if (step.hit || step.miss) err([...p, "call"], "hit/miss branches need a cache");
          return;
        }
        if (!c) { if (missing(step.call)) err([...p, "call"], `no component named '${step.call}' (${known}${geoNames})`); }
        else if (c.kind === "station") err([...p, "call"], `'${step.call}' is a station; use visit: for stations`);
        else if (c.kind === "realtime" && step.op !== undefined) err([...p, "op"], `a call to realtime '${step.call}' publishes a message to one of its channels; \`op\` does not apply`);
        if (step.hit) checkFlow(step.hit, [...p, "hit"]);
        if (step.miss) checkFlow(step.miss, [...p, "miss"]);
        if ((step.hit || step.miss) && c && c.kind !== "cache") err([...p, "call"], "hit/miss branches need a cache");
        if (step.by !== undefined && c) checkQueryBy(step, c, p);
        if (c?.kind === "database" && step.op !== "write") {
          const cols = queried.get(step.call) ?? new Set<string>();
          cols.add(step.by ?? PRIMARY_KEY);
          queried.set(step.call, cols);
        }
      } else if ("parallel" in step) {
        step.parallel.forEach((f, j) => checkFlow(f, [...p, "parallel", j]));
      } else if ("publish" in step) {
        const c = own(comps, step.publish);
        if (!c) { if (missing(step.publish)) err([...p, "publish"], `no component named '${step.publish}' (${known})`); }
        else if (c.kind !== "queue") err([...p, "publish"], `'${step.publish}' is a ${c.kind}; publish takes a queue`);
      }
    });
  }

  // components
  for (const [name, c] of Object.entries(comps)) {
    const p = ["components", name];
    switch (c.kind) {
      case "cache":
        if (c.samples !== undefined && c.eviction !== "sampled") err([...p, "samples"], "`samples` sets how many keys `eviction: sampled` draws per eviction; this cache evicts by exact LRU (add `eviction: sampled`)");
        break;
      case "station": {
        if (!c.routing) break;
        const sum = c.routing.reduce((a, r) => a + r.p, 0);
        if (Math.abs(sum - 1) > EPS) err([...p, "routing"], `routing probabilities must add to 1, they add to ${round(sum)}`);
        c.routing.forEach((r, i) => {
          if (r.to === "exit") return;
          const t = own(comps, r.to);
          if (!t) { if (missing(r.to)) err([...p, "routing", i, "to"], `no component named '${r.to}' (${known}, or exit)`); }
          else if (t.kind !== "station") err([...p, "routing", i, "to"], `routing goes to stations; '${r.to}' is a ${t.kind}`);
        });
        break;
      }
      case "load_balancer": {
        const b = own(comps, c.backends);
        if (!b) { if (missing(c.backends)) err([...p, "backends"], `no component named '${c.backends}' (${known})`); }
        else if (b.kind !== "service") err([...p, "backends"], `backends must be a service, '${c.backends}' is a ${b.kind}`);
        else if (c.weights && c.weights.length !== b.replicas) err([...p, "weights"], `${c.weights.length} weights for ${b.replicas} replicas of '${c.backends}'`);
        if (c.tls && c.tls.resumption > 0 && !c.tls.resumed) err([...p, "tls", "resumption"], "resumed handshakes need their cost: add tls.resumed (an abbreviated handshake, e.g. 0.2ms)");
        break;
      }
      case "service":
        if (c.autoscaling) {
          const a = c.autoscaling;
          if (a.min > a.max) err([...p, "autoscaling", "min"], `autoscaling min (${a.min}) must not exceed max (${a.max})`);
          if (c.replicas < a.min || c.replicas > a.max) err([...p, "replicas"], `replicas (${c.replicas}) is the starting count and must lie between autoscaling min ${a.min} and max ${a.max}`);
          if (a.metric === "utilization" && a.target > 1) err([...p, "autoscaling", "target"], `a utilization target is a fraction of the slots, at most 1, got ${a.target}`);
        }
        for (const [key, flow] of Object.entries(c.handlers ?? {})) {
          const cls = key.endsWith("/revalidate") ? key.slice(0, -"/revalidate".length) : key;
          if (!own(load.classes, cls) && !undecoded.classes.has(cls) && !undecoded.sections.has("classes")) err([...p, "handlers", key], `no request class '${cls}' (classes: ${Object.keys(load.classes).join(", ")})`);
          else if (cls !== key && own(load.classes, cls) && !own(load.classes, cls)!.browser_cache?.etag) err([...p, "handlers", key], `'${key}' is what a browser's revalidation of '${cls}' runs: give the class browser_cache with etag`);
          checkFlow(flow, [...p, "handlers", key]);
        }
        break;
      case "database": {
        if (c.read_from === "replicas" && c.replicas === 0) err([...p, "read_from"], "reads go to replicas, but replicas is 0");
        if (c.replication === "synchronous" && c.replicas === 0) err([...p, "replication"], "synchronous replication needs a replica to wait for, but replicas is 0");
        if (c.pool) {
          const callers = serviceReplicasCalling(s, name);
          if (c.pool.size * callers > c.max_connections) {
            err([...p, "pool", "size"], `pools of ${c.pool.size} on ${callers} service replicas (counting each caller at its autoscaling max) need ${c.pool.size * callers} connections, more than max_connections ${c.max_connections}`);
          }
        }
        break;
      }
      case "queue":
        if (c.handler) checkFlow(c.handler, [...p, "handler"]);
        break;
      case "cdn": {
        const o = own(comps, c.origin);
        if (!o && !own(s.geo, c.origin) && missing(c.origin)) err([...p, "origin"], `no component named '${c.origin}' (${known}${geoNames})`);
        if (o?.kind === "function") err([...p, "origin"], `a CDN's origin is a service, load balancer or geo route; '${c.origin}' is a function (put a service in front of it)`);
        break;
      }
      case "function": {
        if (c.provisioned > c.max_instances) err([...p, "provisioned"], `provisioned (${c.provisioned}) instances are kept warm within max_instances (${c.max_instances}); it must not exceed it`);
        if (c.timeout !== undefined && meanOf(c.cold_start) >= c.timeout) {
          err([...p, "cold_start"], `the cold start (mean ${fmtSeconds(meanOf(c.cold_start))}) is not shorter than the timeout (${fmtSeconds(c.timeout)}), which counts it: most cold invocations would time out (raise timeout or shorten cold_start)`);
        }
        if (c.on_throttle === "reject") {
          if (c.queue !== undefined) err([...p, "queue"], "`queue` is the waiting room of `on_throttle: queue`; this function rejects (429) when throttled");
          if (c.queue_timeout !== undefined) err([...p, "queue_timeout"], "`queue_timeout` belongs to `on_throttle: queue`; this function rejects (429) when throttled");
        }
        for (const [cls, flow] of Object.entries(c.handlers ?? {})) {
          if (!own(load.classes, cls) && !undecoded.classes.has(cls) && !undecoded.sections.has("classes")) err([...p, "handlers", cls], `no request class '${cls}' (classes: ${Object.keys(load.classes).join(", ")})`);
          checkFlow(flow, [...p, "handlers", cls]);
        }
        break;
      }
      case "realtime":
        checkRealtime(name, c, p);
        break;
    }
  }

  function checkRealtime(name: string, c: Extract<Scenario["components"][string], { kind: "realtime" }>, p: ReadonlyArray<PropertyKey>): void {
    const one = c.memory_base + c.memory_per_connection;
    if (c.memory !== undefined && one > c.memory) {
      err([...p, "memory_per_connection"], `one connection needs memory_base + memory_per_connection = ${bytes(one)}, more than the instance's memory (${bytes(c.memory)}): no connection fits`);
    } else if (c.memory !== undefined && c.memory_base + c.max_connections * c.memory_per_connection > c.memory) {
      const fits = Math.floor((c.memory - c.memory_base) / Math.max(c.memory_per_connection, EPS));
      warnings.push({ path: [...p, "max_connections"], message: `an instance runs out of memory at ${fits} connections, before max_connections (${c.max_connections}): it fails with all its connections instead of refusing new ones` });
    }
    if (c.instances * c.max_connections > REALTIME_SLOTS) {
      err([...p, "max_connections"], `instances x max_connections is ${c.instances * c.max_connections}; the simulator holds at most ${REALTIME_SLOTS} connections per scenario`);
    }
    if (c.channels.count * c.instances > REALTIME_CHANNEL_CELLS) {
      err([...p, "channels", "count"], `channels.count x instances is ${c.channels.count * c.instances}, above ${REALTIME_CHANNEL_CELLS} (the subscriber count of each channel on each instance is kept)`);
    }
    if (c.instances > 1 && !c.backbone) {
      err([...p, "instances"], `${c.instances} instances need a \`backbone:\` (the pub/sub between them, e.g. backbone: { service: 100us }) to reach subscribers on other instances`);
    }
    if (c.reconnect.backoff > c.reconnect.max_backoff) {
      err([...p, "reconnect", "backoff"], `backoff (${c.reconnect.backoff}s) must not exceed max_backoff (${c.reconnect.max_backoff}s)`);
    }
    const conn = undecoded.sections.has("load") ? undefined : own(load.connections, name);
    if (!conn && !undecoded.sections.has("load")) {
      err(p, `no clients connect to realtime '${name}': add \`load.connections.${name}\` (rate, lifetime, messages)`);
      return;
    }
    if (!conn) return;
    const held = conn.rate * meanOf(conn.lifetime);
    // A channel's subscribers: a message reaches only those connected to its channel.
    if (c.channels.count > c.instances * c.max_connections) {
      warnings.push({ path: [...p, "channels", "count"], message: `${c.channels.count} channels but at most ${c.instances * c.max_connections} connections: most channels never have a subscriber, and a message to them reaches nobody` });
    } else if (held > 0 && c.channels.count > held) {
      warnings.push({ path: [...p, "channels", "count"], message: `${c.channels.count} channels for about ${round(held)} connections held (rate x mean lifetime): most channels have no subscriber at a time` });
    }
    if (held > c.instances * c.max_connections) {
      warnings.push({ path: ["load", "connections", name, "rate"], message: `rate x mean lifetime is ${round(held)} connections, more than the ${c.instances * c.max_connections} slots (instances x max_connections): connections are refused and retried` });
    }
  }

  // load.connections: each names a realtime component
  if (!undecoded.sections.has("load")) {
    for (const name of Object.keys(load.connections ?? {})) {
      const c = own(comps, name);
      if (!c) { if (missing(name)) err(["load", "connections", name], `no component named '${name}' (${known})`); }
      else if (c.kind !== "realtime") err(["load", "connections", name], `connections go to a realtime component; '${name}' is a ${c.kind}`);
    }
  }

  // An index no read uses is most likely a typo for the column the reads query (and costs the
  // writes something in a real database): an error at the index. Only when every flow decoded.
  const flowsKnown = !partial;
  for (const [name, c] of Object.entries(comps)) {
    if (c.kind !== "database" || !c.table) continue;
    const cols = queried.get(name) ?? new Set<string>();
    c.table.indexes.forEach((ix, i) => {
      const p = ["components", name, "table", "indexes", i];
      if (ix === PRIMARY_KEY) err(p, `${PRIMARY_KEY} is the primary key, always indexed; list secondary indexes only`);
      else if (c.table!.indexes.indexOf(ix) !== i) err(p, `index on ${ix} listed twice`);
      else if (flowsKnown && !cols.has(ix)) {
        err(p, `an index on ${ix}, but no read of '${name}' queries by ${ix} (its reads query by ${[...cols].join(", ") || "nothing: no step reads it"}); add by: ${ix} to the read step or remove the index`);
      }
    });
  }

  if (!undecoded.sections.has("regions")) checkRegions(s, err, missing, !undecoded.sections.has("load"));
  checkRoutingCycles(s, err);
  checkCallCycles(s, err);
  checkServiceWork(s, err);
  checkPlan(s, err, missing);
  if (!undecoded.sections.has("load")) for (const x of payloadProblems(s)) err(x.path, x.message);

  // failures
  const runKnown = !undecoded.sections.has("simulation") && !undecoded.sections.has("load");
  const runEnd = sim.duration ?? (load.stages ? load.stages.reduce((a, st) => a + st.duration, 0) : 60);
  (s.failures ?? []).forEach((f, i) => {
    const p = ["failures", i];
    if ("region" in f) {
      if (!undecoded.sections.has("regions") && !regions.includes(f.region)) err([...p, "region"], `no region named '${f.region}' (${knownRegions})`);
      if (runKnown && f.at >= runEnd) err([...p, "at"], `the outage at ${f.at}s is outside the run (it ends at ${runEnd}s)`);
      return;
    }
    const rtCrash = "crash" in f && own(comps, f.crash)?.kind === "realtime";
    const [key, want] = rtCrash ? ["crash", "realtime"] : "crash" in f ? ["crash", "service"] : "fail_primary" in f ? ["fail_primary", "database"] : "lose" in f ? ["lose", "cache"] : ["random", "service"];
    const name = (f as Record<string, unknown>)[key] as string;
    const c = own(comps, name);
    if (!c) { if (missing(name)) err([...p, key], `no component named '${name}' (${known})`); }
    else if (c.kind !== want) err([...p, key], `${key} takes a ${want}; '${name}' is a ${c.kind}`);
    if (runKnown && "at" in f && f.at >= runEnd) err([...p, "at"], `the failure at ${f.at}s is outside the run (it ends at ${runEnd}s)`);
    if ("crash" in f && c?.kind === "realtime" && f.replica > c.instances) err([...p, "replica"], `'${name}' has ${c.instances} instances; instance ${f.replica} does not exist`);
    if ("crash" in f && c?.kind === "service") {
      const n = c.autoscaling ? Math.max(c.autoscaling.max, c.replicas) : c.replicas;
      if (f.replica > n) err([...p, "replica"], `'${name}' has ${n} replicas; replica ${f.replica} does not exist`);
    }
    if ("fail_primary" in f && c?.kind === "database") {
      if (c.replicas === 0) err([...p, "fail_primary"], `'${name}' has no replica to promote`);
      if (f.shard >= (c.shards?.count ?? 1)) err([...p, "shard"], `'${name}' has ${c.shards?.count ?? 1} shard(s), numbered from 0`);
    }
  });

  // Stability is a warning: the simulator runs an unstable model honestly (queues grow), but its
  // steady-state statistics then mean nothing.
  if (errors.length === 0 && !partial) {
    const rate = peakRate(s);
    if (rate !== undefined) {
      const total = Object.values(load.classes).reduce((a, c) => a + c.weight, 0);
      const visits = visitRatios(s);
      for (const [name, c] of Object.entries(comps)) {
        if (c.kind !== "station") continue;
        let work = 0;
        for (const [cls, def] of Object.entries(load.classes)) {
          const v = own(own(visits, cls), name) ?? 0;
          work += (rate * def.weight / total) * v * meanOf(c.service);
        }
        const rho = work / c.servers;
        if (rho >= 1 && c.buffer === undefined && c.queue_timeout === undefined) {
          warnings.push({ path: ["components", name, "servers"], message: `offered utilization is ${round(rho)} at the peak rate: the queue grows without bound (add servers, a buffer or a queue_timeout)` });
        }
      }
    }
  }
  return { errors, warnings };
}

/**
 * Regions: latencies name other regions, every pair has one (given once), every component but a CDN
 * (which sits at the edge, next to its caller) names its region, users are placed in regions, and
 * station routing stays within a region (a routed hop across regions is not modeled).
 */
function checkRegions(s: Scenario, err: (p: ReadonlyArray<PropertyKey>, m: string) => void, missing: (name: string) => boolean, loadKnown: boolean): void {
  const regions = regionNames(s);
  const known = regions.length > 0 ? `regions: ${regions.join(", ")}` : "the scenario has no `regions:` section";
  for (const [name, c] of Object.entries(s.components)) {
    if (c.region !== undefined && !regions.includes(c.region)) err(["components", name, "region"], `no region named '${c.region}' (${known})`);
    else if (c.region === undefined && regions.length > 0 && c.kind !== "cdn") {
      err(["components", name], `with \`regions:\` every component except a cdn needs \`region:\` (one of ${regions.join(", ")})`);
    }
    if (c.kind === "station" && c.region !== undefined) {
      c.routing?.forEach((r, i) => {
        const t = own(s.components, r.to);
        if (t && t.region !== c.region) err(["components", name, "routing", i, "to"], `'${r.to}' is in region ${t.region ?? "(none)"}, '${name}' in ${c.region}: station routing stays within a region`);
      });
    }
  }
  const users = s.load.regions;
  if (!loadKnown) {
    // the load did not decode: where its users are is unknown
  } else if (users) {
    for (const r of Object.keys(users)) if (!regions.includes(r)) err(["load", "regions", r], `no region named '${r}' (${known})`);
  } else if (regions.length > 0) {
    err(["load"], `with \`regions:\` the load needs \`regions:\` placing the users, e.g. regions: { ${regions[0]}: 100 }`);
  }
  for (const [g, targets] of Object.entries(s.geo ?? {})) {
    const p = ["geo", g];
    if (own(s.components, g)) err(p, `'${g}' is also a component; a geo route needs a name of its own`);
    if (regions.length === 0) err(p, "geo routing needs a top-level `regions:` section");
    const seen = new Map<string, string>();
    targets.forEach((name, j) => {
      const c = own(s.components, name);
      if (!c) { if (missing(name)) err([...p, j], `no component named '${name}' (known components: ${Object.keys(s.components).join(", ")})`); return; }
      if (c.kind !== "service" && c.kind !== "load_balancer") { err([...p, j], `geo routes to services or load balancers; '${name}' is a ${c.kind}`); return; }
      if (c.region === undefined) return; // reported on the component
      const other = seen.get(c.region);
      if (other) err([...p, j], `'${name}' and '${other}' are both in region ${c.region}; a geo route takes one entry per region`);
      seen.set(c.region, name);
    });
  }
  if (!s.regions) return;
  for (const [a, def] of Object.entries(s.regions)) {
    for (const b of Object.keys(def.latency ?? {})) {
      const p = ["regions", a, "latency", b];
      if (b === a) err(p, `a region's latency to itself is 0; list only other regions`);
      else if (!regions.includes(b)) err(p, `no region named '${b}' (${known})`);
      else if (own(own(s.regions, b)?.latency, a) !== undefined && regions.indexOf(b) < regions.indexOf(a)) err(p, `the latency between ${a} and ${b} is given twice (also under ${b}); latency is symmetric, give it once`);
    }
    for (const b of Object.keys(def.bandwidth ?? {})) {
      const p = ["regions", a, "bandwidth", b];
      if (b === a) err(p, "a region's bandwidth is between regions; list only other regions");
      else if (!regions.includes(b)) err(p, `no region named '${b}' (${known})`);
      else if (own(own(s.regions, b)?.bandwidth, a) !== undefined && regions.indexOf(b) < regions.indexOf(a)) err(p, `the bandwidth between ${a} and ${b} is given twice (also under ${b}); it holds each way, give it once`);
    }
  }
  for (let i = 0; i < regions.length; i++) {
    for (let j = i + 1; j < regions.length; j++) {
      const [a, b] = [regions[i], regions[j]];
      if (!latencyBetween(s, a, b)) err(["regions", a], `no latency between ${a} and ${b}: add latency: { ${b}: 40ms } under ${a} (or ${a} under ${b})`);
    }
  }
}

/** Fields `headroom plan` may size, by component kind, with the smallest value each allows. */
export const PLAN_FIELDS: Record<string, Record<string, number>> = {
  service: { replicas: 1, concurrency: 1 },
  station: { servers: 1 },
  database: { replicas: 0, "pool.size": 1, max_connections: 1 },
  cache: { capacity: 1 },
  queue: { workers: 1 },
  load_balancer: { maxconn: 1 },
};

function checkPlan(s: Scenario, err: (p: ReadonlyArray<PropertyKey>, m: string) => void, missing: (name: string) => boolean): void {
  for (const [key, [min, max]] of Object.entries(s.plan ?? {})) {
    const p = ["plan", key];
    const dot = key.indexOf(".");
    const name = dot > 0 ? key.slice(0, dot) : key;
    const field = dot > 0 ? key.slice(dot + 1) : "";
    const c = own(s.components, name);
    if (!c) { if (missing(name)) err(p, `no component named '${name}' (write component.field, e.g. api.replicas)`); continue; }
    const fields = own(PLAN_FIELDS, c.kind) ?? {};
    if (!hasOwn(fields, field)) { err(p, `'${field}' is not a field the planner sizes on a ${c.kind}; it sizes ${Object.keys(fields).map((f) => `${name}.${f}`).join(", ") || "nothing"}`); continue; }
    if (min < fields[field]) err(p, `the lower bound of ${key} must be at least ${fields[field]}, got ${min}`);
    if (min > max) err(p, `bounds are [min, max]; ${min} > ${max}`);
    if (field === "pool.size" && c.kind === "database" && !c.pool) err(p, `'${name}' has no pool to size; add pool: { size: ... }`);
    if (field === "workers" && c.kind === "queue" && c.partitions !== undefined) err(p, `'${name}' has partitions (one consumer each): workers do not apply`);
  }
}

/** Every station in a routing cycle must reach `exit` with positive probability. */
function checkRoutingCycles(s: Scenario, err: (p: ReadonlyArray<PropertyKey>, m: string) => void): void {
  const comps = s.components;
  const canExit = new Set<string>();
  for (const [n, c] of Object.entries(comps)) {
    if (c.kind !== "station") continue;
    if (!c.routing || c.routing.some((r) => r.to === "exit" && r.p > 0)) canExit.add(n);
  }
  let grew = true;
  while (grew) {
    grew = false;
    for (const [n, c] of Object.entries(comps)) {
      if (c.kind !== "station" || canExit.has(n) || !c.routing) continue;
      if (c.routing.some((r) => r.p > 0 && canExit.has(r.to))) {
        canExit.add(n);
        grew = true;
      }
    }
  }
  for (const [n, c] of Object.entries(comps)) {
    if (c.kind === "station" && c.routing && !canExit.has(n) && c.routing.every((r) => r.to === "exit" || own(comps, r.to)?.kind === "station")) {
      err(["components", n, "routing"], `routing cycle without exit: a request reaching '${n}' can never leave (add { to: exit, p: ... } somewhere on the cycle)`);
    }
  }
}

interface CallEdge {
  readonly to: string;
  readonly path: ReadonlyArray<PropertyKey>;
  /** Under a branch arm with p < 1 or a cache hit/miss: taken by some requests only. */
  readonly conditional: boolean;
}

/** The calls (to components that answer: services, balancers, CDNs, geo routes) and publishes of a flow. */
function flowEdges(s: Scenario, flow: ReadonlyArray<Step>, path: ReadonlyArray<PropertyKey>, conditional: boolean, calls: CallEdge[], publishes: CallEdge[]): void {
  flow.forEach((step, i) => {
    const p = [...path, i];
    if ("branch" in step) {
      step.branch.forEach((b, j) => flowEdges(s, b.flow, [...p, "branch", j, "flow"], conditional || b.p < 1, calls, publishes));
    } else if ("call" in step) {
      const kind = own(s.components, step.call)?.kind;
      if (kind === "service" || kind === "load_balancer" || kind === "cdn" || kind === "function" || (kind === undefined && own(s.geo, step.call))) {
        calls.push({ to: step.call, path: [...p, "call"], conditional });
      }
      if (step.hit) flowEdges(s, step.hit, [...p, "hit"], true, calls, publishes);
      if (step.miss) flowEdges(s, step.miss, [...p, "miss"], true, calls, publishes);
    } else if ("parallel" in step) {
      step.parallel.forEach((f, j) => flowEdges(s, f, [...p, "parallel", j], conditional, calls, publishes));
    } else if ("publish" in step) {
      if (own(s.components, step.publish)?.kind === "queue") publishes.push({ to: step.publish, path: [...p, "publish"], conditional });
    }
  });
}

/**
 * Call cycles. A request's calls form a graph per class: a service runs its handler for the class
 * (calls to services, balancers, CDNs and geo routes), a balancer leads to its backends, a CDN to its
 * origin, a geo route to its entries. A caller waits for its call's answer while holding its slot,
 * so any cycle is refused, even one a branch may leave: without a way out it recurses forever, and
 * with one every turn holds another slot on each service of the cycle until all slots are held by
 * requests waiting on each other (a deadlock). Queues publish without waiting, so a cycle of
 * publishes is refused only when no branch or cache outcome on it can end it (messages forever).
 * Each cycle is reported once, at the step (or field) that closes it.
 */
function checkCallCycles(s: Scenario, err: (p: ReadonlyArray<PropertyKey>, m: string) => void): void {
  const comps = s.components;
  const reported = new Set<string>();
  const report = (closing: CallEdge, cycle: string[], what: string, why: string) => {
    const key = closing.path.map(String).join("\u0000");
    if (reported.has(key)) return;
    reported.add(key);
    err(closing.path, `${what}: ${cycle.join(" -> ")} (${why})`);
  };
  // Depth-first search; a grey node reached again closes a cycle (the stack from it to here).
  const search = (roots: ReadonlyArray<string>, next: (n: string) => ReadonlyArray<CallEdge>, onCycle: (closing: CallEdge, cycle: string[]) => void) => {
    const state = new Map<string, 1 | 2>(); // 1 on the stack, 2 done
    const stack: string[] = [];
    const visit = (n: string) => {
      state.set(n, 1);
      stack.push(n);
      for (const e of next(n)) {
        const st = state.get(e.to);
        if (st === 1) onCycle(e, [...stack.slice(stack.indexOf(e.to)), e.to]);
        else if (st === undefined) visit(e.to);
      }
      stack.pop();
      state.set(n, 2);
    };
    for (const r of roots) if (!state.has(r)) visit(r);
  };

  const nodes = [...Object.keys(comps).filter((n) => ["service", "load_balancer", "cdn", "function"].includes(comps[n].kind)), ...Object.keys(s.geo ?? {}).filter((g) => !own(comps, g))];
  for (const [cls, def] of Object.entries(s.load.classes)) {
    const next = classCallEdges(s, cls);
    // Start from where the class's requests enter, so the report follows their path; then the rest.
    const entry: CallEdge[] = [];
    flowEdges(s, def.flow, ["load", "classes", cls, "flow"], false, entry, []);
    search([...entry.map((e) => e.to), ...nodes], next, (closing, cycle) =>
      report(closing, cycle, `call cycle for class '${cls}'`, "each caller holds its slot while it waits for its call, so requests recurse without end or deadlock; break the cycle"));
  }

  const queues = Object.keys(comps).filter((n) => comps[n].kind === "queue");
  const publishesOf = (n: string): CallEdge[] => {
    const c = own(comps, n);
    const out: CallEdge[] = [];
    if (c?.kind === "queue" && c.handler) flowEdges(s, c.handler, ["components", n, "handler"], false, [], out);
    return out.filter((e) => !e.conditional);
  };
  search(queues, publishesOf, (closing, cycle) =>
    report(closing, cycle, "publish cycle", "every message publishes another, forever; put a branch with a way out on it"));
}

/** The call graph of one class: from a service its handler's calls, from a balancer its backends,
 * from a CDN its origin, from a geo route its entries. */
function classCallEdges(s: Scenario, cls: string): (n: string) => CallEdge[] {
  return (n) => {
    const c = own(s.components, n);
    if (!c) return (own(s.geo, n) ?? []).map((to, j) => ({ to, path: ["geo", n, j], conditional: false }));
    if (c.kind === "load_balancer") return [{ to: c.backends, path: ["components", n, "backends"], conditional: false }];
    if (c.kind === "cdn") return [{ to: c.origin, path: ["components", n, "origin"], conditional: false }];
    const calls: CallEdge[] = [];
    const handler = c.kind === "service" || c.kind === "function" ? own(c.handlers, cls) : undefined;
    if (handler) flowEdges(s, handler, ["components", n, "handlers", cls], false, calls, []);
    return calls;
  };
}

/**
 * Every service a class's requests reach has work for them: a handler for the class or a service
 * time. Reported at the call (or backend, origin, route entry) that leads there, once per service
 * and class; the compiler would otherwise refuse the scenario with no line to point at.
 */
function checkServiceWork(s: Scenario, err: (p: ReadonlyArray<PropertyKey>, m: string) => void): void {
  for (const [cls, def] of Object.entries(s.load.classes)) {
    const next = classCallEdges(s, cls);
    const todo: CallEdge[] = [];
    flowEdges(s, def.flow, ["load", "classes", cls, "flow"], false, todo, []);
    const seen = new Set<string>();
    while (todo.length > 0) {
      const e = todo.pop()!;
      if (seen.has(e.to)) continue;
      seen.add(e.to);
      const c = own(s.components, e.to);
      if ((c?.kind === "service" || c?.kind === "function") && !own(c.handlers, cls) && !c.service) {
        err(e.path, `class '${cls}' reaches ${c.kind} '${e.to}', which has neither a handler for '${cls}' nor a service time (add handlers.${cls} or service: to '${e.to}')`);
        continue;
      }
      todo.push(...next(e.to));
    }
  }
}

function serviceReplicasCalling(s: Scenario, db: string): number {
  let n = 0;
  for (const c of Object.values(s.components)) {
    // The engine gives every replica up to autoscaling.max its own pool (program.ts), so the
    // connections needed are counted at the largest the service can grow to.
    if (c.kind === "service" && JSON.stringify(c.handlers ?? {}).includes(`"call":"${db}"`)) n += Math.max(c.replicas, c.autoscaling?.max ?? 0);
  }
  return Math.max(1, n);
}

function fmtSeconds(x: number): string {
  return x < 1 ? `${round(x * 1000)}ms` : `${round(x)}s`;
}

/** 67108864 -> "64MiB", for messages. */
function bytes(n: number): string {
  const [d, u] = n >= 2 ** 30 ? [2 ** 30, "GiB"] : n >= 2 ** 20 ? [2 ** 20, "MiB"] : n >= 2 ** 10 ? [2 ** 10, "KiB"] : [1, "B"];
  return `${round(n / d)}${u}`;
}

function round(x: number): number {
  return Number(x.toPrecision(6));
}
