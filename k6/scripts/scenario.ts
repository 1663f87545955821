// The generic k6 script: sends a scenario's load (its plan is injected as "headroom:config" when the
// harness bundles this file) to __ENV.TARGET. One iteration is one request of a class picked by
// weight, tagged `name: <class>`, with `{key}` drawn from the class's key popularity; a closed load
// thinks between requests; Poisson arrivals come from a ramping-arrival-rate whose stages are one
// seeded Poisson realization (k6/scripts/lib/poisson.ts), drawn here in VU 0's init context, the one
// whose options k6 reads. Think times and keys come from the simulator's own samplers
// (simulator/random.ts), so the load draws what the model draws. Runs on stock k6 and on the
// built-in runner alike.
/// <reference types="k6" />
import http from "k6/http";
import { check, sleep } from "k6";
import config from "headroom:config";
import { arrivalStages, poissonArrivals, TAIL_S } from "./lib/poisson.ts";
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

const classes = config.classes.map((c) => ({
  name: c.name,
  weight: c.weight,
  method: c.method,
  path: c.path,
  body: c.body === undefined ? null : typeof c.body === "string" ? c.body : JSON.stringify(c.body),
  keys: c.keys ? new KeySampler(c.keys.count, c.keys.popularity === "zipf" ? c.keys.s : 0) : null,
  check: { [`${c.name} status is 2xx/3xx`]: (r: { status: number }) => r.status >= 200 && r.status < 400 },
  closeConnection: c.closeConnection ?? 0,
}));
const totalWeight = classes.reduce((a, c) => a + c.weight, 0);

function pick(): (typeof classes)[number] {
  let u = Math.random() * totalWeight;
  for (const c of classes) {
    u -= c.weight;
    if (u < 0) return c;
  }
  return classes[classes.length - 1];
}

/** Sends one request of a class picked by weight. */
function send(): void {
  const c = pick();
  const key = String(c.keys ? c.keys.sample(mathRandom) : 0); // keys 0..count-1, key 0 the most popular
  const body = c.body === null ? null : c.body.replace(/\{key\}/g, key);
  const headers: Record<string, string> = body === null ? {} : { "Content-Type": "application/json" };
  // the model's connection churn: a new connection for the next request with probability 1 / requests_per_connection
  if (c.closeConnection > 0 && Math.random() < c.closeConnection) headers.Connection = "close";
  const res = http.request(c.method, target + c.path.replace(/\{key\}/g, key), body, { tags: { name: c.name }, headers });
  check(res, c.check);
}

const think = config.mode === "closed" && config.think ? new Sampler(config.think) : null;

export default function (): void {
  send();
  if (think) sleep(think.sample(mathRandom));
}
