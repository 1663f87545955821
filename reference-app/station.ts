// `kind: station` in the reference app. A station is the model's queueing center: `servers`
// identical servers, one FIFO queue of `buffer` places (unbounded without), a service time drawn per
// visit. Its real counterpart is exactly what the app makes of a service with one replica: one Node
// process whose `concurrency` slots are the servers, a FIFO backlog of `buffer` places (then 503),
// each visit a wait drawn with the simulator's own sampler from the process's seeded stream. So a
// station is planned as that service (same name, so the results' rows meet), reached straight by
// the classes that visit it, and nothing else in the app has to know stations.
// What is realized: a class whose whole flow is one visit (`[api]`, or `{ visit: api, service: 5ms }`
// with its class-specific time), which is how the bundled single-service.yaml and the station
// examples read, and `queue_timeout` (reneging: a request still waiting after it leaves with 503,
// service/slots.ts). Refused by field: `routing` (a network of stations with probabilistic routing
// has no HTTP counterpart here) and visits anywhere but as a class's whole flow.
import type { Scenario, ServiceComponent, StationComponent, Step } from "../simulator/model/index.ts";

export interface StationIssue {
  readonly field: string;
  readonly reason: string;
}

/** The scenario with each station read as a one-replica service, and what of the stations cannot be. */
export function stationsAsServices(s: Scenario): { scenario: Scenario; issues: StationIssue[]; queueTimeouts: ReadonlyMap<string, number> } {
  const stations = Object.entries(s.components).filter((e): e is [string, StationComponent] => e[1].kind === "station");
  const queueTimeouts = new Map(stations.flatMap(([n, st]) => (st.queue_timeout !== undefined ? [[n, st.queue_timeout] as const] : [])));
  if (stations.length === 0) return { scenario: s, issues: [], queueTimeouts };
  const issues: StationIssue[] = [];
  const handlers = new Map<string, Record<string, readonly Step[]>>(stations.map(([n]) => [n, Object.create(null) as Record<string, readonly Step[]>]));
  for (const [name, st] of stations) {
    if (st.routing !== undefined) issues.push({ field: `components.${name}.routing`, reason: "routing between stations is not realized by the reference app (a station runs as one pool of servers a class's flow visits once)" });
  }
  const classes = Object.create(null) as Record<string, Scenario["load"]["classes"][string]>;
  for (const [cls, c] of Object.entries(s.load.classes)) {
    const visits = c.flow.filter((st) => "visit" in st);
    const first = c.flow[0];
    if (visits.length === 0 || !first) {
      classes[cls] = c;
      continue;
    }
    if (c.flow.length !== 1 || !("visit" in first) || !handlers.has(first.visit)) {
      issues.push({ field: `load.classes.${cls}.flow`, reason: "the reference app realizes a station visit only as a class's whole flow: one visit of one station (e.g. flow: [api])" });
      classes[cls] = c;
      continue;
    }
    const station = stations.find(([n]) => n === first.visit)![1];
    handlers.get(first.visit)![cls] = [{ service: first.service ?? station.service }];
    classes[cls] = { ...c, flow: [{ call: first.visit }] };
  }
  const components = Object.create(null) as Record<string, Scenario["components"][string]>;
  for (const [name, c] of Object.entries(s.components)) {
    if (c.kind !== "station") {
      components[name] = c;
      continue;
    }
    const service: ServiceComponent = {
      kind: "service",
      replicas: 1,
      concurrency: c.servers,
      backlog: c.buffer,
      // a class that does not visit it (none in a realized scenario) would do the station's time
      service: c.service,
      handlers: handlers.get(name)!,
      ...(c.region !== undefined ? { region: c.region } : {}),
      ...(c.cost !== undefined ? { cost: c.cost } : {}),
    };
    components[name] = service;
  }
  return { scenario: { ...s, components, load: { ...s.load, classes } as Scenario["load"] }, issues, queueTimeouts };
}
