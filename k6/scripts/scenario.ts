// The generic k6 script: sends a scenario's load (its plan is injected as "headroom:config" when the
// harness bundles this file) to __ENV.TARGET. One iteration is one request of a class picked by
// weight, tagged `name: <class>`, with `{key}` drawn from the class's key popularity; a closed load
// thinks between requests; Poisson arrivals come from a ramping-arrival-rate whose stages are one
// seeded Poisson realization (k6/scripts/lib/poisson.ts), drawn here in VU 0's init context, the one
// whose options k6 reads. Think times and keys come from the simulator's own samplers
// (simulator/random.ts), so the load draws what the model draws; so do request body sizes (a
// class's request_size: its body padded to the drawn size, lib/pad-body.ts). Runs on stock k6 and
// on the built-in runner alike. A paginated class walks its pages in one iteration, following each
// answer's Link rel="next", and records the walk's time in headroom_walk_duration. With regions
// (config.regions) each request's users' region is drawn by share and the request sent to that
// region's entry (TARGET_<i>; a class whose flow starts at a CDN to the region's server of the edge,
// CDN_TARGET_<i>), tagged `region`; without regions such a class goes to CDN_TARGET when it is set.
/// <reference types="k6" />
import http from "k6/http";
import { check, sleep } from "k6";
import { Trend } from "k6/metrics";
import config from "headroom:config";
import { arrivalStages, poissonArrivals, TAIL_S } from "./lib/poisson.ts";
import { padBody } from "./lib/pad-body.ts";
import { KeySampler, mathRandom, Sampler } from "../../simulator/random.ts";

/** The plan's options with the Poisson realization written into the scenario's stages. */
function withPoissonStages(): typeof config.options {
  const p = config.poisson!;
  const scenarios = config.options.scenarios as Record<string, Record<string, unknown>>;
  const stages = arrivalStages(poissonArrivals(config.knots ?? [], p.seed), p.endS + TAIL_S);
  return { ...config.options, scenarios: { ...scenarios, [config.scenario]: { ...scenarios[config.scenario], stages } } };
}

// k6 reads options from VU 0's init context only (other VUs get the merged ones): only VU 0 draws them
export const options = config.mode === "poisson" && __VU === 0 ? withPoissonStages() : config.options;

const target = (__ENV.TARGET || "http://127.0.0.1:8080").replace(/\/+$/, "");
// Without regions, a class served through a CDN goes to the edge (CDN_TARGET), else to TARGET
const cdnTarget = (__ENV.CDN_TARGET || target).replace(/\/+$/, "");

// With regions: each request's users' region drawn by share, sent to that region's entry (TARGET_<i>, else TARGET)
// and a class served through a CDN to that region's server of the edge (CDN_TARGET_<i>, else the region's entry)
const regions = (config.regions ?? []).map((r, i) => {
  const entry = (__ENV[`TARGET_${i}`] || target).replace(/\/+$/, "");
  return { name: r.name, share: r.share, target: entry, cdnTarget: (__ENV[`CDN_TARGET_${i}`] || entry).replace(/\/+$/, "") };
});

function pickRegion(): (typeof regions)[number] | null {
  if (!regions.length) return null;
  let u = Math.random();
  for (const r of regions) {
    u -= r.share;
    if (u < 0) return r;
  }
  return regions[regions.length - 1];
}

const classes = config.classes.map((c) => ({
  name: c.name,
  weight: c.weight,
  method: c.method,
  path: c.path,
  body: c.body === undefined ? null : typeof c.body === "string" ? c.body : JSON.stringify(c.body),
  keys: c.keys ? new KeySampler(c.keys.count, c.keys.popularity === "zipf" ? c.keys.s : 0) : null,
  check: { [`${c.name} status is 2xx/3xx`]: (r: { status: number }) => r.status >= 200 && r.status < 400 },
  closeConnection: c.closeConnection ?? 0,
  requestSize: c.requestSize ? new Sampler(c.requestSize) : null,
  pages: c.pages ?? 1,
  cdn: c.cdn === true,
  keyHeader: c.keyHeader === true,
}));
const walks = classes.some((c) => c.pages > 1) ? new Trend("headroom_walk_duration", true) : null;

/** The path of a Link header's rel="next" target (RFC 8288), or null. */
function nextPage(headers: Record<string, string>): string | null {
  for (const name of Object.keys(headers)) {
    if (name.toLowerCase() !== "link") continue;
    const m = /<([^>]*)>\s*;\s*rel="?next"?/i.exec(headers[name]);
    if (m) return m[1];
  }
  return null;
}
const totalWeight = classes.reduce((a, c) => a + c.weight, 0);

function pick(): (typeof classes)[number] {
  let u = Math.random() * totalWeight;
  for (const c of classes) {
    u -= c.weight;
    if (u < 0) return c;
  }
  return classes[classes.length - 1];
}

/** Sends one request of a class picked by weight: with pagination, its walk of pages. */
function send(): void {
  const c = pick();
  const region = pickRegion();
  const base = region ? (c.cdn ? region.cdnTarget : region.target) : c.cdn ? cdnTarget : target;
  const key = String(c.keys ? c.keys.sample(mathRandom) : 0); // keys 0..count-1, key 0 the most popular
  const own = c.body === null ? null : c.body.replace(/\{key\}/g, key);
  let path = c.path.replace(/\{key\}/g, key);
  const t0 = Date.now();
  // a walk is a failed request when one of its pages is (k6's default expected statuses: 200-399)
  let walkOk = true;
  for (let page = 0; page < c.pages; page++) {
    // each page's call carries the class's request size, as the model's flow runs once per page
    const body = c.requestSize ? padBody(own, c.requestSize.sample(mathRandom)) : own;
    const headers: Record<string, string> = body === null ? {} : { "Content-Type": "application/json" };
    // a class with keys whose path has no {key}: the key in a header, so the system sees the key the model draws
    if (c.keyHeader) headers["X-Headroom-Key"] = key;
    // the model's connection churn: a new connection for the next request with probability 1 / requests_per_connection
    if (c.closeConnection > 0 && Math.random() < c.closeConnection) headers.Connection = "close";
    // a walk's pages are tagged page: "1".."N" (ingest counts the first as the request)
    const tags: Record<string, string> = c.pages > 1 ? { name: c.name, page: String(page + 1) } : { name: c.name };
    if (region) tags.region = region.name;
    const res = http.request(c.method, base + path, body, { tags, headers });
    check(res, c.check);
    if (!(res.status >= 200 && res.status < 400)) walkOk = false;
    if (page + 1 === c.pages) break;
    const next = res.status >= 200 && res.status < 300 ? nextPage(res.headers) : null;
    if (next === null) break; // the table's end, or an error: the walk stops there
    path = next;
  }
  if (walks && c.pages > 1) walks.add(Date.now() - t0, { name: c.name, expected_response: walkOk ? "true" : "false", ...(region ? { region: region.name } : {}) });
}

const think = config.mode === "closed" && config.think ? new Sampler(config.think) : null;

export default function (): void {
  send();
  if (think) sleep(think.sample(mathRandom));
}
