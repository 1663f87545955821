// Where one PostgreSQL exchange's request and answer end in a byte stream (protocol 3.0), so a
// link can carry a database's answer to a query whole: the model's transfer is one request or one
// response (simulator/engine/links.ts), and PostgreSQL answers a query with several messages
// (RowDescription, DataRow per row, CommandComplete, ReadyForQuery). Each message is a type byte
// and an int32 length that counts itself, then the payload; the client's first messages have no
// type byte (StartupMessage, SSLRequest, GSSENCRequest, CancelRequest: the length, then a code).
// Grouping, so that one transfer is what the other side waits for before it answers:
// - answers (backend): up to and including ReadyForQuery ('Z'), an authentication request ('R':
//   the client answers it), CopyInResponse ('G') or CopyBothResponse ('W') (the client sends
//   data), PortalSuspended ('s'); after the client's Flush ('H'), each message alone until the
//   next ReadyForQuery (what a Flush answers has no end marker); the one byte that answers an
//   SSLRequest or GSSENCRequest ('S'/'G' start encryption: both directions become tunnels, the
//   bytes are TLS's; 'N': the startup goes on in clear).
// - requests (frontend): up to and including Query ('Q'), Sync ('S'), Flush ('H'), Terminate
//   ('X'), a password or SASL answer ('p'), FunctionCall ('F'), CopyData/Done/Fail ('d' 'c' 'f');
//   Parse, Bind, Describe, Execute and Close wait for the Sync that follows them (node-postgres
//   sends a parameterized query as Parse, Bind, Describe, Execute, Sync in one write).
// The body counted as the model's bytes: the column values of the answer's DataRows (a row's
// bytes, as a paginated read's `row_size` counts them); the rest (types, lengths, descriptions,
// tags) is the "head" in http-framer.ts's sense. Requests count none (the model realizes no size
// on a database call's request). A length below 4 or above MAX_MESSAGE turns the direction into a
// tunnel, as http-framer.ts does.
// What it trades: it reads no more than framing needs; asynchronous messages (NoticeResponse,
// ParameterStatus, NotificationResponse) join the answer they arrive before; a message is held
// whole (a link's store and forward).
import { HeldMessage } from "./held-message.ts";
import type { FramerSink } from "./http-framer.ts";
import type { StreamFramer } from "./resp-framer.ts";

/** Largest message it frames (PostgreSQL's own limit for a field is 1 GB). */
const MAX_MESSAGE = 1024 * 1024 * 1024;
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

enum State {
  /** Reading a message's header into `hdr` (the startup's 4 or 8 bytes, a message's 5, a DataRow's 7). */
  Header,
  Payload,
  Tunnel,
}

/** What the two directions of one connection tell each other. */
export interface PgSession {
  /** Requests for encryption sent whose one-byte answer has not come. */
  encryptionAsked: number;
  /** Both directions pass bytes unframed (encryption started, or framing lost). */
  tunnel: boolean;
  /** The client sent Flush: answers go out a message at a time until ReadyForQuery. */
  flushed: boolean;
}

export const pgSession = (): PgSession => ({ encryptionAsked: 0, tunnel: false, flushed: false });

const REQUEST_ENDS = new Set("QSHXpFdcf".split("").map((c) => c.charCodeAt(0)));
const ANSWER_ENDS = new Set("ZRGWs".split("").map((c) => c.charCodeAt(0)));
const D = 0x44, Z = 0x5a, H = 0x48;

export class PgFramer implements StreamFramer {
  private state = State.Header;
  private readonly held = new HeldMessage();
  private body = 0;
  /** The request side starts with untyped messages, until the StartupMessage (or a CancelRequest). */
  private startup: boolean;
  private readonly hdr = Buffer.alloc(8);
  private hdrHave = 0;
  private hdrNeed: number;
  /** Payload bytes still to come of the message being read. */
  private left = 0;
  private type = 0;

  constructor(
    private readonly kind: "request" | "response",
    private readonly sink: FramerSink,
    private readonly session: PgSession,
  ) {
    this.startup = kind === "request";
    this.hdrNeed = this.startup ? 8 : 5;
  }

  push(chunk: Buffer): void {
    let b = chunk;
    while (b.length > 0) {
      if (this.session.tunnel && this.state !== State.Tunnel) this.toTunnel();
      switch (this.state) {
        case State.Tunnel:
          this.sink.passthrough(b);
          return;
        case State.Payload: {
          const k = Math.min(this.left, b.length);
          this.add(b.subarray(0, k));
          this.left -= k;
          b = b.subarray(k);
          if (this.left === 0) this.messageDone();
          break;
        }
        case State.Header: {
          // the one byte answering a request for encryption
          if (this.kind === "response" && this.session.encryptionAsked > 0 && this.hdrHave === 0) {
            this.session.encryptionAsked--;
            const c = b[0]!;
            this.add(b.subarray(0, 1));
            b = b.subarray(1);
            this.emit();
            if (c !== 0x4e) { // not 'N': encryption starts, nothing more is ours to frame
              this.session.tunnel = true;
              this.toTunnel();
            }
            break;
          }
          const k = Math.min(this.hdrNeed - this.hdrHave, b.length);
          b.copy(this.hdr, this.hdrHave, 0, k);
          this.hdrHave += k;
          this.add(b.subarray(0, k));
          b = b.subarray(k);
          if (this.hdrHave < this.hdrNeed) break;
          if (!this.onHeader()) {
            this.session.tunnel = true;
            this.toTunnel(b);
            return;
          }
          break;
        }
      }
    }
  }

  end(): void {
    if (this.held.bytes > 0) this.emit();
  }

  /** The header is in: sets what follows; false when it is not PostgreSQL's framing. */
  private onHeader(): boolean {
    if (this.startup) {
      const len = this.hdr.readInt32BE(0);
      const code = this.hdr.readInt32BE(4);
      if (len < 8 || len > MAX_MESSAGE) return false;
      if (code === SSL_REQUEST || code === GSSENC_REQUEST) this.session.encryptionAsked++;
      else this.startup = false; // the StartupMessage (or a CancelRequest, the connection's last)
      this.type = 0;
      this.left = len - 8;
      return this.afterHeader();
    }
    this.type = this.hdr[0]!;
    const len = this.hdr.readInt32BE(1);
    if (len < 4 || len > MAX_MESSAGE) return false;
    if (this.type === D && this.kind === "response" && this.hdrNeed === 5) {
      if (len < 6) return false;
      this.hdrNeed = 7; // and its column count
      return true;
    }
    if (this.type === D && this.hdrNeed === 7) {
      const cols = this.hdr.readInt16BE(5);
      const values = len - 6 - 4 * cols;
      if (cols < 0 || values < 0) return false;
      this.body += values; // a NULL is its -1 length and no bytes: exact
      this.left = len - 6;
      return this.afterHeader();
    }
    this.left = len - 4;
    return this.afterHeader();
  }

  private afterHeader(): boolean {
    this.hdrHave = 0;
    this.state = State.Payload;
    if (this.left === 0) this.messageDone();
    return true;
  }

  /** A message is whole: it closes the transfer if it is one the other side waits on. */
  private messageDone(): void {
    this.state = State.Header;
    this.hdrNeed = this.startup ? 8 : 5;
    const t = this.type;
    if (this.kind === "request") {
      if (t === H) this.session.flushed = true;
      if (t === 0 || REQUEST_ENDS.has(t)) this.emit();
      return;
    }
    if (t === Z) this.session.flushed = false;
    if (ANSWER_ENDS.has(t) || this.session.flushed) this.emit();
  }

  private add(b: Buffer): void {
    this.held.add(b);
  }

  private emit(): void {
    const head = this.held.bytes - this.body;
    this.body = 0;
    this.held.emit(this.sink, head);
  }

  /** Framing ends: what is held goes out as one message (none of it the model's bytes), the rest passes through. */
  private toTunnel(rest?: Buffer): void {
    this.body = 0;
    if (this.held.bytes > 0) this.emit();
    this.state = State.Tunnel;
    if (rest && rest.length > 0) this.sink.passthrough(rest);
  }
}
