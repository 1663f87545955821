// The scenarios the dashboard offers in one click: every file of scenarios/ (bundled at build time
// as raw text, so the page needs no server) plus small templates to start a new model from.

const files = import.meta.glob("../../scenarios/*.yaml", { query: "?raw", import: "default", eager: true }) as Record<string, string>;

export interface Preset {
  readonly id: string;
  readonly label: string;
  readonly group: "scenario" | "template";
  readonly text: string;
}

const TEMPLATE_STATION = `# A new open-load model: one station. Edit, then Run (Ctrl+Enter).
version: 1
name: new-station
seed: 1
simulation:
  duration: 60s
  warmup: 10s
  replications: 5
load:
  model: open
  rate: 100/s
  classes:
    request:
      flow: [api]
components:
  api:
    kind: station
    servers: 4
    service: { dist: exponential, mean: 30ms }
slo:
  latency: { p95: 200ms, p99: 500ms }
  error_rate: 0.1%
`;

const TEMPLATE_TANDEM = `# Two stations in tandem, a bounded buffer and a retry loop (30% go back to api).
version: 1
name: new-tandem
seed: 1
simulation:
  duration: 60s
  warmup: 10s
  replications: 5
load:
  model: open
  rate: 80/s
  classes:
    read:
      weight: 3
      flow: [api, db]
    write:
      weight: 1
      flow: [api, { visit: db, service: { dist: exponential, mean: 15ms } }]
components:
  api:
    kind: station
    servers: 4
    service: { dist: lognormal, mean: 20ms, cv: 0.8 }
    buffer: 200
  db:
    kind: station
    servers: 2
    service: { dist: exponential, mean: 6ms }
    routing:
      - { to: api, p: 0.1 }
      - { to: exit, p: 0.9 }
slo:
  latency: { p95: 250ms }
  error_rate: 1%
`;

const TEMPLATE_CLOSED = `# A closed model: 50 users with 1 s think time, ramped up then held.
version: 1
name: new-closed
seed: 1
simulation:
  warmup: 20s
  replications: 3
load:
  model: closed
  start_users: 0
  stages:
    - { duration: 30s, target: 50 }
    - { duration: 90s, target: 50 }
  think: { dist: exponential, mean: 1s }
  classes:
    browse:
      flow: [web]
components:
  web:
    kind: station
    servers: 2
    service: { dist: gamma, mean: 40ms, cv: 0.5 }
slo:
  latency: { p95: 300ms }
`;

const TEMPLATE_EMPTY = `# An empty canvas: drag components from the palette onto the topology, then drag from a node's
# right handle to another's left to connect them (clients -> the entry, a balancer -> its backends,
# a service -> what it calls, a station -> where it routes, a queue -> its handler's calls, a CDN
# -> its origin). Every gesture is written here; Run once the model has no problems.
version: 1
name: new-by-hand
seed: 1
simulation:
  duration: 30s
  warmup: 5s
  replications: 3
load:
  model: open
  rate: 100/s
  classes:
    request:
      flow: []
components: {}
slo:
  latency: { p95: 200ms, p99: 500ms }
  error_rate: 0.1%
`;

function baseName(path: string): string {
  return path.replace(/^.*\//, "").replace(/\.yaml$/, "");
}

export const presets: ReadonlyArray<Preset> = [
  ...Object.entries(files)
    .map(([path, text]) => ({ id: `scenario:${baseName(path)}`, label: `${baseName(path)}.yaml`, group: "scenario" as const, text }))
    .sort((a, b) => a.id.localeCompare(b.id)),
  { id: "template:station", label: "New: one station (open load)", group: "template", text: TEMPLATE_STATION },
  { id: "template:tandem", label: "New: two stations, routing", group: "template", text: TEMPLATE_TANDEM },
  { id: "template:closed", label: "New: closed users, think time", group: "template", text: TEMPLATE_CLOSED },
  { id: "template:empty", label: "New: empty canvas (build by hand)", group: "template", text: TEMPLATE_EMPTY },
];

/** The scenario the page opens on when the URL carries none: one the simulator runs today. */
export const defaultPreset: Preset = presets.find((p) => p.id === "scenario:single-service") ?? presets[0];
