// The generic k6 script: sends a scenario's load (its plan is injected as "headroom:config" when the
// harness bundles this file) to __ENV.TARGET. One iteration is one request of a class picked by
// weight, tagged `name: <class>`, with `{key}` drawn from the class's key popularity; a closed load
// thinks between requests; Poisson arrivals are paced per VU (see k6/plan.ts). Runs on stock k6 and
// on the built-in runner alike.
/// <reference types="k6" />
import http from "k6/http";
import { check, sleep } from "k6";
import exec from "k6/execution";
import { Counter, Rate, Trend } from "k6/metrics";
import config from "headroom:config";
import { inverseCumulative } from "./lib/profile.ts";
import { sample, Zipf } from "./lib/random.ts";

export const options = config.options;

const target = (__ENV.TARGET || "http://127.0.0.1:8080").replace(/\/+$/, "");
const lateArrivals = new Counter("headroom_late_arrivals");
const arrivalDelay = new Trend("headroom_arrival_delay", true);
// per paced arrival: late or not (headroom load prints the share), and the latency from its
// scheduled arrival: http_req_duration plus the late start (wrk2's correction for coordinated omission)
const arrivalLate = new Rate("headroom_arrival_late");
const correctedDuration = new Trend("headroom_req_duration_corrected", true);

const classes = config.classes.map((c) => ({
  name: c.name,
  weight: c.weight,
  method: c.method,
  path: c.path,
  body: c.body === undefined ? null : typeof c.body === "string" ? c.body : JSON.stringify(c.body),
  zipf: c.keys ? new Zipf(c.keys.count, c.keys.popularity === "zipf" ? c.keys.s : 0) : null,
  check: { [`${c.name} status is 2xx/3xx`]: (r: { status: number }) => r.status >= 200 && r.status < 400 },
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

/** Sends one request of a class picked by weight; returns its http_req_duration and class. */
function send(): { ms: number; name: string } {
  const c = pick();
  const key = String(c.zipf ? c.zipf.sample() - 1 : 0); // keys are 0..count-1, rank 1 is key 0
  const body = c.body === null ? null : c.body.replace(/\{key\}/g, key);
  const res = http.request(c.method, target + c.path.replace(/\{key\}/g, key), body, {
    tags: { name: c.name },
    headers: body === null ? {} : { "Content-Type": "application/json" },
  });
  check(res, c.check);
  return { ms: res.timings.duration, name: c.name };
}

// Poisson pacing: this VU's position on the integrated-rate axis; its arrivals are spaced by
// Exp(mean = paceVUs) there, i.e. a Poisson stream of rate(t) / paceVUs in real time.
let lambdaPos = 0;

export default function (): void {
  if (config.mode === "poisson-pacing") {
    lambdaPos += -Math.log(1 - Math.random()) * (config.paceVUs ?? 1);
    const at = inverseCumulative(config.knots ?? [], lambdaPos);
    const elapsed = (Date.now() - exec.scenario.startTime) / 1000;
    if (!Number.isFinite(at)) {
      // no arrival left for this VU: idle until the end so the executor does not loop
      const end = config.knots ? config.knots[config.knots.length - 1][0] : 0;
      if (end > elapsed) sleep(end - elapsed);
      return;
    }
    const wait = at - elapsed;
    if (wait > 0) sleep(wait);
    else if (wait < -0.001) lateArrivals.add(1);
    const lateMs = wait < 0 ? -wait * 1000 : 0;
    arrivalDelay.add(lateMs);
    arrivalLate.add(wait < -0.001);
    const r = send();
    correctedDuration.add(r.ms + lateMs, { name: r.name });
    return;
  }
  send();
  if (config.mode === "closed" && config.think) sleep(sample(config.think));
}
