// The live dashboard's event stream (server-sent events): what `headroom load --dashboard` and
// `headroom validate --dashboard` publish (live-protocol.ts), sent to every page connected and
// kept in memory so a page opened late gets the run replayed from its start. Bounded: past
// MAX_INTERVALS the oldest interval events are forgotten (a page joining then draws from the
// first one kept); the phase, phase-end and done events are always kept.
import type { IncomingMessage, ServerResponse } from "node:http";

/** Interval events kept for late pages: an hour of one-second intervals. */
export const MAX_INTERVALS = 3600;

interface Frame { readonly interval: boolean; readonly text: string }

export class LiveChannel {
  private readonly history: Frame[] = [];
  private intervals = 0;
  private readonly clients = new Set<ServerResponse>();
  private seq = 0;
  private closed = false;

  constructor(private readonly maxIntervals = MAX_INTERVALS) {}

  /** Sends an event to the pages connected and keeps it for those to come. */
  publish(event: string, data: unknown): void {
    if (this.closed) return;
    const text = `id: ${this.seq++}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    const interval = event === "interval";
    this.history.push({ interval, text });
    if (interval && ++this.intervals > this.maxIntervals) {
      this.history.splice(this.history.findIndex((f) => f.interval), 1);
      this.intervals--;
    }
    for (const res of this.clients) res.write(text);
  }

  /** How many events a page joining now would get. */
  get size(): number {
    return this.history.length;
  }

  /** Answers an EventSource request: the history, then every event as it is published. */
  attach(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive" });
    // a page that loses the stream (the command ended) is not to hammer a closed port
    res.write("retry: 5000\n\n");
    for (const f of this.history) res.write(f.text);
    if (this.closed) {
      res.end();
      return;
    }
    this.clients.add(res);
    req.on("close", () => this.clients.delete(res));
  }

  /** Ends every stream; later publishes are dropped. */
  close(): void {
    this.closed = true;
    for (const res of this.clients) res.end();
    this.clients.clear();
  }
}
