// The component kinds the canvas's palette offers (build-edit.ts places them): data only, so that
// the palette draws without loading the YAML library the edits need.
/** The kinds the palette offers, in its order, with what each is for. */
export const PALETTE: ReadonlyArray<{ readonly kind: string; readonly label: string; readonly hint: string }> = [
  { kind: "load_balancer", label: "load balancer", hint: "HAProxy in front of a pool: connect it to its backends" },
  { kind: "service", label: "service", hint: "replicas x slots; connect it to what it calls" },
  { kind: "database", label: "database", hint: "reads and writes, replicas, pools" },
  { kind: "cache", label: "cache", hint: "LRU keys; calls to it are gets" },
  { kind: "queue", label: "queue", hint: "workers consume published messages" },
  { kind: "station", label: "station", hint: "a queueing center: c servers and a service time" },
  { kind: "cdn", label: "cdn", hint: "edge cache: connect it to its origin" },
];
