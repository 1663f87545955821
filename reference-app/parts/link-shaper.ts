// A component's egress link without tc or HAProxy's bwlim (neither exists here: tc is absent on this
// kernel, HAProxy 2.6 predates bwlim): a userspace TCP relay whose forwarded bytes share one
// capacity as the model's link does (simulator/engine/links.ts), by processor sharing: every flow
// with bytes waiting gets an equal share of the capacity, a flow needing less than its share leaves
// the rest to the others (water-filling), so one large response slows every other on the link and
// a small one is not queued behind it. Each direction of each connection is a flow; the relay
// shapes both directions or only the one towards the clients (`shape`).
// How: a tick every TICK_MS grants the capacity x the real time since the last tick (a late tick
// grants more, so the mean rate holds on a busy machine), at most MAX_GRANT_MS of it (a stalled
// process does not burst), and nothing to an idle link (PS has no stored credit). What it trades:
// the relay's event loop is in the path (a busy machine delays ticks: the link is then slower than
// its capacity, never faster), one more TCP hop on loopback, and shares are per tick, not per byte.
// Not wired into `headroom app up` yet: plan.ts still refuses `bandwidth`.
import net from "node:net";

/** How often the link grants its capacity, ms. */
export const TICK_MS = 2;
/** The most real time one grant covers, ms. */
export const MAX_GRANT_MS = 50;
/** Bytes a flow holds before it pauses its source (TCP's own window takes the rest). */
const HIGH_WATER = 256 * 1024;

class Flow {
  private readonly queue: Buffer[] = [];
  queued = 0;
  ended = false;

  constructor(
    private readonly src: net.Socket,
    private readonly dst: net.Socket,
    private readonly link: PsLink | undefined,
  ) {
    src.on("data", (b: Buffer) => {
      if (!this.link) {
        dst.write(b);
        return;
      }
      this.queue.push(b);
      this.queued += b.length;
      if (this.queued > HIGH_WATER) src.pause();
      this.link.wake(this);
    });
    src.on("end", () => {
      this.ended = true;
      this.finishIfDone();
    });
  }

  /** Sends up to n bytes of the queue; returns how many. */
  take(n: number): number {
    let sent = 0;
    while (sent < n && this.queue.length > 0) {
      const head = this.queue[0]!;
      const k = Math.min(head.length, n - sent);
      this.dst.write(k === head.length ? head : head.subarray(0, k));
      if (k === head.length) this.queue.shift();
      else this.queue[0] = head.subarray(k);
      sent += k;
    }
    this.queued -= sent;
    if (this.queued <= HIGH_WATER / 2 && this.src.isPaused()) this.src.resume();
    this.finishIfDone();
    return sent;
  }

  private finishIfDone(): void {
    if (this.ended && this.queued === 0 && !this.dst.writableEnded) this.dst.end();
  }
}

/** One link: a capacity in bytes per second that the flows with bytes waiting share equally. */
export class PsLink {
  private readonly waiting = new Set<Flow>();
  private timer: NodeJS.Timeout | undefined;
  private last = 0;
  private carry = 0;
  /** Bytes the link has sent. */
  sent = 0;

  constructor(readonly bytesPerSecond: number) {
    if (!(bytesPerSecond > 0)) throw new Error(`a link needs a capacity above 0 bytes/s, got ${bytesPerSecond}`);
  }

  wake(f: Flow): void {
    this.waiting.add(f);
    if (this.timer === undefined) {
      // an idle link starts its clock now: no credit from the time it had nothing to send
      this.last = performance.now();
      this.carry = 0;
      this.timer = setTimeout(() => this.tick(), TICK_MS);
    }
  }

  private tick(): void {
    this.timer = undefined;
    const now = performance.now();
    let budget = this.carry + (this.bytesPerSecond * Math.min(now - this.last, MAX_GRANT_MS)) / 1000;
    this.last = now;
    // water-filling: equal shares; a flow that needs less leaves the rest to the others
    let active = [...this.waiting].filter((f) => f.queued > 0);
    while (active.length > 0 && budget >= 1) {
      const share = Math.floor(budget / active.length);
      if (share === 0) break;
      for (const f of active) {
        const k = f.take(share);
        budget -= k;
        this.sent += k;
      }
      active = active.filter((f) => f.queued > 0);
    }
    for (const f of [...this.waiting]) if (f.queued === 0) this.waiting.delete(f);
    if (this.waiting.size > 0) {
      // the fraction of a share left over goes to the next tick, never more than one grant
      this.carry = Math.min(budget, (this.bytesPerSecond * MAX_GRANT_MS) / 1000);
      this.timer = setTimeout(() => this.tick(), TICK_MS);
    }
  }

  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.waiting.clear();
  }
}

export interface ShaperOptions {
  readonly listenHost: string;
  /** 0: any free port. */
  readonly listenPort: number;
  readonly targetHost: string;
  readonly targetPort: number;
  readonly bytesPerSecond: number;
  /** "both": both directions share the link; "down": only the target's answers (to the clients) do. */
  readonly shape: "both" | "down";
}

export interface RunningShaper {
  readonly port: number;
  readonly link: PsLink;
  close(): Promise<void>;
}

/** A relay from listenHost:listenPort to the target whose forwarded bytes cross one PsLink. */
export async function startShaper(o: ShaperOptions): Promise<RunningShaper> {
  const link = new PsLink(o.bytesPerSecond);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(o.targetPort, o.targetHost);
    sockets.add(client);
    sockets.add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    // an error ends both sides; a clean end travels through its flow (sent once its queue is through)
    const fail = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", fail).on("close", () => sockets.delete(client));
    upstream.on("error", fail).on("close", () => sockets.delete(upstream));
    new Flow(client, upstream, o.shape === "both" ? link : undefined);
    new Flow(upstream, client, link);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.listenPort, o.listenHost, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    link,
    close: () =>
      new Promise<void>((resolve) => {
        link.close();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
