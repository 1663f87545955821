// Reads Prometheus text exposition (what the reference app's /metrics serve) into sums per metric
// name, so the validation harness can add up a gauge or counter over every replica and worker.

/** Labels whose values also get a sum of their own: `name{class=get_product}`, `name{kind=cache}`, `name{server=s0.primary}`. */
const GROUP_LABELS = ["class", "kind", "server"].map((l) => ({ l, re: new RegExp(`(?:^|,)${l}="([^"]*)"`) }));
const KIND_RE = /(?:^|,)kind="([^"]*)"/;
const LE_RE = /(?:^|,)le="([^"]*)"/;

/**
 * Sum of every sample of each metric name (all label sets added), e.g. headroom_slots_busy; and,
 * for samples carrying a `class` or `kind` label, also per value of it, under `name{label=value}`
 * (what calibration at load reads per class and per kind of call).
 */
export function sumMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    // name{labels} value [timestamp]; label values may hold spaces, so split after the closing brace
    const brace = line.indexOf("{");
    const close = brace >= 0 ? line.lastIndexOf("}") : -1;
    const name = brace >= 0 ? line.slice(0, brace) : line.slice(0, line.indexOf(" "));
    const rest = (close >= 0 ? line.slice(close + 1) : line.slice(name.length)).trim();
    const value = Number(rest.split(/\s+/)[0]);
    if (!name || !Number.isFinite(value)) continue;
    out.set(name, (out.get(name) ?? 0) + value);
    if (brace < 0) continue;
    const labels = line.slice(brace + 1, close);
    for (const { l, re } of GROUP_LABELS) {
      const m = re.exec(labels);
      if (m) out.set(`${name}{${l}=${m[1]}}`, (out.get(`${name}{${l}=${m[1]}}`) ?? 0) + value);
    }
    // a histogram's buckets per kind: `name{kind=queue,le=0.005}` (calibration reads a call's spread)
    if (name.endsWith("_bucket")) {
      const kind = KIND_RE.exec(labels), le = LE_RE.exec(labels);
      if (kind && le) out.set(`${name}{kind=${kind[1]},le=${le[1]}}`, (out.get(`${name}{kind=${kind[1]},le=${le[1]}}`) ?? 0) + value);
    }
  }
  return out;
}

/** Adds several scrapes (one per process) into one map. */
export function addScrapes(scrapes: ReadonlyArray<Map<string, number>>): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of scrapes) for (const [k, v] of s) out.set(k, (out.get(k) ?? 0) + v);
  return out;
}
