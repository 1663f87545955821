// The VU's HTTP transport: one keep-alive undici Client (one connection, no pipelining) per origin per
// VU, as k6 gives each VU its own connections. Measures k6's phases from undici's handler callbacks:
// blocked/connecting (connector), sending (until the request is written), waiting (until the first
// response byte), receiving (until the body ends); counts wire bytes from the sockets themselves.
// https: its own connector (node:tls) times the TCP connect and the TLS handshake apart, as k6's
// http_req_connecting and http_req_tls_handshaking; it trusts the run's roots (VuTransport's `ca`)
// and, like k6 (its tls.Config has no ClientSessionCache), never resumes a session: every new
// connection is a full handshake.
import { Client, buildConnector } from "undici";
import { isIP, type Socket } from "node:net";
import tls from "node:tls";
import { epochMs } from "./metrics.ts";

export interface Timings {
  blocked: number;
  connecting: number;
  tls_handshaking: number;
  sending: number;
  waiting: number;
  receiving: number;
  duration: number;
}

export interface RawResponse {
  status: number;
  statusText: string;
  /** name, value, name, value ... as received; see headersOf(). */
  rawHeaders: Buffer[] | null;
  body: Buffer | null;
  timings: Timings;
  error: string;
  errorCode: number;
  remoteIP: string;
  remotePort: number;
  startedAt: number; // epoch ms
}

export interface RawRequest {
  origin: string;
  path: string;
  method: string;
  headers: Record<string, string>;
  body: string | Buffer | null;
  timeoutMs: number;
  discardBody: boolean;
}

/** A new connection's times: start, TCP connected, ready (after the TLS handshake on https). */
interface ConnectTimes {
  start: number;
  tcp: number;
  end: number;
}

interface Conn {
  client: Client;
  connect: ConnectTimes | null;
  busy: boolean;
}

const now = () => performance.now();

/** k6 error codes for the failures a local HTTP/1.1 test meets (see k6's error-codes docs). */
function classifyError(err: Error & { code?: string }, origin: string): { msg: string; code: number } {
  const c = err.code ?? "";
  const host = origin.replace(/^https?:\/\//, "");
  if (c === "ECONNREFUSED") return { msg: `dial tcp ${host}: connect: connection refused`, code: 1212 };
  if (c === "ECONNRESET" || c === "UND_ERR_SOCKET") return { msg: `read tcp ${host}: connection reset by peer`, code: 1220 };
  if (c === "UND_ERR_HEADERS_TIMEOUT" || c === "UND_ERR_BODY_TIMEOUT" || c === "UND_ERR_CONNECT_TIMEOUT") {
    return { msg: "request timeout", code: 1050 };
  }
  if (c === "ENOTFOUND" || c === "EAI_AGAIN") return { msg: `lookup ${host}: no such host`, code: 1101 };
  if (c === "UND_ERR_ABORTED") return { msg: "context canceled", code: 1000 };
  // TLS: k6's x509 codes (1310 unknown authority, 1311 name mismatch), else its generic 1300
  if (c === "UNABLE_TO_VERIFY_LEAF_SIGNATURE" || c === "SELF_SIGNED_CERT_IN_CHAIN" || c === "DEPTH_ZERO_SELF_SIGNED_CERT" || c === "UNABLE_TO_GET_ISSUER_CERT_LOCALLY") {
    return { msg: `tls: failed to verify certificate: x509: certificate signed by unknown authority (${err.message})`, code: 1310 };
  }
  if (c === "ERR_TLS_CERT_ALTNAME_INVALID") return { msg: `tls: failed to verify certificate: x509: ${err.message}`, code: 1311 };
  if (c.startsWith("ERR_SSL_") || c.startsWith("ERR_TLS_") || c === "CERT_HAS_EXPIRED") return { msg: `tls: ${err.message}`, code: 1300 };
  return { msg: err.message || String(err), code: 1000 };
}

/**
 * One request/response as an undici (legacy) dispatch handler. A class rather than a literal of
 * closures: one allocation per request on the hot path. Records the phase timestamps k6 reports.
 */
class Exchange {
  private readonly t0 = now();
  private readonly startedAt = epochMs();
  private tReady = this.t0;
  private tSent = 0;
  private tFirst = 0;
  private status = 0;
  private statusText = "";
  private rawHeaders: Buffer[] | null = null;
  private chunks: Buffer[] = [];
  private connectInfo: ConnectTimes | null = null;
  private abortFn: ((e?: Error) => void) | null = null;
  private done = false;

  constructor(
    private readonly req: RawRequest,
    private readonly conn: Conn,
    private readonly inflight: Set<Exchange>,
    private readonly resolve: (r: RawResponse) => void,
  ) {}

  cancel(): void {
    this.abortFn?.(Object.assign(new Error("aborted"), { code: "UND_ERR_ABORTED" }));
  }

  onConnect(abort: (e?: Error) => void): void {
    this.abortFn = abort;
    this.tReady = now();
    if (this.conn.connect) {
      this.connectInfo = this.conn.connect;
      this.conn.connect = null;
    }
  }
  onRequestSent(): void {
    this.tSent = now();
  }
  onResponseStarted(): void {
    this.tFirst = now();
  }
  onHeaders(code: number, raw: Buffer[], _resume: () => void, text: string): boolean {
    if (code < 200) return true; // 1xx: wait for the final response
    if (!this.tFirst) this.tFirst = now();
    if (!this.tSent) this.tSent = this.tFirst;
    this.status = code;
    this.statusText = text;
    this.rawHeaders = raw;
    return true;
  }
  onData(chunk: Buffer): boolean {
    if (!this.req.discardBody) this.chunks.push(chunk);
    return true;
  }
  onComplete(): void {
    this.finish(null);
  }
  onError(err: Error): void {
    this.finish(err);
  }

  private finish(err: (Error & { code?: string }) | null): void {
    if (this.done) return;
    this.done = true;
    const tEnd = now();
    this.inflight.delete(this);
    this.conn.busy = false;
    const { t0, tReady, tSent, tFirst, connectInfo, chunks, req } = this;
    const connecting = connectInfo ? connectInfo.tcp - connectInfo.start : 0;
    const handshaking = connectInfo ? connectInfo.end - connectInfo.tcp : 0;
    const blocked = connectInfo ? Math.max(0, connectInfo.end - t0) : Math.max(0, tReady - t0);
    const sending = tSent ? tSent - tReady : 0;
    const waiting = tFirst && tSent ? tFirst - tSent : 0;
    const receiving = tFirst ? tEnd - tFirst : 0;
    const e = err ? classifyError(err, req.origin) : null;
    this.resolve({
      status: e ? 0 : this.status,
      statusText: this.statusText,
      rawHeaders: this.rawHeaders,
      body: e || req.discardBody ? null : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks),
      timings: { blocked, connecting, tls_handshaking: handshaking, sending, waiting, receiving, duration: sending + waiting + receiving },
      error: e ? e.msg : "",
      errorCode: e ? e.code : 0,
      remoteIP: "",
      remotePort: 0,
      startedAt: this.startedAt,
    });
  }
}

export class VuTransport {
  private conns = new Map<string, Conn[]>();
  private sockets = new Set<Socket>();
  private closedRead = 0;
  private closedWritten = 0;
  private inflight = new Set<Exchange>();

  constructor(
    private readonly insecure: boolean,
    /** The roots https trusts (PEM), replacing Node's bundled ones; undefined: those. */
    private readonly ca?: Buffer,
  ) {}

  /** Total bytes read and written by this VU's sockets so far. */
  bytes(): { read: number; written: number } {
    let read = this.closedRead;
    let written = this.closedWritten;
    for (const s of this.sockets) {
      read += s.bytesRead;
      written += s.bytesWritten;
    }
    return { read, written };
  }

  private conn(origin: string, parallel: boolean): Conn {
    let list = this.conns.get(origin);
    if (!list) this.conns.set(origin, (list = []));
    if (!parallel && list.length) return list[0];
    for (const c of list) if (!c.busy) return c;
    const base = buildConnector({ rejectUnauthorized: !this.insecure, timeout: 10_000 } as never);
    const conn: Conn = { client: null as unknown as Client, connect: null, busy: false };
    const track = (s: Socket) => {
      this.sockets.add(s);
      s.once("close", () => {
        this.sockets.delete(s);
        this.closedRead += s.bytesRead;
        this.closedWritten += s.bytesWritten;
      });
    };
    const connector = ((options: { protocol: string; hostname: string; port: string }, cb: (err: Error | null, socket: Socket | null) => void) => {
      const start = now();
      if (options.protocol === "https:") return this.tlsConnect(options, start, conn, track, cb);
      return base(options as never, (err, socket) => {
        if (!err && socket) {
          const end = now();
          conn.connect = { start, tcp: end, end };
          track(socket as unknown as Socket);
        }
        cb(err, socket as never);
      });
    }) as never;
    conn.client = new Client(origin, { connect: connector, pipelining: 1, keepAliveTimeout: 60_000, keepAliveMaxTimeout: 600_000 });
    conn.client.on("connectionError", () => {});
    list.push(conn);
    return conn;
  }

  /**
   * A TLS connection timed in two phases: TCP connected ('connect'), then handshake done
   * ('secureConnect'). No `session` is offered, so the server makes a full handshake, as for k6.
   */
  private tlsConnect(
    o: { hostname: string; port: string },
    start: number,
    conn: Conn,
    track: (s: Socket) => void,
    cb: (err: Error | null, socket: Socket | null) => void,
  ): void {
    const host = o.hostname.replace(/^\[|\]$/g, "");
    let tcp = 0;
    let done = false;
    const finish = (err: Error | null, s: Socket | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      cb(err, s);
    };
    const sock = tls.connect({
      host,
      port: Number(o.port) || 443,
      servername: isIP(host) ? undefined : host, // SNI carries names, not addresses
      ca: this.ca,
      rejectUnauthorized: !this.insecure,
      ALPNProtocols: ["http/1.1"],
    });
    const timer = setTimeout(() => {
      sock.destroy();
      finish(Object.assign(new Error("connect timeout"), { code: "UND_ERR_CONNECT_TIMEOUT" }), null);
    }, 10_000);
    sock.setNoDelay(true);
    sock.once("connect", () => (tcp = now()));
    sock.once("secureConnect", () => {
      const end = now();
      conn.connect = { start, tcp: tcp || end, end };
      track(sock);
      finish(null, sock);
    });
    sock.once("error", (e) => {
      sock.destroy();
      finish(e, null);
    });
  }

  request(req: RawRequest, parallel = false): Promise<RawResponse> {
    const conn = this.conn(req.origin, parallel);
    conn.busy = true;
    return new Promise<RawResponse>((resolve) => {
      const ex = new Exchange(req, conn, this.inflight, resolve);
      this.inflight.add(ex);
      try {
        conn.client.dispatch(
          {
            origin: req.origin,
            path: req.path,
            method: req.method,
            headers: req.headers,
            body: req.body,
            headersTimeout: req.timeoutMs,
            bodyTimeout: req.timeoutMs,
          },
          ex as never,
        );
      } catch (err) {
        ex.onError(err as Error);
      }
    });
  }

  /** Aborts requests in flight (a VU interrupted at the end of gracefulStop). */
  abortInflight(): void {
    for (const ex of [...this.inflight]) ex.cancel();
  }

  async close(): Promise<void> {
    const all: Promise<unknown>[] = [];
    for (const list of this.conns.values()) for (const c of list) all.push(c.client.destroy().catch(() => {}));
    this.conns.clear();
    await Promise.all(all);
  }
}

/** Response headers as k6 scripts see them: canonical names, repeated headers joined with ", ". */
export function headersOf(r: RawResponse): Record<string, string> {
  const headers: Record<string, string> = {};
  const raw = r.rawHeaders;
  if (raw) {
    for (let i = 0; i < raw.length; i += 2) {
      const k = canonicalHeader(raw[i].toString("latin1"));
      const v = raw[i + 1].toString("latin1");
      headers[k] = headers[k] ? `${headers[k]}, ${v}` : v;
    }
  }
  return headers;
}

const canonCache = new Map<string, string>();
/** Header names as Go's net/http canonicalizes them, which is what k6 scripts see. */
export function canonicalHeader(name: string): string {
  let c = canonCache.get(name);
  if (c === undefined) {
    c = name.toLowerCase().replace(/(^|-)([a-z])/g, (_m, p: string, ch: string) => p + ch.toUpperCase());
    if (canonCache.size < 1000) canonCache.set(name, c);
  }
  return c;
}
