// Classes that enter at a function, as a serverless API is built: clients reach an API gateway
// (AWS API Gateway, a Cloud Run front end) that maps each route to one invocation of the function.
// The reference app's gateway is a service of its own, `<function>_gateway`: one Node replica whose
// handler for each such class is the class's flow (a call to the function, which its dispatcher
// runs, function/dispatcher.ts), and no work of its own. The class then enters at that service, so
// the load, the launcher and the validations treat it as every other entry; the function's 429 (a
// throttle) reaches the client as a 429 (service/main.ts passes it on).
// What it trades away: the gateway is one more real hop (an HTTP request on loopback, a fraction of
// a millisecond) that the model's flow does not have; its concurrency is set so that it never
// binds before the function does (every invocation slot and queue place of the functions, and room
// for the ones answered 429 at once).
import type { FunctionComponent, Scenario, ServiceComponent, Step } from "../../simulator/model/index.ts";

/** Requests a gateway holds at once beyond its functions' slots and queues (the ones refused 429 pass through it too). */
export const GATEWAY_HEADROOM = 256;

/** The scenario with a gateway service in front of every function a class enters at; the gateways' names by function. */
export function functionGateways(s: Scenario): { scenario: Scenario; gateways: ReadonlyMap<string, string> } {
  const gateways = new Map<string, string>();
  const fnAt = (flow: readonly Step[]): string | undefined => {
    const first = flow[0];
    if (!first || !("call" in first) || !Object.hasOwn(s.components, first.call)) return undefined;
    return s.components[first.call]!.kind === "function" ? first.call : undefined;
  };
  for (const cl of Object.values(s.load.classes)) {
    const fn = fnAt(cl.flow);
    if (fn === undefined || gateways.has(fn)) continue;
    let name = `${fn}_gateway`;
    while (Object.hasOwn(s.components, name) || [...gateways.values()].includes(name)) name += "_";
    gateways.set(fn, name);
  }
  if (gateways.size === 0) return { scenario: s, gateways };
  const handlers = new Map<string, Record<string, readonly Step[]>>([...gateways.values()].map((g) => [g, Object.create(null) as Record<string, readonly Step[]>]));
  const classes = Object.create(null) as Record<string, Scenario["load"]["classes"][string]>;
  for (const [cls, c] of Object.entries(s.load.classes)) {
    const fn = fnAt(c.flow);
    if (fn === undefined) {
      classes[cls] = c;
      continue;
    }
    const gateway = gateways.get(fn)!;
    handlers.get(gateway)![cls] = c.flow;
    classes[cls] = { ...c, flow: [{ call: gateway }] };
  }
  const components = Object.assign(Object.create(null) as Record<string, Scenario["components"][string]>, s.components);
  for (const [fn, gateway] of gateways) {
    const f = s.components[fn] as FunctionComponent;
    const service: ServiceComponent = {
      kind: "service",
      replicas: 1,
      concurrency: f.max_instances * f.concurrency + (f.on_throttle === "queue" ? (f.queue ?? 0) : 0) + GATEWAY_HEADROOM,
      handlers: handlers.get(gateway)!,
      ...(f.region !== undefined ? { region: f.region } : {}),
    };
    components[gateway] = service;
  }
  return { scenario: { ...s, components, load: { ...s.load, classes } as Scenario["load"] }, gateways };
}
