// The replication lag on the wire: a TCP forwarder on 127.0.0.1 between a streaming replica and its
// primary that holds every byte the primary sends for `delayMs` before passing it on (the replica's
// replies go straight back). Used when a scenario fails a primary over with asynchronous replication
// and a `replication_lag`: the model counts the writes acknowledged within the lag before the
// failure as lost, so the replica must really not have received them. PostgreSQL's own
// recovery_min_apply_delay cannot stand for that: the WAL it delays has already arrived, and a
// promotion replays it all, so nothing would be lost.
// `drop()` is the primary's machine dying: every connection is cut and the bytes still held (the WAL
// that had not left it) are discarded. What it trades away: one event loop (the launcher's) times
// the bytes, so a starved loop adds to the delay; the lag is one number (the YAML distribution's
// mean, as recovery_min_apply_delay was).
import net from "node:net";

export interface WalDelay {
  readonly port: number;
  /** Bytes held right now (sent by the primary, not yet passed to the replica). */
  held(): number;
  /** Bytes discarded so far: held when their connection ended (the primary died, or drop()). */
  discarded(): number;
  /** Cuts every connection and discards the bytes held; new connections are refused from now on. */
  drop(): void;
  close(): Promise<void>;
}

/** Listens on `port` of 127.0.0.1 (0: one the system picks) and forwards to the primary on `upstreamPort`. */
export function startWalDelay(upstreamPort: number, delayMs: number, port = 0): Promise<WalDelay> {
  const conns = new Set<{ down: net.Socket; up: net.Socket; queue: Array<{ at: number; buf: Buffer }>; timer?: NodeJS.Timeout }>();
  let dropped = false;
  let discarded = 0;
  const discard = (q: Array<{ buf: Buffer }>) => {
    for (const x of q) discarded += x.buf.length;
    q.length = 0;
  };
  const server = net.createServer((down) => {
    if (dropped) return void down.destroy();
    const up = net.connect({ host: "127.0.0.1", port: upstreamPort });
    const c: { down: net.Socket; up: net.Socket; queue: Array<{ at: number; buf: Buffer }>; timer?: NodeJS.Timeout } = { down, up, queue: [] };
    conns.add(c);
    // The primary gone (killed: its socket closes) or the replica: what is still held never arrives.
    const end = () => {
      if (c.timer) clearTimeout(c.timer);
      discard(c.queue);
      up.destroy();
      down.destroy();
      conns.delete(c);
    };
    // Same-delay timers fire in order; one timer per connection at a time keeps the bytes in order.
    const flush = () => {
      c.timer = undefined;
      const now = performance.now();
      while (c.queue.length > 0 && c.queue[0]!.at <= now) down.write(c.queue.shift()!.buf);
      if (c.queue.length > 0) c.timer = setTimeout(flush, Math.max(0, c.queue[0]!.at - performance.now()));
    };
    up.on("data", (buf: Buffer) => {
      c.queue.push({ at: performance.now() + delayMs, buf });
      if (!c.timer) c.timer = setTimeout(flush, delayMs);
    });
    down.on("data", (buf: Buffer) => up.write(buf));
    up.on("error", end);
    down.on("error", end);
    up.on("close", end);
    down.on("close", end);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      resolve({
        port: (server.address() as net.AddressInfo).port,
        held: () => [...conns].reduce((n, c) => n + c.queue.reduce((m, q) => m + q.buf.length, 0), 0),
        discarded: () => discarded,
        drop: () => {
          dropped = true;
          for (const c of [...conns]) {
            if (c.timer) clearTimeout(c.timer);
            discard(c.queue);
            c.up.destroy();
            c.down.destroy();
            conns.delete(c);
          }
        },
        close: () =>
          new Promise<void>((done) => {
            dropped = true;
            for (const c of [...conns]) {
              if (c.timer) clearTimeout(c.timer);
              c.up.destroy();
              c.down.destroy();
            }
            conns.clear();
            server.close(() => done());
          }),
      });
    });
  });
}
