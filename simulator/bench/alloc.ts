// `node bin/run-ts.mjs simulator/bench/alloc.ts`: bytes the engine allocates per event, by the
// function that allocated them. Why: the loop is meant to allocate nothing per event, yet a double
// passed to or returned from a call V8 did not inline is boxed (a heap number each time), and which
// calls V8 inlines shifts with every change to the code around them; the timings cannot show a
// few bytes per event on a shared machine, this can. It runs a benchmark of bench/main.ts under
// V8's sampling heap profiler with the objects the young and old generation collected included
// (a plain heap snapshot would miss them: they are garbage by then) and divides by the events.
// The benchmark's own warm-up run happens before sampling starts, so JIT warm-up is left out.
// Options: --only NAME (mmc, network5, topology; default all three), --events N (default 3M),
// --top N (functions listed, default 8), --interval BYTES (mean sampling interval, default 256).
import { Session } from "node:inspector";
import { parseArgs } from "node:util";
import { runBench } from "./main.ts";

interface ProfileNode {
  callFrame: { functionName: string; url: string };
  selfSize: number;
  children: ProfileNode[];
}

const WARMUP_EVENTS = 2_000_000; // runBench's own warm-up run, inside the sampled call

const { values } = parseArgs({ options: { only: { type: "string" }, events: { type: "string" }, top: { type: "string" }, interval: { type: "string" } } });
const names = values.only ? [values.only] : ["mmc", "network5", "topology"];
const events = values.events ? Number(values.events) : 3_000_000;
const top = values.top ? Number(values.top) : 8;
const interval = values.interval ? Number(values.interval) : 256;

const session = new Session();
session.connect();
const post = <T>(method: string, params: object = {}) =>
  new Promise<T>((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r as T))));
await post("HeapProfiler.enable");

for (const name of names) {
  runBench(name, WARMUP_EVENTS); // compiled and optimized before sampling starts
  await post("HeapProfiler.startSampling", { samplingInterval: interval, includeObjectsCollectedByMinorGC: true, includeObjectsCollectedByMajorGC: true });
  const r = runBench(name, events);
  const { profile } = await post<{ profile: { head: ProfileNode } }>("HeapProfiler.stopSampling");
  const counted = r.events + WARMUP_EVENTS;
  const bySite = new Map<string, number>();
  let total = 0;
  const walk = (n: ProfileNode) => {
    if (n.selfSize > 0) {
      const file = n.callFrame.url.split("/").slice(-2).join("/") || "(native)";
      // no line: under tsx the positions are the transformed code's, not the source's
      const site = `${n.callFrame.functionName || "(anonymous)"} (${file})`;
      bySite.set(site, (bySite.get(site) ?? 0) + n.selfSize);
      total += n.selfSize;
    }
    for (const c of n.children) walk(c);
  };
  walk(profile.head);
  console.log(`${name}: ${(total / counted).toFixed(1)} bytes per event (${counted} events sampled, the benchmark's warm-up run included)`);
  for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`  ${(bytes / counted).toFixed(2).padStart(7)}  ${site}`);
  }
}
session.disconnect();
