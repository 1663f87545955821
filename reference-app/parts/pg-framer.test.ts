// The PostgreSQL framer groups a connection's messages into what the other side waits for, whatever
// the chunking: each stream (messages built as protocol 3.0 puts them on the wire, in the order
// node-postgres and PostgreSQL 15 exchange them) is fed whole, in chunks of 7, and byte by byte, and
// must give the same transfers (their bytes, in order, nothing lost or added) and the same bytes of
// row values per transfer.
import { describe, expect, it } from "vitest";
import { PgFramer, pgSession, type PgSession } from "./pg-framer.ts";

const int32 = (n: number) => { const b = Buffer.alloc(4); b.writeInt32BE(n); return b; };
const int16 = (n: number) => { const b = Buffer.alloc(2); b.writeInt16BE(n); return b; };
const cstr = (s: string) => Buffer.from(`${s}\0`, "latin1");
/** A typed message: its type byte, its length (counting itself), its payload. */
const msg = (type: string, ...payload: Buffer[]) => { const p = Buffer.concat(payload); return Buffer.concat([Buffer.from(type, "latin1"), int32(p.length + 4), p]); };
/** An untyped startup-phase message. */
const untyped = (...payload: Buffer[]) => { const p = Buffer.concat(payload); return Buffer.concat([int32(p.length + 4), p]); };
/** A DataRow of text values (null: NULL). */
const row = (...values: Array<string | null>) => msg("D", int16(values.length), ...values.map((v) => (v === null ? int32(-1) : Buffer.concat([int32(Buffer.byteLength(v)), Buffer.from(v)]))));

const ssl = untyped(int32(80877103));
const startup = untyped(int32(196608), cstr("user"), cstr("app"), cstr("database"), cstr("headroom"), cstr(""));
const saslInit = msg("p", cstr("SCRAM-SHA-256"), int32(32), Buffer.from("n,,n=,r=rOprNGfwEbeRWgbNEkqO%hvY"));
const saslResp = msg("p", Buffer.from("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="));
// a parameterized read as node-postgres sends it: Parse, Bind, Describe portal, Execute, Sync
const extended = Buffer.concat([
  msg("P", cstr(""), cstr("SELECT id, name, data FROM products WHERE id = $1"), int16(0)),
  msg("B", cstr(""), cstr(""), int16(0), int16(1), int32(2), Buffer.from("42"), int16(0)),
  msg("D", Buffer.from("P"), cstr("")),
  msg("E", cstr(""), int32(0)),
  msg("S"),
]);
const simple = msg("Q", cstr("SELECT 1"));
const terminate = msg("X");

const authSasl = msg("R", int32(10), cstr("SCRAM-SHA-256"), cstr(""));
const authContinue = msg("R", int32(11), Buffer.from("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"));
const authFinalAndReady = [
  msg("R", int32(12), Buffer.from("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")),
  Buffer.concat([msg("R", int32(0))]),
  Buffer.concat([msg("S", cstr("server_version"), cstr("15.5")), msg("S", cstr("client_encoding"), cstr("UTF8")), msg("K", int32(4242), int32(99)), msg("Z", Buffer.from("I"))]),
];
const value = "x".repeat(3000);
const rowDesc = msg("T", int16(3), ...["id", "name", "data"].map((n, i) => Buffer.concat([cstr(n), int32(16384), int16(i + 1), int32(25), int16(-1), int32(-1), int16(0)])));
const readAnswer = Buffer.concat([msg("1"), msg("2"), rowDesc, row("42", null, value), msg("C", cstr("SELECT 1")), msg("Z", Buffer.from("I"))]);
const pageAnswer = Buffer.concat([msg("1"), msg("2"), rowDesc, row("1", "a", "pp"), row("2", "bb", "qqq"), msg("C", cstr("SELECT 2")), msg("Z", Buffer.from("I"))]);
const errorAnswer = Buffer.concat([msg("E", cstr("SERROR"), cstr("C42P01"), cstr("Mrelation \"nope\" does not exist"), cstr("")), msg("Z", Buffer.from("I"))]);

interface Framed { messages: Buffer[]; bodies: number[]; passed: Buffer }

function frame(kind: "request" | "response", bytes: Buffer, step: number, session: PgSession = pgSession()): Framed {
  const out: Framed = { messages: [], bodies: [], passed: Buffer.alloc(0) };
  const f = new PgFramer(kind, {
    message: (parts, n, head) => { const m = Buffer.concat(parts); expect(m.length).toBe(n); out.messages.push(m); out.bodies.push(n - head); },
    passthrough: (b) => (out.passed = Buffer.concat([out.passed, b])),
  }, session);
  for (let i = 0; i < bytes.length; i += step) f.push(bytes.subarray(i, i + step));
  f.end();
  return out;
}

const framesAs = (kind: "request" | "response", transfers: Buffer[], bodies: number[], session?: () => PgSession) => {
  for (const step of [1_000_000, 7, 1]) {
    const got = frame(kind, Buffer.concat(transfers), step, session?.());
    expect(got.messages.map((m) => m.toString("hex")), `chunks of ${step}`).toEqual(transfers.map((m) => m.toString("hex")));
    expect(got.bodies, `row bytes, chunks of ${step}`).toEqual(bodies);
    expect(got.passed.length).toBe(0);
  }
};

describe("PostgreSQL message framing (protocol 3.0)", () => {
  it("requests: the startup (SSLRequest, StartupMessage), SASL answers each alone, a parameterized query up to its Sync, a simple query, Terminate", () => {
    framesAs("request", [ssl, startup, saslInit, saslResp, extended, simple, extended, terminate], [0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("answers: 'N' to the SSLRequest, each authentication request alone, the startup's end at ReadyForQuery; a query's answer up to ReadyForQuery, its rows' values counted", () => {
    const session = () => { const s = pgSession(); s.encryptionAsked = 1; return s; };
    framesAs("response", [Buffer.from("N"), authSasl, authContinue, ...authFinalAndReady, readAnswer, pageAnswer, errorAnswer], [0, 0, 0, 0, 0, 0, 2 + 3000, 1 + 1 + 2 + 1 + 2 + 3, 0], session);
  });

  it("a 3 kB row split across TCP chunks anywhere is not released before its ReadyForQuery", () => {
    for (const cut of [1, 5, 6, 7, 60, readAnswer.length - 6, readAnswer.length - 1]) {
      const got: Buffer[] = [];
      const f = new PgFramer("response", { message: (p) => got.push(Buffer.concat(p)), passthrough: () => expect.fail("passthrough") }, pgSession());
      f.push(readAnswer.subarray(0, cut));
      expect(got, `cut at ${cut}`).toEqual([]);
      f.push(readAnswer.subarray(cut));
      expect(got.map((b) => b.toString("hex"))).toEqual([readAnswer.toString("hex")]);
    }
  });

  it("after the client's Flush, each answer message goes alone until ReadyForQuery (what a Flush answers has no end marker)", () => {
    const session = pgSession();
    const req = frame("request", Buffer.concat([startup, msg("P", cstr("s1"), cstr("SELECT $1::int"), int16(0)), msg("D", Buffer.from("S"), cstr("s1")), msg("H")]), 1_000, session);
    expect(req.messages).toHaveLength(2); // the startup, then Parse + Describe + Flush
    expect(session.flushed).toBe(true);
    const described = [msg("1"), msg("t", int16(1), int32(23)), msg("T", int16(1), cstr("int4"), int32(0), int16(0), int32(23), int16(4), int32(-1), int16(0))];
    const got = frame("response", Buffer.concat([...described, msg("Z", Buffer.from("I"))]), 3, session);
    expect(got.messages.map((m) => m.toString("hex"))).toEqual([...described, msg("Z", Buffer.from("I"))].map((m) => m.toString("hex")));
    expect(session.flushed).toBe(false);
  });

  it("'S' to an SSLRequest starts TLS: both directions pass unframed, in order", () => {
    const session = pgSession();
    const req = frame("request", ssl, 1_000, session);
    expect(req.messages.map((m) => m.toString("hex"))).toEqual([ssl.toString("hex")]);
    const hello = Buffer.from("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", "latin1");
    const ans = frame("response", Buffer.concat([Buffer.from("S"), hello]), 1_000, session);
    expect(ans.messages.map((m) => m.toString("latin1"))).toEqual(["S"]);
    expect(ans.passed.toString("hex")).toBe(hello.toString("hex"));
    const after = frame("request", hello, 1_000, session);
    expect(after.passed.toString("hex")).toBe(hello.toString("hex"));
  });

  it("a length PostgreSQL never sends turns the direction into a tunnel, every byte passed on", () => {
    const bad = Buffer.concat([msg("Z", Buffer.from("I")), Buffer.from("Z\0\0\0\x01junk")]);
    const got = frame("response", bad, 4);
    expect(Buffer.concat([...got.messages, got.passed]).toString("hex")).toBe(bad.toString("hex"));
    expect(got.messages[0]!.toString("hex")).toBe(msg("Z", Buffer.from("I")).toString("hex"));
  });
});
