// Inter-region latency without tc netem: a userspace TCP relay in the path between two regions that
// holds every chunk it forwards for the YAML's one-way latency, in each direction, preserving order.
// A caller in region A connects to the relay (run inside A's namespace, regions/relay-main.ts); the
// relay connects on to the target in region B over the regions' link, so an outage (the link set
// down) cuts the relay's path as it would cut a direct one.
//
// Delays: each chunk read from one side gets its own draw from the latency distribution (the
// simulator's samplers, so any distribution the YAML allows, not only netem's constant and normal)
// and is written to the other side at max(arrival + draw, the previous chunk's release): never
// reordered, never released early. A draw that would pass the chunk before it waits for it (a
// high-variance latency on a busy connection is slightly longer than its draws; netem with jitter
// reorders instead). Timing: a Node timer fires on whole milliseconds (and late on a busy machine),
// so the relay's timer wakes it FINE_MS before a release and a precise sleep (Atomics.wait, which
// takes fractional milliseconds and burns no CPU) covers the rest; that sleep blocks the relay's
// event loop for at most FINE_MS per release, so other connections' chunks read meanwhile are
// stamped that much later. On a loaded machine the relay should run at a real-time priority
// (relay-proc.ts does, as root), as netem runs in the kernel: else the scheduler's delay adds to
// every crossing (measured in docs/reference-app.md).
// What it trades: one more TCP hop on loopback (its own cost, measured with a zero delay), and the
// relay's event loop in the path: a busy machine delays releases past their moment.
// Bandwidth between regions (`regions.<a>.bandwidth.<b>`): a route may also carry its requests
// across the link from its caller's region to its target's (`up`) and the answers across the link
// back (`down`), the link relay's processor-sharing links (parts/link-relay.ts: each HTTP message
// whole, shared by every route of this process crossing that way), before the delay. The model
// crosses a request's link and then its latency, and an answer's latency and then its link: with
// a constant latency the order changes nothing (every transfer is shifted by the same time); with a
// random one the answers' order differs. Every HTTP message crosses (its head too); the model's
// link carries only the sized transfers.
import net from "node:net";
import { Direction, Links, type LinkDef, type LinkReport, type MessageOut } from "../parts/link-relay.ts";
import { HttpFramer } from "../parts/http-framer.ts";
// The simulator's own sampler and streams, not sampler.ts: its model import loads the schema
// (seconds of start-up on the loaded machine), which a relay does not need.
import { Rng, Sampler } from "../../simulator/random.ts";
import type { Dist } from "../../simulator/model/index.ts";

/** The precise sleep before a release: Node's timers are whole milliseconds and late by a millisecond or more on a busy machine. */
export const FINE_MS = 2;

/** What Atomics.wait sleeps on: nobody ever notifies it, so each wait lasts its timeout. */
const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

export interface RelayRoute {
  /** Where the relay listens (inside the caller's region). */
  readonly listenHost: string;
  /** 0: any free port (see RunningRelay.ports). */
  readonly listenPort: number;
  /** Where it forwards to (the target in the other region, over their link). */
  readonly targetHost: string;
  readonly targetPort: number;
  /** One-way latency, applied on the way there and again on the way back; none: forwards at once. */
  readonly latency?: Dist;
  /**
   * The latency on the way there only, the answers forwarded at once: a CDN's `edge_latency`, which
   * the model charges once per request (components/cdn: drawn when the request reaches the edge).
   */
  readonly oneWay?: boolean;
  /** Names the route's random stream (with the run's seed). */
  readonly name: string;
  /** The link between regions (index in startRelay's links) the requests cross; absent or -1: none. */
  readonly up?: number;
  /** The link the answers cross; absent or -1: none. */
  readonly down?: number;
}

export interface RunningRelay {
  /** The port each route listens on, in the routes' order. */
  readonly ports: readonly number[];
  /** Chunks forwarded so far, both directions, all routes. */
  readonly forwarded: () => number;
  /** Mean lateness of a release past its due moment (ms): what the relay's own timing adds to each crossing. */
  readonly meanLateMs: () => number;
  /**
   * Cuts the named routes (their region is down): their open connections are reset and new ones
   * reset at once, as a caller finds a link that is down; `cut(names, false)` restores them.
   */
  cut(names: readonly string[], down: boolean): void;
  /** The links between regions' figures since the start or the last reset (LinkReport). */
  links(): LinkReport[];
  resetLinks(): void;
  close(): Promise<void>;
}

/** A framer's sink that keeps nothing (the requests framed only for their methods). */
const DISCARD = { message: () => {}, passthrough: () => {} };

/** A delay line as a direction's output: what the link releases waits its latency there. */
const into = (line: DelayLine): MessageOut => {
  let ended = false;
  return {
    cork: () => {},
    uncork: () => {},
    write: (b: Buffer) => line.push(b),
    end: () => ((ended = true), line.end()),
    get writableEnded() {
      return ended;
    },
  };
};

const now = () => performance.now();

/** Chunks released, and the sum of how late each release was past its due moment (ms). */
interface Counter {
  n: number;
  lateMs: number;
}

/**
 * One direction of one connection: chunks in, the same chunks out to `out`, each after its delay,
 * in order. Typed arrays would not help here: a chunk is a Buffer the socket already made.
 */
class DelayLine {
  private readonly chunks: Buffer[] = [];
  private readonly due: number[] = [];
  private head = 0;
  private last = 0;
  private timer: NodeJS.Timeout | undefined;
  private ended = false;
  private closed = false;

  constructor(
    private readonly out: net.Socket,
    private readonly draw: () => number,
    private readonly counter: Counter,
  ) {}

  push(chunk: Buffer): void {
    const at = Math.max(now() + this.draw(), this.last);
    this.last = at;
    this.chunks.push(chunk);
    this.due.push(at);
    this.arm();
  }

  /** The input ended: end the output once every chunk held has been released. */
  end(): void {
    this.ended = true;
    this.arm();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    if (this.closed || this.timer) return;
    if (this.head >= this.chunks.length) {
      if (this.ended) this.out.end();
      return;
    }
    const wait = this.due[this.head]! - now();
    if (wait > FINE_MS) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.arm();
      }, wait - FINE_MS);
    } else this.release();
  }

  private release(): void {
    const wait = this.due[this.head]! - now();
    if (wait > 0) Atomics.wait(SLEEPER, 0, 0, wait);
    const t = now();
    while (this.head < this.chunks.length && this.due[this.head]! <= t) {
      this.out.write(this.chunks[this.head]!);
      this.counter.n++;
      this.counter.lateMs += t - this.due[this.head]!;
      this.head++;
    }
    if (this.head === this.chunks.length) {
      this.chunks.length = 0;
      this.due.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      // a connection that never drains: drop the released prefix now and then
      this.chunks.splice(0, this.head);
      this.due.splice(0, this.head);
      this.head = 0;
    }
    this.arm();
  }
}

/** Starts every route in this process; resolves once each listens. */
export async function startRelay(routes: readonly RelayRoute[], seed: number, linkDefs: readonly LinkDef[] = []): Promise<RunningRelay> {
  const counter: Counter = { n: 0, lateMs: 0 };
  const links = new Links(linkDefs);
  for (const r of routes) for (const l of [r.up ?? -1, r.down ?? -1]) if (l < -1 || l >= linkDefs.length || !Number.isInteger(l)) throw new Error(`route ${r.name}: no link ${l}`);
  const servers: net.Server[] = [];
  const sockets = new Set<net.Socket>();
  const cutRoutes = new Set<string>();
  /** Each route's open client connections: reset when it is cut. */
  const clientsOf = new Map<string, Set<net.Socket>>();
  const ports: number[] = [];
  for (const r of routes) {
    const rng = new Rng(seed, 0, `reference-app:relay:${r.name}`);
    const latency = r.latency;
    const sampler = latency ? new Sampler(latency) : undefined;
    const draw = sampler ? () => Math.max(0, sampler.sample(rng)) * 1000 : () => 0;
    // Half-open allowed on both sides: a client's FIN reaches the target after the chunks held
    // before it, and the target's answer still comes back.
    const clients = new Set<net.Socket>();
    clientsOf.set(r.name, clients);
    const server = net.createServer({ noDelay: true, allowHalfOpen: true }, (client) => {
      if (cutRoutes.has(r.name)) return void client.resetAndDestroy();
      clients.add(client);
      client.on("close", () => clients.delete(client));
      const upstream = net.connect({ host: r.targetHost, port: r.targetPort, noDelay: true, allowHalfOpen: true });
      sockets.add(client);
      sockets.add(upstream);
      const there = new DelayLine(upstream, draw, counter);
      const back = new DelayLine(client, r.oneWay ? () => 0 : draw, counter);
      // across a link between regions first (whole HTTP messages), then the delay line
      const methods: string[] = [];
      const up = (r.up ?? -1) >= 0 ? new Direction(links, r.up!, client, into(there)) : undefined;
      const down = (r.down ?? -1) >= 0 ? new Direction(links, r.down!, upstream, into(back)) : undefined;
      const upFrames = up && new HttpFramer("request", up, methods);
      const downFrames = down && new HttpFramer("response", down, methods);
      // the answers' framer needs the requests' methods (a HEAD's answer has no body): framed here
      // and dropped when only the answers cross a link
      const requests = upFrames ?? (downFrames ? new HttpFramer("request", DISCARD, methods) : undefined);
      client.on("data", (d: Buffer) => {
        requests?.push(d);
        if (!up) there.push(d);
      });
      upstream.on("data", (d: Buffer) => (down ? downFrames!.push(d) : back.push(d)));
      const endThere = () => (up ? (upFrames!.end(), up.end()) : there.end());
      const endBack = () => (down ? (downFrames!.end(), down.end()) : back.end());
      client.on("end", endThere);
      upstream.on("end", endBack);
      // A failure on either side (the target unreachable in an outage, a reset) ends both at once.
      // The client gets a reset, as a caller whose connection broke would (not an orderly end).
      const fail = () => {
        if (up) up.dead = true;
        if (down) down.dead = true;
        there.close();
        back.close();
        if (!client.destroyed) client.resetAndDestroy();
        upstream.destroy();
      };
      client.on("error", fail);
      upstream.on("error", fail);
      // A side closed: what was read from it is still delivered, then the other side ends.
      client.on("close", () => (sockets.delete(client), endThere()));
      upstream.on("close", () => (sockets.delete(upstream), endBack()));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(r.listenPort, r.listenHost, () => {
        server.off("error", reject);
        resolve();
      });
    });
    servers.push(server);
    ports.push((server.address() as net.AddressInfo).port);
  }
  return {
    ports,
    forwarded: () => counter.n,
    meanLateMs: () => (counter.n ? counter.lateMs / counter.n : 0),
    cut: (names, down) => {
      for (const name of names) {
        if (!down) {
          cutRoutes.delete(name);
          continue;
        }
        cutRoutes.add(name);
        // the client's reset and its 'close' end the upstream side (the error/close handlers above)
        for (const c of clientsOf.get(name) ?? []) if (!c.destroyed) c.resetAndDestroy();
      }
    },
    links: () => links.report(),
    resetLinks: () => links.reset(),
    close: async () => {
      links.close();
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
