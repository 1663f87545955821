// The scenario format (docs/scenario-format.md) as effect Schemas: the single source of the typed
// model, its validation messages and the exported JSON Schema. Units are decoded here, so everything
// downstream sees seconds, rates per second, plain counts and fractions.
import { Effect, ParseResult, Schema } from "effect";
import { UNIT_PATTERNS, formatBandwidth, formatDuration, formatSize, parseBandwidth, parseCount, parseDuration, parseRate, parseRatio, parseSize, parseSizeWithUnit } from "./units.ts";
import { hasOwn, own } from "./own.ts";

const DECODE_OPTIONS = { errors: "all", onExcessProperty: "error" } as const;

// `numbers`: whether a plain number is accepted too (counts, ratios, sizes; not durations and rates,
// which need their unit). The JSON Schema says the same with the unit's pattern.
function unit(name: string, example: string, parse: (v: unknown) => number | undefined, pattern: string, numbers: boolean) {
  const description = `a ${name}, e.g. ${example}`;
  return Schema.transformOrFail(Schema.Union(Schema.String, Schema.Number), Schema.Number, {
    strict: true,
    decode: (input, _, ast) => {
      const n = parse(input);
      if (n === undefined) return ParseResult.fail(new ParseResult.Type(ast, input, `expected a ${name} like ${example}, got ${JSON.stringify(input)}`));
      // 1e400s parses to Infinity: no field takes an infinite value
      if (!Number.isFinite(n)) return ParseResult.fail(new ParseResult.Type(ast, input, `${JSON.stringify(input)} is too large to be a ${name} (see Limits in docs/scenario-format.md)`));
      return ParseResult.succeed(n);
    },
    encode: (n) => ParseResult.succeed(n),
  }).annotations({
    description,
    // An override: effect would render the encoded side, a bare string | number.
    jsonSchema: numbers ? { anyOf: [{ type: "number" }, { type: "string", pattern }], description } : { type: "string", pattern, description },
  });
}

const positive = <S extends Schema.Schema<number, any>>(s: S, what: string) =>
  s.pipe(Schema.filter((n) => n > 0 || `${what} must be greater than 0, got ${n}`));
const nonNegative = <S extends Schema.Schema<number, any>>(s: S, what: string) =>
  s.pipe(Schema.filter((n) => n >= 0 || `${what} must not be negative, got ${n}`));
// ---------------------------------------------------------------- limits
// What a scenario may ask for (docs/scenario-format.md, "Limits"). Counts the engine allocates for
// (replicas, slots, shards, keys) are capped where a run would need more memory than a machine
// has; the rest where a larger value is certainly a typo. The run-size check (run-size.ts) then
// refuses a run whose events or memory exceed the budget, with its estimate.
export const LIMITS = {
  /** Any count without its own limit (buffers, backlogs, queue lengths, plan bounds, ...). */
  count: 1e9,
  /** Keys of a class, objects of a CDN, keys of a database, entries of a cache. */
  keys: 1e9,
  /** Service replicas, autoscaling min/max, shards, partitions, failure replica numbers. */
  replicas: 10_000,
  /** Database read replicas per shard. */
  dbReplicas: 100,
  /** Servers, concurrency, workers, connections, pool sizes, maxconn: slots of one resource. */
  slots: 1_000_000,
  /** Closed-load users (the analytic MVA is O(users x stations): 10M users take seconds). */
  users: 10_000_000,
  replications: 1000,
  /** Retry attempts, connect retries and queue redeliveries. */
  retries: 100,
  prefetch: 10_000,
  /** Every duration, seconds (365 days). */
  duration: 365 * 86400,
  /** Weights, shares, autoscaling targets. */
  number: 1e9,
  /** cv of lognormal, gamma, hyperexponential; alpha of a Pareto. */
  shape: 100,
  /** Zipf s. */
  zipfS: 10,
  /** A request's or response's size, bytes (1 TB). */
  size: 1e12,
  /** A link's bandwidth, bits per second (1 Pbit/s). */
  bandwidth: 1e15,
  /** Pages a client walks per request of a paginated class. */
  pages: 1000,
  /** Rows of a database table (`table.rows`): a count, never allocated for. */
  rows: 1e12,
} as const;

const fmtLimit = (n: number) => (n >= 1e9 && n % 1e9 === 0 ? `${n / 1e9}G` : n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6}M` : n >= 1e4 && n % 1e3 === 0 ? `${n / 1e3}k` : String(n));

const integer = <S extends Schema.Schema<number, any>>(s: S, what: string, min: number, max: number = LIMITS.count) =>
  s.pipe(
    Schema.filter((n) => (Number.isInteger(n) && n >= min) || `${what} must be a whole number >= ${min}, got ${n}`),
    Schema.filter((n) => n <= max || `${what} must be at most ${fmtLimit(max)} (see Limits in docs/scenario-format.md), got ${n}`),
  );
const atMost = <S extends Schema.Schema<number, any>>(s: S, what: string, max: number, show: (n: number) => string = String) =>
  s.pipe(Schema.filter((n) => n <= max || `${what} must be at most ${show(max)} (see Limits in docs/scenario-format.md), got ${show(n)}`));
// A plain number (YAML's .inf and 1e400 are numbers too).
const Finite = Schema.Number.pipe(Schema.filter((n) => Number.isFinite(n) || `expected a finite number, got ${n}`));

export const Duration = atMost(unit("duration", "250ms, 2s, 1.5m", parseDuration, UNIT_PATTERNS.duration, false), "a duration", LIMITS.duration, formatDuration);
export const Rate = unit("rate", "1200/s, 50/m", parseRate, UNIT_PATTERNS.rate, false);
export const Count = unit("count", "20k, 1.5M, 100", parseCount, UNIT_PATTERNS.count, true);
export const Ratio = unit("ratio", "0.1%, 0.05", parseRatio, UNIT_PATTERNS.ratio, true);
export const Size = unit("size", "512B, 1KB, 4MiB", parseSize, UNIT_PATTERNS.size, true);
/** A payload size: its unit is required (a bare number is a located error). */
export const PayloadSize = atMost(unit("size with its unit (B, KB, MB, GB, KiB, MiB, GiB)", "64KB, 512B, 2MiB", parseSizeWithUnit, UNIT_PATTERNS.size, false), "a size", LIMITS.size, formatSize);
/** A link's capacity, decoded to bits per second. */
export const Bandwidth = atMost(
  unit("bandwidth", "100Mbps, 1Gbps, 125MB/s", parseBandwidth, UNIT_PATTERNS.bandwidth, false).pipe(Schema.filter((n) => n > 0 || `a bandwidth must be greater than 0, got ${n}`)),
  "a bandwidth", LIMITS.bandwidth, formatBandwidth,
);

const PosDuration = positive(Duration, "duration");
const Probability = Ratio.pipe(Schema.filter((p) => (p >= 0 && p <= 1) || `a probability must be between 0 and 1, got ${p}`));

// ---------------------------------------------------------------- distributions

// The Erlang sampler multiplies k uniforms: ln of the product is about -k +- sqrt(k), and a double
// underflows to 0 below e^-745 (then every sample is infinite). k <= 500 keeps 11 standard
// deviations of room; beyond it the same distribution is gamma with cv = 1/sqrt(k).
export const ERLANG_MAX_K = 500;

// Cross-field rules of a distribution, reported at the field that breaks them.
const ordered = (strict: boolean) => (d: { readonly min: number; readonly max: number }) =>
  (strict ? d.min < d.max : d.min <= d.max) || { path: ["max"], message: `max (${formatDuration(d.max)}) must be ${strict ? "greater than" : "at least"} min (${formatDuration(d.min)})` };

export const DistStructs = {
  constant: Schema.Struct({ dist: Schema.Literal("constant"), value: nonNegative(Duration, "value") }),
  exponential: Schema.Struct({ dist: Schema.Literal("exponential"), mean: PosDuration }),
  uniform: Schema.Struct({ dist: Schema.Literal("uniform"), min: nonNegative(Duration, "min"), max: PosDuration }).pipe(Schema.filter(ordered(false))),
  normal: Schema.Struct({ dist: Schema.Literal("normal"), mean: PosDuration, sd: nonNegative(Duration, "sd") }),
  lognormal: Schema.Struct({ dist: Schema.Literal("lognormal"), mean: PosDuration, cv: atMost(positive(Finite, "cv"), "cv", LIMITS.shape) }),
  gamma: Schema.Struct({ dist: Schema.Literal("gamma"), mean: PosDuration, cv: atMost(positive(Finite, "cv"), "cv", LIMITS.shape) }),
  erlang: Schema.Struct({
    dist: Schema.Literal("erlang"),
    k: integer(Finite, "k", 1).pipe(Schema.filter((k) => k <= ERLANG_MAX_K || `an Erlang k above ${ERLANG_MAX_K} underflows the sampler; write { dist: gamma, cv: ${Number((1 / Math.sqrt(k)).toPrecision(3))} } (cv = 1/sqrt(k)) instead, got k ${k}`)),
    mean: PosDuration,
  }),
  hyperexponential: Schema.Struct({
    dist: Schema.Literal("hyperexponential"),
    mean: PosDuration,
    cv: atMost(Finite.pipe(Schema.filter((c) => c > 1 || `a hyperexponential needs cv > 1, got ${c}`)), "cv", LIMITS.shape),
  }),
  pareto: Schema.Struct({ dist: Schema.Literal("pareto"), min: PosDuration, max: PosDuration, alpha: atMost(positive(Finite, "alpha"), "alpha", LIMITS.shape) }).pipe(Schema.filter(ordered(true))),
  // `at` (optional, with `window`): the run time each sample was measured at; a draw at time t
  // then takes one of the samples measured within window/2 of t (the nearest one when none is),
  // so a measured trace's changes over the run (a machine slowed while instances boot) stay in
  // place: the function validation's calibration (validation/function-overhead.ts).
  empirical: Schema.Struct({
    dist: Schema.Literal("empirical"),
    samples: Schema.NonEmptyArray(nonNegative(Duration, "sample")),
    at: Schema.optional(Schema.NonEmptyArray(nonNegative(Duration, "at"))),
    window: Schema.optional(PosDuration),
  }).pipe(Schema.filter((d) => {
    if (d.at === undefined) return d.window === undefined || { path: ["window"], message: "`window` belongs to `at` (each sample's time): give both or neither" };
    if (d.window === undefined) return { path: ["at"], message: "`at` needs a `window` (the draws at time t take the samples measured within window/2 of t)" };
    return d.at.length === d.samples.length || { path: ["at"], message: `\`at\` has ${d.at.length} times for ${d.samples.length} samples: one time per sample` };
  })),
} as const;

const D = DistStructs;
const DistType = Schema.Union(
  Schema.typeSchema(D.constant), Schema.typeSchema(D.exponential), Schema.typeSchema(D.uniform),
  Schema.typeSchema(D.normal), Schema.typeSchema(D.lognormal), Schema.typeSchema(D.gamma),
  Schema.typeSchema(D.erlang), Schema.typeSchema(D.hyperexponential), Schema.typeSchema(D.pareto),
  Schema.typeSchema(D.empirical),
);
export type Dist = typeof DistType.Type;
export type DistKind = Dist["dist"];

const distKinds = Object.keys(DistStructs).join(", ");

/** A distribution of durations: a duration alone is a constant; otherwise `{ dist: ..., params }`. */
export const DistSchema = Schema.transformOrFail(Schema.Unknown, DistType, {
  strict: true,
  decode: (input, _, ast) => {
    if (typeof input === "string" || typeof input === "number") {
      const v = parseDuration(input);
      if (v === undefined) return ParseResult.fail(new ParseResult.Type(ast, input, `expected a duration like 20ms or a distribution { dist: exponential, mean: 20ms }, got ${JSON.stringify(input)}`));
      // the shorthand meets the same rules as { dist: constant, value }
      if (!Number.isFinite(v) || v > LIMITS.duration) return ParseResult.fail(new ParseResult.Type(ast, input, `a duration must be at most ${formatDuration(LIMITS.duration)} (see Limits in docs/scenario-format.md), got ${JSON.stringify(input)}`));
      if (v < 0) return ParseResult.fail(new ParseResult.Type(ast, input, `a duration must not be negative, got ${JSON.stringify(input)}`));
      return ParseResult.succeed({ dist: "constant" as const, value: v });
    }
    if (typeof input !== "object" || input === null || Array.isArray(input)) {
      return ParseResult.fail(new ParseResult.Type(ast, input, "expected a duration or a distribution { dist: ..., ... }"));
    }
    const kind = (input as { dist?: unknown }).dist;
    const struct = typeof kind === "string" ? own(DistStructs as Record<string, Schema.Schema<any, any>>, kind) : undefined;
    if (!struct) {
      return ParseResult.fail(new ParseResult.Pointer("dist", input, new ParseResult.Type(ast, kind, `expected one of ${distKinds}, got ${JSON.stringify(kind)}`)));
    }
    return ParseResult.decodeUnknown(struct, DECODE_OPTIONS)(input) as Effect.Effect<Dist, ParseResult.ParseIssue>;
  },
  encode: (d) => ParseResult.succeed(d),
}).annotations({ identifier: "Distribution", description: `a duration (constant) or { dist: ${distKinds} }` });

// ---------------------------------------------------------------- payload sizes

// The distributions of DistStructs over sizes (bytes) instead of durations: the same field names,
// so the decoded value is a Dist the samplers and the moment formulas read as they are.
const sizeOrdered = (d: { readonly min: number; readonly max: number }) =>
  d.min < d.max || { path: ["max"], message: `max (${formatSize(d.max)}) must be greater than min (${formatSize(d.min)})` };
const PosSize = positive(PayloadSize, "size");
const NonNegSize = nonNegative(PayloadSize, "size");
export const SizeDistStructs = {
  constant: Schema.Struct({ dist: Schema.Literal("constant"), value: NonNegSize }),
  exponential: Schema.Struct({ dist: Schema.Literal("exponential"), mean: PosSize }),
  uniform: Schema.Struct({ dist: Schema.Literal("uniform"), min: NonNegSize, max: PosSize }).pipe(Schema.filter(sizeOrdered)),
  lognormal: Schema.Struct({ dist: Schema.Literal("lognormal"), mean: PosSize, cv: atMost(positive(Finite, "cv"), "cv", LIMITS.shape) }),
  gamma: Schema.Struct({ dist: Schema.Literal("gamma"), mean: PosSize, cv: atMost(positive(Finite, "cv"), "cv", LIMITS.shape) }),
  pareto: Schema.Struct({ dist: Schema.Literal("pareto"), min: PosSize, max: PosSize, alpha: atMost(positive(Finite, "alpha"), "alpha", LIMITS.shape) }).pipe(Schema.filter(sizeOrdered)),
  empirical: Schema.Struct({ dist: Schema.Literal("empirical"), samples: Schema.NonEmptyArray(NonNegSize) }),
} as const;
const sizeDistKinds = Object.keys(SizeDistStructs).join(", ");

/** A distribution of payload sizes: a size alone is a constant; otherwise `{ dist: ..., params }` with sizes. Decodes to a Dist in bytes. */
// The target is not DistType: its durations' limits (a year) would apply to bytes.
export const SizeDistSchema = Schema.transformOrFail(Schema.Unknown, Schema.Any as Schema.Schema<Dist>, {
  strict: true,
  decode: (input, _, ast) => {
    if (typeof input === "string" || typeof input === "number") {
      const v = parseSizeWithUnit(input);
      if (v === undefined) return ParseResult.fail(new ParseResult.Type(ast, input, `expected a size with its unit like 64KB (B, KB, MB, GB, KiB, MiB, GiB) or a distribution { dist: lognormal, mean: 200KB, cv: 1 }, got ${JSON.stringify(input)}`));
      if (!Number.isFinite(v) || v > LIMITS.size) return ParseResult.fail(new ParseResult.Type(ast, input, `a size must be at most ${formatSize(LIMITS.size)} (see Limits in docs/scenario-format.md), got ${JSON.stringify(input)}`));
      if (v < 0) return ParseResult.fail(new ParseResult.Type(ast, input, `a size must not be negative, got ${JSON.stringify(input)}`));
      return ParseResult.succeed({ dist: "constant" as const, value: v });
    }
    if (typeof input !== "object" || input === null || Array.isArray(input)) {
      return ParseResult.fail(new ParseResult.Type(ast, input, "expected a size (64KB) or a distribution of sizes { dist: ..., ... }"));
    }
    const kind = (input as { dist?: unknown }).dist;
    const struct = typeof kind === "string" ? own(SizeDistStructs as Record<string, Schema.Schema<any, any>>, kind) : undefined;
    if (!struct) {
      return ParseResult.fail(new ParseResult.Pointer("dist", input, new ParseResult.Type(ast, kind, `expected one of ${sizeDistKinds} (sizes), got ${JSON.stringify(kind)}`)));
    }
    return ParseResult.decodeUnknown(struct, DECODE_OPTIONS)(input) as Effect.Effect<Dist, ParseResult.ParseIssue>;
  },
  encode: (d) => ParseResult.succeed(d),
}).annotations({ identifier: "SizeDistribution", description: `a size with its unit (constant) or { dist: ${sizeDistKinds} } over sizes` });

// How a paginated class reads: page_size rows per page (rows read at each database read of the
// request, page_size x row_size bytes returned per page), the client walking `pages` pages in turn.
const Pagination = Schema.Struct({
  page_size: integer(Count, "page_size", 1, LIMITS.count),
  row_size: positive(PayloadSize, "row_size"),
  pages: Schema.optionalWith(integer(Count, "pages", 1, LIMITS.pages), { default: () => 1 }),
});
export type PaginationSpec = typeof Pagination.Type;

// Share of a response's bytes left on the wire after compression (1: none).
const Compression = Ratio.pipe(Schema.filter((r) => (r > 0 && r <= 1) || `a compression ratio is the share of bytes left on the wire, above 0 and at most 1 (25%: a quarter), got ${r}`));

// ---------------------------------------------------------------- flow steps

export type Step =
  | { readonly visit: string; readonly service?: Dist }
  | { readonly branch: ReadonlyArray<{ readonly p: number; readonly flow: ReadonlyArray<Step> }> }
  | { readonly call: string; readonly op?: string; readonly by?: string; readonly hit?: ReadonlyArray<Step>; readonly miss?: ReadonlyArray<Step>; readonly network?: Dist; readonly request_size?: Dist; readonly response_size?: Dist }
  | { readonly parallel: ReadonlyArray<ReadonlyArray<Step>> }
  | { readonly publish: string; readonly network?: Dist }
  | { readonly service: Dist };

const NAME_PATTERN = "^[a-z][a-z0-9_-]*$";
const NAME_RE = new RegExp(NAME_PATTERN);
export const Name = Schema.String.pipe(
  Schema.filter((s) => NAME_RE.test(s) || `a name must match [a-z][a-z0-9_-]*, got ${JSON.stringify(s)}`, { jsonSchema: { pattern: NAME_PATTERN } }),
);

const Flow: Schema.Schema<ReadonlyArray<Step>, ReadonlyArray<unknown>> = Schema.Array(Schema.suspend((): Schema.Schema<Step, unknown> => StepSchema));

export const StepStructs = {
  visit: Schema.Struct({ visit: Name, service: Schema.optional(DistSchema) }),
  branch: Schema.Struct({
    branch: Schema.NonEmptyArray(Schema.Struct({ p: Probability, flow: Flow })),
  }),
  call: Schema.Struct({
    call: Name,
    op: Schema.optional(Schema.Literal("get", "set", "delete", "read", "write")),
    // a database read with a `table:`: the column it looks rows up by (default id, the primary key)
    by: Schema.optional(Name),
    hit: Schema.optional(Flow),
    miss: Schema.optional(Flow),
    // this edge's one-way latency, each way; overrides the calling service's `network`
    network: Schema.optional(DistSchema),
    // this edge's payloads (override the class's sizes on the edges it sets them for)
    request_size: Schema.optional(SizeDistSchema),
    response_size: Schema.optional(SizeDistSchema),
  }),
  parallel: Schema.Struct({ parallel: Schema.NonEmptyArray(Flow) }),
  publish: Schema.Struct({ publish: Name, network: Schema.optional(DistSchema) }),
  service: Schema.Struct({ service: DistSchema }),
} as const;
const stepKeys = Object.keys(StepStructs);

const StepSchema: Schema.Schema<Step, unknown> = Schema.transformOrFail(Schema.Unknown, Schema.Any as Schema.Schema<Step>, {
  strict: true,
  decode: (input, _, ast) => {
    if (typeof input === "string") return ParseResult.succeed({ visit: input });
    if (typeof input !== "object" || input === null || Array.isArray(input)) {
      return ParseResult.fail(new ParseResult.Type(ast, input, `expected a step: a station name or an object with one of ${stepKeys.join(", ")}`));
    }
    const key = stepKeys.find((k) => hasOwn(input, k));
    if (!key) {
      return ParseResult.fail(new ParseResult.Type(ast, input, `expected a step with one of the keys ${stepKeys.join(", ")}, got keys ${Object.keys(input).join(", ") || "(none)"}`));
    }
    return ParseResult.decodeUnknown((StepStructs as Record<string, Schema.Schema<any, any>>)[key], DECODE_OPTIONS)(input) as Effect.Effect<Step, ParseResult.ParseIssue>;
  },
  encode: (s) => ParseResult.succeed(s),
}).annotations({ identifier: "Step", description: "a station name, or { visit | branch | call | parallel | publish | service: ... }" });

export { Flow as FlowSchema };

/**
 * A record keyed by names the file gives (components, classes, handlers, regions, geo routes, plan
 * keys), decoded to an object without a prototype: whoever indexes it by a name (`components[n]`)
 * then finds only what the file defined, never Object.prototype's `constructor` or `toString`.
 * The exported JSON Schema describes the record as written (the transformation's encoded side).
 */
function NamedRecord<V extends Schema.Schema.Any>(key: Schema.Schema<string, string>, value: V) {
  const record = Schema.Record({ key, value });
  type R = typeof record.Type;
  const own = Schema.declare((u: unknown): u is R => typeof u === "object" && u !== null && !Array.isArray(u));
  return Schema.transform(record, own, {
    strict: true,
    decode: (r) => Object.assign(Object.create(null) as R, r),
    encode: (r) => ({ ...r }),
  });
}

// ---------------------------------------------------------------- load

const Keys = Schema.Struct({
  count: integer(Count, "keys.count", 1, LIMITS.keys),
  popularity: Schema.optionalWith(Schema.Literal("zipf", "uniform"), { default: () => "uniform" as const }),
  s: Schema.optional(atMost(nonNegative(Finite, "zipf s"), "zipf s", LIMITS.zipfS)),
});

// Client-side caching (docs/scenario-format.md, "browser_cache"): what the origin's Cache-Control
// and ETag tell each user's browser for this class's responses. A response younger than max_age is
// served from the browser (it never reaches the origin); an older one is revalidated with its ETag
// (If-None-Match: a 304 from the origin, running `revalidate` if given), or fetched anew without one.
const BrowserCache = Schema.Struct({
  max_age: nonNegative(Duration, "max_age"),
  etag: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  revalidate: Schema.optional(Flow),
});
export type BrowserCacheSpec = typeof BrowserCache.Type;

/** The most (user, key) pairs whose browser-cache state a run keeps (8 bytes each: 512 MB). */
export const BROWSER_MAX_ENTRIES = 64_000_000;

const RequestClass = Schema.Struct({
  weight: Schema.optionalWith(atMost(positive(Finite, "weight"), "weight", LIMITS.number), { default: () => 1 }),
  http: Schema.optional(Schema.Struct({
    method: Schema.optionalWith(Schema.Literal("GET", "POST", "PUT", "DELETE", "PATCH"), { default: () => "GET" as const }),
    path: Schema.String.pipe(Schema.filter((p) => p.startsWith("/") || `an http path must start with /, got ${JSON.stringify(p)}`)),
    body: Schema.optional(Schema.Unknown),
  })),
  keys: Schema.optional(Keys),
  // payloads on the edges from the users (docs/scenario-format.md, "Payloads and bandwidth")
  request_size: Schema.optional(SizeDistSchema),
  response_size: Schema.optional(SizeDistSchema),
  compression: Schema.optional(Compression),
  pagination: Schema.optional(Pagination),
  flow: Schema.NonEmptyArray(Schema.suspend((): Schema.Schema<Step, unknown> => StepSchema)),
  browser_cache: Schema.optional(BrowserCache),
});
export type RequestClass = typeof RequestClass.Type;

const Classes = NamedRecord(Name, RequestClass).pipe(
  Schema.filter((r) => Object.keys(r).length > 0 || "load.classes needs at least one request class"),
);

// Where the users are: share of arrivals (open) or of users (closed) per region, as weights.
const LoadRegions = NamedRecord(Name, atMost(positive(Finite, "a region's share"), "a region's share", LIMITS.number));

const Shape = Schema.optionalWith(Schema.Literal("linear", "step", "sine"), { default: () => "linear" as const });

const RateStage = Schema.Struct({
  duration: PosDuration,
  target: Schema.optional(nonNegative(Rate, "target")),
  shape: Shape,
  min: Schema.optional(nonNegative(Rate, "min")),
  max: Schema.optional(nonNegative(Rate, "max")),
  period: Schema.optional(PosDuration),
  peak: Schema.optional(nonNegative(Duration, "peak")),
});
export type RateStage = typeof RateStage.Type;

const UserStage = Schema.Struct({
  duration: PosDuration,
  target: integer(Count, "target users", 0, LIMITS.users),
  shape: Schema.optionalWith(Schema.Literal("linear", "step"), { default: () => "linear" as const }),
});
export type UserStage = typeof UserStage.Type;

// Clients of a realtime component (WebSocket sessions): new sessions per second (Poisson), how
// long a session stays (reconnects included), and the messages each connected client publishes
// to its channel (Poisson per connection). Keyed by the realtime component's name.
const ConnectionClass = Schema.Struct({
  rate: positive(Rate, "connections rate"),
  lifetime: DistSchema,
  messages: Schema.optionalWith(nonNegative(Rate, "messages"), { default: () => 0 }),
});
export type ConnectionClass = typeof ConnectionClass.Type;
const Connections = NamedRecord(Name, ConnectionClass);

const OpenLoad = Schema.Struct({
  model: Schema.Literal("open"),
  arrivals: Schema.optionalWith(Schema.Literal("poisson", "deterministic"), { default: () => "poisson" as const }),
  rate: Schema.optional(positive(Rate, "rate")),
  start_rate: Schema.optionalWith(nonNegative(Rate, "start_rate"), { default: () => 0 }),
  stages: Schema.optional(Schema.NonEmptyArray(RateStage)),
  regions: Schema.optional(LoadRegions),
  // the users an open load's arrivals come from, each arrival one of them at random: what a
  // browser cache (browser_cache on a class) is kept per
  population: Schema.optional(integer(Count, "population", 1, LIMITS.users)),
  classes: Classes,
  connections: Schema.optional(Connections),
});
export type OpenLoad = typeof OpenLoad.Type;

const ClosedLoad = Schema.Struct({
  model: Schema.Literal("closed"),
  users: Schema.optional(integer(Count, "users", 1, LIMITS.users)),
  start_users: Schema.optionalWith(integer(Count, "start_users", 0, LIMITS.users), { default: () => 0 }),
  stages: Schema.optional(Schema.NonEmptyArray(UserStage)),
  think: Schema.optionalWith(DistSchema, { default: () => ({ dist: "constant", value: 0 }) as Dist }),
  regions: Schema.optional(LoadRegions),
  classes: Classes,
  connections: Schema.optional(Connections),
});
export type ClosedLoad = typeof ClosedLoad.Type;

export const LoadSchema = Schema.Union(OpenLoad, ClosedLoad);
export type Load = typeof LoadSchema.Type;

// ---------------------------------------------------------------- components

const Routing = Schema.NonEmptyArray(Schema.Struct({ to: Name, p: Probability }));

const Price = Schema.Number.pipe(Schema.filter((n) => (Number.isFinite(n) && n >= 0) || `a price must be a number >= 0, got ${n}`));
const Cost = Schema.Struct({
  instance_hour: Schema.optional(Price),
  million_requests: Schema.optional(Price),
});
export type Cost = typeof Cost.Type;

// What `headroom validate --target` asks Prometheus for, per component (docs/your-system.md): a
// PromQL expression per metric the comparison has a row for, and optionally the server to ask
// (else --prometheus). The simulator ignores it. Each kind takes only the metrics it has a
// predicted value for, so a misplaced one is an error at its key, not a row that never appears.
const PromQl = Schema.String.pipe(Schema.filter((q) => q.trim().length > 0 || "a PromQL expression must not be empty"));
const PromServer = Schema.String.pipe(Schema.filter((u) => {
  try {
    const url = new URL(u);
    return url.protocol === "http:" || url.protocol === "https:" || `a Prometheus server is an http(s) URL, got ${JSON.stringify(u)}`;
  } catch {
    return `a Prometheus server is an http(s) URL like http://127.0.0.1:9090, got ${JSON.stringify(u)}`;
  }
}));
export const METRIC_KEYS = {
  station: ["utilization"],
  load_balancer: ["queue_depth"],
  service: ["utilization"],
  cache: ["hit_ratio"],
  database: ["pool_wait_ms", "replication_lag_ms"],
  queue: ["queue_depth", "async_latency_ms"],
  cdn: [],
  function: [],
  realtime: [],
} as const;
const metricsOf = <K extends keyof typeof METRIC_KEYS>(kind: K) =>
  Schema.Struct({
    server: Schema.optional(PromServer),
    ...(Object.fromEntries(METRIC_KEYS[kind].map((k) => [k, Schema.optional(PromQl)])) as Record<(typeof METRIC_KEYS)[K][number], Schema.optional<typeof PromQl>>),
  });
export type ComponentMetrics = { server?: string } & Partial<Record<(typeof METRIC_KEYS)[keyof typeof METRIC_KEYS][number], string>>;

const Station = Schema.Struct({
  kind: Schema.Literal("station"),
  metrics: Schema.optional(metricsOf("station")),
  region: Schema.optional(Name),
  cost: Schema.optional(Cost),
  servers: Schema.optionalWith(integer(Count, "servers", 1, LIMITS.slots), { default: () => 1 }),
  service: DistSchema,
  buffer: Schema.optional(integer(Count, "buffer", 0)),
  queue_timeout: Schema.optional(PosDuration),
  routing: Schema.optional(Routing),
});

const HealthCheck = Schema.Struct({
  interval: PosDuration,
  rise: Schema.optionalWith(integer(Finite, "rise", 1, LIMITS.retries), { default: () => 2 }),
  fall: Schema.optionalWith(integer(Finite, "fall", 1, LIMITS.retries), { default: () => 3 }),
});

/** Keys the reference app's certificate can have (reference-app/parts/tls-cert.ts). */
export const TLS_KEYS = ["rsa-2048", "rsa-3072", "rsa-4096", "ecdsa-p256"] as const;

const LoadBalancer = Schema.Struct({
  kind: Schema.Literal("load_balancer"),
  metrics: Schema.optional(metricsOf("load_balancer")),
  region: Schema.optional(Name),
  // egress link: what it sends (responses to its callers, requests to its callees) shares this capacity
  bandwidth: Schema.optional(Bandwidth),
  cost: Schema.optional(Cost),
  algorithm: Schema.optionalWith(
    Schema.Literal("round_robin", "random", "least_connections", "power_of_two", "consistent_hash"),
    { default: () => "round_robin" as const },
  ),
  backends: Name,
  weights: Schema.optional(Schema.NonEmptyArray(atMost(positive(Finite, "weight"), "weight", LIMITS.number))),
  maxconn: Schema.optional(integer(Count, "maxconn", 1, LIMITS.slots)),
  queue_timeout: Schema.optionalWith(PosDuration, { default: () => 5 }),
  // HAProxy's `retries`: a refused connection is tried again after a 1 s turn-around, holding the
  // backend connection; only then does the request fail (503). 0 fails it at once.
  connect_retries: Schema.optionalWith(integer(Count, "connect_retries", 0, LIMITS.retries), { default: () => 3 }),
  health_check: Schema.optional(HealthCheck),
  overhead: Schema.optional(DistSchema),
  rate_limit: Schema.optional(Schema.Struct({ rate: positive(Rate, "rate_limit.rate"), burst: Schema.optionalWith(integer(Count, "rate_limit.burst", 1), { default: () => 1 }) })),
  // TLS termination (docs/scenario-format.md, "tls"): a handshake on the balancer's CPUs for each
  // new client connection, full or resumed; keep-alive spreads a connection over several requests;
  // every request then passes the same CPUs on its way in and out.
  tls: Schema.optional(Schema.Struct({
    handshake: DistSchema,
    resumed: Schema.optional(DistSchema),
    // The CPUs' time for each request on an established connection (decrypting it, encrypting its
    // answer), half on the way in and half on the way out. Every request passes the CPUs both ways,
    // so it waits behind other connections' handshakes even when its own connection is kept alive.
    request: Schema.optional(DistSchema),
    resumption: Schema.optionalWith(Probability, { default: () => 0 }),
    requests_per_connection: Schema.optionalWith(atMost(Finite.pipe(Schema.filter((n) => n >= 1 || `requests_per_connection is a mean of at least 1 request per connection, got ${n}`)), "requests_per_connection", LIMITS.number), { default: () => 1 }),
    cpus: Schema.optionalWith(integer(Count, "tls.cpus", 1, LIMITS.slots), { default: () => 1 }),
    // The certificate's key, for the reference app's certificate (the model's cost is `handshake`).
    key: Schema.optionalWith(Schema.Literal(...TLS_KEYS), { default: () => "rsa-2048" as const }),
  })),
});

// A handler per request class; `<class>/revalidate` is what a browser's conditional request for
// the class runs (a 304's work, browser_cache), the class's own handler when absent.
const HANDLER_KEY_PATTERN = "^[a-z][a-z0-9_-]*(/revalidate)?$";
const HANDLER_KEY_RE = new RegExp(HANDLER_KEY_PATTERN);
const HandlerKey = Schema.String.pipe(
  Schema.filter((s) => HANDLER_KEY_RE.test(s) || `a handler is named by its request class (or <class>/revalidate), got ${JSON.stringify(s)}`, { jsonSchema: { pattern: HANDLER_KEY_PATTERN } }),
);
const Handlers = NamedRecord(HandlerKey, Flow);

const Autoscaling = Schema.Struct({
  min: integer(Count, "autoscaling.min", 1, LIMITS.replicas),
  max: integer(Count, "autoscaling.max", 1, LIMITS.replicas),
  metric: Schema.optionalWith(Schema.Literal("utilization", "in_flight", "rps"), { default: () => "utilization" as const }),
  target: atMost(positive(Finite, "autoscaling.target"), "autoscaling.target", LIMITS.number),
  interval: Schema.optionalWith(PosDuration, { default: () => 10 }),
  step_out: Schema.optional(integer(Count, "autoscaling.step_out", 1, LIMITS.replicas)),
  step_in: Schema.optionalWith(integer(Count, "autoscaling.step_in", 1, LIMITS.replicas), { default: () => 1 }),
  cooldown_out: Schema.optionalWith(nonNegative(Duration, "cooldown_out"), { default: () => 30 }),
  cooldown_in: Schema.optionalWith(nonNegative(Duration, "cooldown_in"), { default: () => 120 }),
  boot: Schema.optionalWith(nonNegative(Duration, "boot"), { default: () => 30 }),
});
export type AutoscalingSpec = typeof Autoscaling.Type;

const Retries = Schema.Struct({
  attempts: integer(Count, "retries.attempts", 1, LIMITS.retries),
  backoff: Schema.optionalWith(PosDuration, { default: () => 0.05 }),
  max_backoff: Schema.optionalWith(PosDuration, { default: () => 2 }),
  jitter: Schema.optionalWith(Schema.Literal("none", "full"), { default: () => "full" as const }),
  budget: Schema.optional(Ratio.pipe(Schema.filter((b) => b > 0 || `a retry budget must be above 0 (a budget of 0 can never refill; omit retries instead), got ${b}`))),
});
export type RetriesSpec = typeof Retries.Type;

const CircuitBreaker = Schema.Struct({
  failure_rate: Probability,
  window: Schema.optionalWith(PosDuration, { default: () => 10 }),
  min_calls: Schema.optionalWith(integer(Count, "min_calls", 1), { default: () => 20 }),
  open_for: Schema.optionalWith(PosDuration, { default: () => 5 }),
  half_open_calls: Schema.optionalWith(integer(Count, "half_open_calls", 1), { default: () => 5 }),
});
export type CircuitBreakerSpec = typeof CircuitBreaker.Type;

const Service = Schema.Struct({
  kind: Schema.Literal("service"),
  metrics: Schema.optional(metricsOf("service")),
  region: Schema.optional(Name),
  // egress link: what it sends (responses to its callers, requests to its callees) shares this capacity
  bandwidth: Schema.optional(Bandwidth),
  retries: Schema.optional(Retries),
  circuit_breaker: Schema.optional(CircuitBreaker),
  autoscaling: Schema.optional(Autoscaling),
  cost: Schema.optional(Cost),
  replicas: Schema.optionalWith(integer(Count, "replicas", 1, LIMITS.replicas), { default: () => 1 }),
  concurrency: Schema.optionalWith(integer(Count, "concurrency", 1, LIMITS.slots), { default: () => 1 }),
  backlog: Schema.optional(integer(Count, "backlog", 0)),
  timeout: Schema.optional(PosDuration),
  service: Schema.optional(DistSchema),
  handlers: Schema.optional(Handlers),
  network: Schema.optional(DistSchema),
  // per outgoing call (cache, database, publish, another service), each way: the client side's own
  // time beyond `network` (driver, event loop, loopback), never injected by the reference app (its
  // `network` is a real wait there); validation --calibrate measures it
  call_overhead: Schema.optional(DistSchema),
  // per-request time inside the slot beyond the handler (the framework's own work), never injected
  // by the reference app: it is what the real service takes; validation --calibrate measures it
  overhead: Schema.optional(DistSchema),
});

/** Redis's default maxmemory-samples: what `eviction: sampled` draws when `samples` is not given. */
export const REDIS_SAMPLES = 5;

const Cache = Schema.Struct({
  kind: Schema.Literal("cache"),
  metrics: Schema.optional(metricsOf("cache")),
  region: Schema.optional(Name),
  // egress link: what it sends (responses to its callers, requests to its callees) shares this capacity
  bandwidth: Schema.optional(Bandwidth),
  cost: Schema.optional(Cost),
  capacity: integer(Count, "capacity", 1, LIMITS.keys),
  ttl: Schema.optional(PosDuration),
  service: Schema.optionalWith(DistSchema, { default: () => ({ dist: "constant", value: 0.0002 }) as Dist }),
  value_size: Schema.optionalWith(positive(Size, "value_size"), { default: () => 1000 }),
  // `lru`: exact LRU; `sampled`: Redis's allkeys-lru, `samples` keys per eviction into a pool of 16
  eviction: Schema.optionalWith(Schema.Literal("lru", "sampled"), { default: () => "lru" as const }),
  samples: Schema.optional(integer(Count, "samples", 1, 64)),
});

// A database's table (model/table.ts): its rows at the start, the rows each write adds, its
// secondary indexes, and what a row costs to find by an index (per log2 of the rows) or by a scan.
const Table = Schema.Struct({
  rows: integer(Count, "table.rows", 0, LIMITS.rows),
  growth: Schema.optionalWith(atMost(nonNegative(Finite, "table.growth"), "table.growth", LIMITS.number), { default: () => 1 }),
  indexes: Schema.optionalWith(Schema.Array(Name), { default: () => [] }),
  lookup: Schema.optionalWith(nonNegative(Duration, "table.lookup"), { default: () => 2e-6 }),
  scan: Schema.optionalWith(nonNegative(Duration, "table.scan"), { default: () => 5e-8 }),
});
export type TableSpec = typeof Table.Type;

const Database = Schema.Struct({
  kind: Schema.Literal("database"),
  metrics: Schema.optional(metricsOf("database")),
  region: Schema.optional(Name),
  // egress link: what it sends (responses to its callers, requests to its callees) shares this capacity
  bandwidth: Schema.optional(Bandwidth),
  cost: Schema.optional(Cost),
  keys: Schema.optionalWith(integer(Count, "keys", 1, LIMITS.keys), { default: () => 10000 }),
  read: DistSchema,
  write: DistSchema,
  replicas: Schema.optionalWith(integer(Count, "replicas", 0, LIMITS.dbReplicas), { default: () => 0 }),
  read_from: Schema.optionalWith(Schema.Literal("primary", "replicas", "any"), { default: () => "primary" as const }),
  replication_lag: Schema.optional(DistSchema),
  // asynchronous (absent): a write is acknowledged by the primary alone; synchronous: once every
  // replica has applied it (the write's time plus a replication_lag draw)
  replication: Schema.optional(Schema.Literal("asynchronous", "synchronous")),
  max_connections: Schema.optionalWith(integer(Count, "max_connections", 1, LIMITS.slots), { default: () => 100 }),
  pool: Schema.optional(Schema.Struct({
    size: integer(Count, "pool.size", 1, LIMITS.slots),
    timeout: Schema.optionalWith(PosDuration, { default: () => 30 }),
  })),
  shards: Schema.optional(Schema.Struct({
    count: integer(Count, "shards.count", 1, LIMITS.replicas),
    by: Schema.optionalWith(Schema.Literal("hash", "range"), { default: () => "hash" as const }),
  })),
  table: Schema.optional(Table),
});

const Queue = Schema.Struct({
  kind: Schema.Literal("queue"),
  metrics: Schema.optional(metricsOf("queue")),
  region: Schema.optional(Name),
  cost: Schema.optional(Cost),
  workers: Schema.optionalWith(integer(Count, "workers", 1, LIMITS.slots), { default: () => 1 }),
  prefetch: Schema.optionalWith(integer(Count, "prefetch", 1, LIMITS.prefetch), { default: () => 1 }),
  service: DistSchema,
  handler: Schema.optional(Flow),
  max_length: Schema.optional(integer(Count, "max_length", 1)),
  overflow: Schema.optionalWith(Schema.Literal("reject_publish", "drop_head"), { default: () => "reject_publish" as const }),
  retries: Schema.optionalWith(integer(Count, "retries", 0, LIMITS.retries), { default: () => 0 }),
  failure_rate: Schema.optionalWith(Probability, { default: () => 0 }),
  partitions: Schema.optional(integer(Count, "partitions", 1, LIMITS.replicas)),
  // the broker's confirm: how long a publisher waits from sending to the broker's ack (persisting
  // included), beyond the edge's network; a property of the real broker, never injected
  confirm: Schema.optional(DistSchema),
  // a confirm after the broker sat idle takes longer (its processes and the machine's CPUs wake
  // from sleep; reference-app/bench/confirm-rate.ts): cost x (1 - e^(-gap/idle)) is added to the
  // confirm, gap being the time since the queue's previous publish, so the mean confirm falls with
  // the publish rate as the real one does (by cost / (1 + rate x idle) for Poisson publishes)
  confirm_wake: Schema.optional(Schema.Struct({ cost: nonNegative(Duration, "cost"), idle: PosDuration })),
});

const Cdn = Schema.Struct({
  kind: Schema.Literal("cdn"),
  metrics: Schema.optional(metricsOf("cdn")),
  region: Schema.optional(Name),
  // egress link: what it sends (responses to its callers, requests to its callees) shares this capacity
  bandwidth: Schema.optional(Bandwidth),
  cost: Schema.optional(Cost),
  origin: Name,
  ttl: Schema.optional(PosDuration),
  edge_latency: Schema.optionalWith(DistSchema, { default: () => ({ dist: "constant", value: 0.005 }) as Dist }),
  objects: Keys,
});

// A serverless function (components/function/): instances created on demand up to max_instances,
// each taking `concurrency` invocations at once, a cold start when a new one starts, reclaimed after
// idle_timeout without work (provisioned ones kept warm), billed per request and per GB-second.
const FunctionCost = Schema.Struct({
  million_requests: Schema.optional(Price),
  // execution time (the cold start's init included, as Lambda bills it) x memory
  gb_second: Schema.optional(Price),
  // provisioned instances: memory x the whole time they are kept warm
  provisioned_gb_second: Schema.optional(Price),
});
export type FunctionCost = typeof FunctionCost.Type;

const FunctionStruct = Schema.Struct({
  kind: Schema.Literal("function"),
  metrics: Schema.optional(metricsOf("function")),
  region: Schema.optional(Name),
  cost: Schema.optional(FunctionCost),
  max_instances: Schema.optionalWith(integer(Count, "max_instances", 1, LIMITS.replicas), { default: () => 1000 }),
  concurrency: Schema.optionalWith(integer(Count, "concurrency", 1, LIMITS.slots), { default: () => 1 }),
  cold_start: DistSchema,
  // boots' worth of capacity the instances starting at once share (processor sharing: k > c starts
  // at once each take k/c times their cold_start draw); absent: each start is its draw alone
  boot_capacity: Schema.optional(Schema.Number.pipe(Schema.filter((n) => (n > 0 && Number.isFinite(n)) || `boot_capacity must be a finite number greater than 0 (boots at once at full speed), got ${n}`))),
  idle_timeout: Schema.optionalWith(PosDuration, { default: () => 600 }),
  provisioned: Schema.optionalWith(integer(Count, "provisioned", 0, LIMITS.replicas), { default: () => 0 }),
  memory: Schema.optionalWith(positive(Size, "memory"), { default: () => 128 * 1024 * 1024 }),
  // longest invocation, its cold start included; the invocation is stopped and its caller fails
  timeout: Schema.optional(PosDuration),
  // beyond max_instances x concurrency invocations: refused at once (429) or queued for a free slot
  on_throttle: Schema.optionalWith(Schema.Literal("reject", "queue"), { default: () => "reject" as const }),
  queue: Schema.optional(integer(Count, "queue", 0)),
  queue_timeout: Schema.optional(PosDuration),
  service: Schema.optional(DistSchema),
  handlers: Schema.optional(Handlers),
  network: Schema.optional(DistSchema),
  // per invocation, on the instance before the handler: the platform's own time in the slot (the
  // dispatcher's round trip to the instance, its event loop), never injected by the reference app;
  // the function validation measures it (validation/function-overhead.ts)
  overhead: Schema.optional(DistSchema),
});

// A real-time (WebSocket) server pool: components/realtime/ and docs/scenario-format.md.
const Realtime = Schema.Struct({
  kind: Schema.Literal("realtime"),
  metrics: Schema.optional(metricsOf("realtime")),
  region: Schema.optional(Name),
  cost: Schema.optional(Cost),
  instances: Schema.optionalWith(integer(Count, "instances", 1, LIMITS.replicas), { default: () => 1 }),
  max_connections: Schema.optionalWith(integer(Count, "max_connections", 1, LIMITS.slots), { default: () => 10000 }),
  balance: Schema.optionalWith(Schema.Literal("least_connections", "round_robin", "random"), { default: () => "least_connections" as const }),
  memory: Schema.optional(positive(Size, "memory")),
  memory_base: Schema.optionalWith(nonNegative(Size, "memory_base"), { default: () => 0 }),
  memory_per_connection: Schema.optionalWith(nonNegative(Size, "memory_per_connection"), { default: () => 0 }),
  message_size: Schema.optionalWith(nonNegative(Size, "message_size"), { default: () => 0 }),
  restart_after: Schema.optionalWith(PosDuration, { default: () => 30 }),
  // each session subscribes to one channel, drawn by popularity; a message reaches its channel's subscribers
  channels: Schema.optionalWith(Schema.Struct({
    count: integer(Count, "channels.count", 1, LIMITS.keys),
    popularity: Schema.optionalWith(Schema.Literal("zipf", "uniform"), { default: () => "uniform" as const }),
    s: Schema.optional(atMost(nonNegative(Finite, "zipf s"), "zipf s", LIMITS.zipfS)),
  }), { default: () => ({ count: 1, popularity: "uniform" as const }) }),
  send: Schema.optionalWith(DistSchema, { default: () => ({ dist: "constant", value: 0.00002 }) as Dist }),
  send_buffer: Schema.optional(PosDuration),
  network: Schema.optional(DistSchema),
  // service: the backbone's own time per message (one server, FIFO); latency: the way from it to the
  // instances, a delay that does not queue (optional); remote_latency: the way to the instances other
  // than the publishing one, when it differs (optional; default `latency`). Redis pub/sub reaches the
  // publisher's own subscriber sooner than the others' (0.484 vs 0.531 ms p50, 4 Dec 2026)
  backbone: Schema.optional(Schema.Struct({ service: DistSchema, latency: Schema.optional(DistSchema), remote_latency: Schema.optional(DistSchema) })),
  reconnect: Schema.optionalWith(Schema.Struct({
    backoff: Schema.optionalWith(PosDuration, { default: () => 1 }),
    max_backoff: Schema.optionalWith(PosDuration, { default: () => 30 }),
    jitter: Schema.optionalWith(Schema.Literal("none", "full", "equal"), { default: () => "full" as const }),
    attempts: Schema.optionalWith(integer(Count, "reconnect.attempts", 1, LIMITS.retries), { default: () => 10 }),
  }), { default: () => ({ backoff: 1, max_backoff: 30, jitter: "full" as const, attempts: 10 }) }),
});

export const ComponentSchema = Schema.Union(Station, LoadBalancer, Service, Cache, Database, Queue, Cdn, FunctionStruct, Realtime);
export type Component = typeof ComponentSchema.Type;
export type ComponentKind = Component["kind"];
export type StationComponent = typeof Station.Type;
export type LoadBalancerComponent = typeof LoadBalancer.Type;
export type ServiceComponent = typeof Service.Type;
export type CacheComponent = typeof Cache.Type;
export type DatabaseComponent = typeof Database.Type;
export type QueueComponent = typeof Queue.Type;
export type CdnComponent = typeof Cdn.Type;
export type FunctionComponent = typeof FunctionStruct.Type;
export type RealtimeComponent = typeof Realtime.Type;

// ---------------------------------------------------------------- scenario

const Simulation = Schema.Struct({
  duration: Schema.optional(PosDuration),
  warmup: Schema.optional(nonNegative(Duration, "warmup")),
  interval: Schema.optionalWith(PosDuration, { default: () => 1 }),
  replications: Schema.optionalWith(integer(Count, "replications", 1, LIMITS.replications), { default: () => 5 }),
});

const Slo = Schema.Struct({
  latency: Schema.optional(Schema.Struct({
    p50: Schema.optional(PosDuration),
    p90: Schema.optional(PosDuration),
    p95: Schema.optional(PosDuration),
    p99: Schema.optional(PosDuration),
    p999: Schema.optional(PosDuration),
    mean: Schema.optional(PosDuration),
  })),
  error_rate: Schema.optional(Probability),
});
export type Slo = typeof Slo.Type;

// Failures injected into a run: scheduled at a time, or random with a mean time between failures.
const Failure = Schema.Union(
  Schema.Struct({
    at: nonNegative(Duration, "at"),
    crash: Name,
    replica: Schema.optionalWith(integer(Count, "replica", 1, LIMITS.replicas), { default: () => 1 }),
    restart_after: Schema.optional(PosDuration),
  }),
  Schema.Struct({
    at: nonNegative(Duration, "at"),
    fail_primary: Name,
    shard: Schema.optionalWith(integer(Count, "shard", 0, LIMITS.replicas), { default: () => 0 }),
    promote_after: PosDuration,
  }),
  Schema.Struct({ at: nonNegative(Duration, "at"), lose: Name }),
  // A whole region goes down: every component in it, for `for`.
  Schema.Struct({ at: nonNegative(Duration, "at"), region: Name, for: PosDuration }),
  Schema.Struct({ random: Name, mtbf: PosDuration, mttr: PosDuration }),
);
export type FailureSpec = typeof Failure.Type;

// Regions and the one-way latency between them (given once per pair; it is symmetric).
const Region = Schema.Struct({
  latency: Schema.optional(NamedRecord(Name, DistSchema)),
  // the link to another region, each way (given once per pair, as latency): transfers crossing it share it
  bandwidth: Schema.optional(NamedRecord(Name, Bandwidth)),
});
export type RegionSpec = typeof Region.Type;

// Bounds for `headroom plan`: "component.field" -> [min, max] (docs/scenario-format.md, "plan").
const PlanBound = integer(Count, "a plan bound", 0);
// component.field, e.g. api.replicas or db.pool.size
const PLAN_KEY_PATTERN = "^[a-z][a-z0-9_-]*\\.[a-z][a-z0-9_.]*$";
const PLAN_KEY_RE = new RegExp(PLAN_KEY_PATTERN);
const PlanKey = Schema.String.pipe(
  Schema.filter((s) => PLAN_KEY_RE.test(s) || `a plan key is component.field (e.g. api.replicas), got ${JSON.stringify(s)}`, { jsonSchema: { pattern: PLAN_KEY_PATTERN } }),
);
const Plan = NamedRecord(PlanKey, Schema.Tuple(PlanBound, PlanBound));
export type Plan = typeof Plan.Type;

const Regions = NamedRecord(Name, Region);
const Geo = NamedRecord(Name, Schema.NonEmptyArray(Name));

// Where the dashboard draws each node (`clients` and components): [x, y] on its canvas, written
// when a node is placed or moved by hand. The simulator and every other reader ignore it.
const LayoutCoordinate = atMost(Finite, "a layout coordinate", 1e6).pipe(Schema.filter((n) => n >= -1e6 || `a layout coordinate must be at least -1000000, got ${n}`));
const Layout = NamedRecord(Name, Schema.Tuple(LayoutCoordinate, LayoutCoordinate));

export const ScenarioSchema = Schema.Struct({
  version: Schema.Literal(1),
  name: Schema.String,
  description: Schema.optional(Schema.String),
  // The random streams hash the seed as an unsigned 32-bit integer; a larger one would wrap.
  seed: Schema.optionalWith(integer(Finite, "seed", 0, Number.MAX_SAFE_INTEGER).pipe(Schema.filter((n) => n <= 2 ** 32 - 1 || `seed must be at most 4294967295, got ${n}`)), { default: () => 1 }),
  simulation: Schema.optionalWith(Simulation, { default: () => ({ interval: 1, replications: 5 }) }),
  load: LoadSchema,
  components: NamedRecord(Name, ComponentSchema).pipe(
    Schema.filter((r) => Object.keys(r).length > 0 || "components needs at least one component"),
  ),
  slo: Schema.optional(Slo),
  regions: Schema.optional(Regions),
  // Geo routing (a latency-based DNS name or global balancer): a name that calls (and CDN origins)
  // may use like a component; it sends each request to the listed entry in the request's origin
  // region, or to the nearest healthy one when that region is down.
  geo: Schema.optional(Geo),
  failures: Schema.optional(Schema.Array(Failure)),
  plan: Schema.optional(Plan),
  layout: Schema.optional(Layout),
}).annotations({ identifier: "HeadroomScenario", title: "Headroom scenario, format version 1" });

export type Scenario = typeof ScenarioSchema.Type;
export const decodeOptions = DECODE_OPTIONS;

// The sections one by one, so that a file that fails to decode as a whole can still be checked
// part by part (parse.ts) and every problem reported at once.
export const SectionSchemas = {
  name: Name,
  simulation: Simulation,
  requestClass: RequestClass,
  component: ComponentSchema,
  regions: Regions,
  geo: Geo,
  failure: Failure,
  plan: Plan,
} as const;
