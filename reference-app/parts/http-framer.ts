// Where one HTTP/1.x message ends in a byte stream, so a link can carry whole messages: the model's
// transfer is one request or one response (simulator/engine/links.ts), not a TCP segment. Reads a
// head to its blank line, then the body by Content-Length or chunked coding (trailers included);
// a request without either has no body, a response without either runs to the stream's end; no
// body after 1xx, 204, 304 or an answer to HEAD (the request side tells the response side which
// methods it forwarded). After a 101 (or anything that is not HTTP/1.x, e.g. after an upgrade) the
// direction becomes a tunnel: every chunk passes on unframed at once.
// What it trades: it parses only what framing needs (no header validation beyond that: HAProxy
// and the services do that), and holds a whole message (a link's store and forward).

import { HeldMessage } from "./held-message.ts";

/** Longest head it reads before giving up on framing (then: tunnel). */
const MAX_HEAD = 64 * 1024;
const CRLFCRLF = Buffer.from("\r\n\r\n");

enum State {
  Head,
  Body,
  ChunkLine,
  ChunkData,
  Trailer,
  UntilClose,
  Tunnel,
}

export interface FramerSink {
  /**
   * A whole message: its chunks in order, their total length, and how many of those bytes are its
   * head (start line and headers; 0 for what was framed without one, a tunnel's first bytes).
   */
  message(parts: Buffer[], bytes: number, headBytes: number): void;
  /** Bytes that are not framed (a tunnel): forward as they come. */
  passthrough(chunk: Buffer): void;
}

export class HttpFramer {
  private state = State.Head;
  private readonly held = new HeldMessage();
  /** The head's length of the message being framed. */
  private headBytes = 0;
  /** Head bytes not yet complete (Head state), or a partial chunk-size/trailer line. */
  private pending: Buffer = Buffer.alloc(0);
  /** Body or chunk bytes still to come (chunk data counts its closing CRLF). */
  private left = 0;

  /**
   * @param kind which side of the exchange this direction carries
   * @param methods a FIFO shared by both directions of one connection: the request side pushes each
   *   request's method, the response side takes one per final response (HEAD answers have no body)
   */
  constructor(
    private readonly kind: "request" | "response",
    private readonly sink: FramerSink,
    private readonly methods: string[] = [],
  ) {}

  /** Messages framed so far that had no length and ran to the end (responses only). */
  untilClose = 0;

  push(chunk: Buffer): void {
    let b = chunk;
    while (b.length > 0) {
      switch (this.state) {
        case State.Tunnel:
          this.sink.passthrough(b);
          return;
        case State.Head: {
          const joined = this.pending.length > 0 ? Buffer.concat([this.pending, b]) : b;
          // the blank line may straddle chunks: search from 3 bytes before the new ones
          const end = joined.indexOf(CRLFCRLF, Math.max(0, this.pending.length - 3));
          if (end < 0) {
            if (joined.length > MAX_HEAD) {
              this.toTunnel(joined);
              return;
            }
            this.pending = joined;
            return;
          }
          const headLen = end + 4;
          const head = joined.subarray(0, headLen);
          this.pending = Buffer.alloc(0);
          this.add(head);
          this.headBytes = headLen;
          b = joined.subarray(headLen);
          if (!this.onHead(head.toString("latin1"))) {
            this.toTunnel(b, true);
            return;
          }
          if (this.state === State.Head) this.emit(); // no body
          break;
        }
        case State.Body: {
          const k = Math.min(this.left, b.length);
          this.add(b.subarray(0, k));
          this.left -= k;
          b = b.subarray(k);
          if (this.left === 0) {
            this.state = State.Head;
            this.emit();
          }
          break;
        }
        case State.ChunkData: {
          const k = Math.min(this.left, b.length);
          this.add(b.subarray(0, k));
          this.left -= k;
          b = b.subarray(k);
          if (this.left === 0) this.state = State.ChunkLine;
          break;
        }
        case State.ChunkLine:
        case State.Trailer: {
          const joined = this.pending.length > 0 ? Buffer.concat([this.pending, b]) : b;
          const nl = joined.indexOf(10); // \n
          if (nl < 0) {
            if (joined.length > MAX_HEAD) {
              this.toTunnel(joined);
              return;
            }
            this.pending = joined;
            return;
          }
          const line = joined.subarray(0, nl + 1);
          this.pending = Buffer.alloc(0);
          this.add(line);
          b = joined.subarray(nl + 1);
          const text = line.toString("latin1").trim();
          if (this.state === State.Trailer) {
            if (text === "") {
              this.state = State.Head;
              this.emit();
            }
            break;
          }
          const size = Number.parseInt(text.split(";")[0]!, 16);
          if (!Number.isFinite(size) || size < 0) {
            this.toTunnel(b, true);
            return;
          }
          if (size === 0) this.state = State.Trailer;
          else {
            this.left = size + 2;
            this.state = State.ChunkData;
          }
          break;
        }
        case State.UntilClose:
          this.add(b);
          return;
      }
    }
  }

  /** The stream ended: a message running to the end (or cut short) goes out as it is. */
  end(): void {
    if (this.pending.length > 0) this.add(this.pending);
    this.pending = Buffer.alloc(0);
    if (this.held.bytes > 0) this.emit();
  }

  private add(b: Buffer): void {
    this.held.add(b);
  }

  private emit(): void {
    const headBytes = this.headBytes;
    this.headBytes = 0;
    this.held.emit(this.sink, headBytes);
  }

  /** Framing is lost or not wanted: what is held goes out as one message, the rest passes through. */
  private toTunnel(rest: Buffer, keepHeld = false): void {
    if (!keepHeld) this.add(rest);
    if (this.held.bytes > 0) this.emit();
    this.state = State.Tunnel;
    if (keepHeld && rest.length > 0) this.sink.passthrough(rest);
  }

  /** Sets the body state from a head; false when the head is not HTTP/1.x or switches protocols. */
  private onHead(head: string): boolean {
    const lines = head.split("\r\n");
    const start = lines[0]!;
    let length = -1;
    let chunked = false;
    let upgrade = false;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(":");
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim().toLowerCase();
      if (name === "content-length") length = Number(value);
      else if (name === "transfer-encoding") chunked = value.split(",").map((s) => s.trim()).includes("chunked");
      else if (name === "upgrade") upgrade = true;
    }
    if (this.kind === "request") {
      const m = /^([A-Z]+) \S+ HTTP\/1\.[01]$/.exec(start);
      if (!m) return false;
      this.methods.push(m[1]!);
      if (upgrade) return false; // whatever follows an upgrade request is not ours to frame
      this.bodyBy(chunked, length, false);
      return true;
    }
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(start);
    if (!m) return false;
    const status = Number(m[1]);
    if (status === 101) return false;
    if (status >= 100 && status < 200) return true; // interim: the final answer follows, no body
    const method = this.methods.shift();
    if (status === 204 || status === 304 || method === "HEAD") return true;
    this.bodyBy(chunked, length, true);
    return true;
  }

  private bodyBy(chunked: boolean, length: number, untilClose: boolean): void {
    if (chunked) this.state = State.ChunkLine;
    else if (length > 0 && Number.isFinite(length)) {
      this.left = length;
      this.state = State.Body;
    } else if (length < 0 && untilClose) {
      this.untilClose++;
      this.state = State.UntilClose;
    }
  }
}
