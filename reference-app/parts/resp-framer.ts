// Where one Redis (RESP2/RESP3) value ends in a byte stream, so a link can carry whole replies and
// whole commands: the model's transfer is one request or one response (simulator/engine/links.ts),
// and a cache's answer to a call is one reply, however TCP cut it. Reads a value's type line
// (`+ - : _ # , (` are one line; `$ ! =` a length line and that many bytes and CRLF; `* ~ >` a
// count of values, `% |` a count of pairs; an attribute `|` and the value it describes after
// it count as one value), nesting by a stack of how many values each open aggregate still needs. A pipelined
// stream gives one message per value, in order. A request stream that does not start a value
// with a type byte is an inline command: one line. The bodies the link counts are the bulk
// strings' bytes of a reply (a cached value) and of a command's arguments after its name and key
// (SET's value, and its PX and TTL: a few bytes more than the model's request_size); everything
// else (type lines, lengths, CRLFs, a command's name and key) is the message's "head" in
// http-framer.ts's sense: what the model does not count. Anything it cannot read as RESP (a line over MAX_LINE, a bad length) turns the direction
// into a tunnel, as http-framer.ts does: what is held goes out, the rest passes unframed.
// What it trades: it checks no more than framing needs (Redis and ioredis check the rest), and
// holds a whole value (a link's store and forward).
import { HeldMessage } from "./held-message.ts";
import type { FramerSink } from "./http-framer.ts";

/** Longest type line it reads (a length, an integer, a simple string or error) before it gives up framing. */
const MAX_LINE = 64 * 1024;
/** Largest bulk string it frames (Redis's own proto-max-bulk-len default is 512 MB). */
const MAX_BULK = 512 * 1024 * 1024;
/** Deepest nesting it follows. */
const MAX_DEPTH = 1024;

enum State {
  Line,
  Bulk,
  Tunnel,
}

/** A stream framer the link relay feeds: http-framer.ts's HttpFramer, RespFramer, PgFramer. */
export interface StreamFramer {
  push(chunk: Buffer): void;
  end(): void;
}

export class RespFramer implements StreamFramer {
  private state = State.Line;
  private readonly held = new HeldMessage();
  /** Of the message being framed, its bulk strings' bytes (the rest is framing). */
  private body = 0;
  /** A type line not yet complete. */
  private pending: Buffer = Buffer.alloc(0);
  /** Bulk bytes still to come, its closing CRLF included. */
  private left = 0;
  /** Per open aggregate, the values it still needs. */
  private readonly open: number[] = [];
  /** Of a top-level array, its elements complete so far (a command's name is 0, its key 1). */
  private argsDone = 0;

  /** @param kind requests may be inline commands (a bare line); replies may not */
  constructor(
    private readonly kind: "request" | "response",
    private readonly sink: FramerSink,
  ) {}

  push(chunk: Buffer): void {
    let b = chunk;
    while (b.length > 0) {
      switch (this.state) {
        case State.Tunnel:
          this.sink.passthrough(b);
          return;
        case State.Bulk: {
          const k = Math.min(this.left, b.length);
          this.add(b.subarray(0, k));
          this.left -= k;
          b = b.subarray(k);
          if (this.left === 0) {
            this.state = State.Line;
            this.valueDone();
          }
          break;
        }
        case State.Line: {
          const held = this.pending.length;
          const nl = b.indexOf(10); // \n
          if (nl < 0) {
            if (held + b.length > MAX_LINE) {
              this.toTunnel(Buffer.concat([this.pending, b]));
              return;
            }
            this.pending = held > 0 ? Buffer.concat([this.pending, b]) : Buffer.from(b);
            return;
          }
          const line = held > 0 ? Buffer.concat([this.pending, b.subarray(0, nl + 1)]) : b.subarray(0, nl + 1);
          this.pending = Buffer.alloc(0);
          b = b.subarray(nl + 1);
          if (!this.onLine(line)) {
            this.toTunnel(b, true);
            return;
          }
          break;
        }
      }
    }
  }

  /** The stream ended: a value cut short goes out as it is. */
  end(): void {
    if (this.pending.length > 0) this.add(this.pending);
    this.pending = Buffer.alloc(0);
    if (this.held.bytes > 0) this.emit();
  }

  /** Reads one type line (CRLF included); false when it is not RESP. */
  private onLine(line: Buffer): boolean {
    if (line.length < 3 || line[line.length - 2] !== 13) {
      // a bare "\n" or a line without its CR: an inline command may end in LF alone
      if (this.kind === "request" && this.open.length === 0 && this.held.bytes === 0 && !isType(line[0]!)) {
        this.add(line);
        this.emit();
        return true;
      }
      this.add(line);
      return false;
    }
    this.add(line);
    const t = line[0]!;
    if (!isType(t)) {
      if (this.kind === "request" && this.open.length === 0 && this.held.bytes === line.length) {
        this.emit(); // an inline command
        return true;
      }
      return false;
    }
    switch (t) {
      case 0x2b: // + simple string
      case 0x2d: // - error
      case 0x3a: // : integer
      case 0x5f: // _ null
      case 0x23: // # boolean
      case 0x2c: // , double
      case 0x28: // ( big number
        this.valueDone();
        return true;
      case 0x24: // $ bulk string
      case 0x21: // ! bulk error
      case 0x3d: { // = verbatim string
        const n = lengthOf(line);
        if (n === undefined || n > MAX_BULK) return false;
        if (n < 0) {
          this.valueDone(); // $-1: nil
          return true;
        }
        // a command's name and key are not the model's bytes: its arguments after them are
        if (this.kind === "response" || this.open.length !== 1 || this.argsDone >= 2) this.body += n;
        this.left = n + 2;
        this.state = State.Bulk;
        return true;
      }
      case 0x2a: // * array
      case 0x7e: // ~ set
      case 0x3e: // > push
      case 0x25: // % map: pairs
      case 0x7c: { // | attribute: pairs, then the value they describe
        const n = lengthOf(line);
        if (n === undefined || this.open.length >= MAX_DEPTH) return false;
        // an attribute's pairs and then the value they describe take its parent's one slot together
        const values = t === 0x7c ? 2 * Math.max(0, n) + 1 : n < 0 ? 0 : t === 0x25 ? 2 * n : n;
        if (values === 0) this.valueDone(); // empty or nil aggregate: one value, done
        else this.open.push(values);
        return true;
      }
      default:
        return false;
    }
  }

  /** A value is complete: the aggregates it closes close, and a top-level one is a message. */
  private valueDone(): void {
    for (;;) {
      const top = this.open.length - 1;
      if (top < 0) {
        this.emit();
        return;
      }
      this.open[top]!--;
      if (top === 0) this.argsDone++;
      if (this.open[top]! > 0) return;
      this.open.pop();
    }
  }

  private add(b: Buffer): void {
    this.held.add(b);
  }

  private emit(): void {
    const head = this.held.bytes - this.body;
    this.body = 0;
    this.argsDone = 0;
    this.held.emit(this.sink, head);
  }

  /** Framing is lost: what is held goes out as one message, the rest passes through. */
  private toTunnel(rest: Buffer, keepHeld = false): void {
    if (!keepHeld) this.add(rest);
    this.pending = Buffer.alloc(0);
    this.open.length = 0;
    this.body = 0; // unframed: all of it counts as framing, none as the model's bytes
    if (this.held.bytes > 0) this.emit();
    this.state = State.Tunnel;
    if (keepHeld && rest.length > 0) this.sink.passthrough(rest);
  }
}

const TYPES = new Set([0x2b, 0x2d, 0x3a, 0x5f, 0x23, 0x2c, 0x28, 0x24, 0x21, 0x3d, 0x2a, 0x7e, 0x3e, 0x25, 0x7c]);
const isType = (b: number) => TYPES.has(b);

/** The integer after the type byte of a length line ("$12\r\n"), or undefined when it is not one. */
function lengthOf(line: Buffer): number | undefined {
  const s = line.toString("latin1", 1, line.length - 2);
  if (!/^-?\d{1,12}$/.test(s)) return undefined;
  const n = Number(s);
  return n < -1 ? undefined : n;
}
