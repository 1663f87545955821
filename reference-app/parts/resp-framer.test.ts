// The RESP framer finds every value's end whatever the chunking: each stream (bytes as Redis 7 and
// ioredis put them on the wire) is fed whole, in chunks of 7, and byte by byte, and must give the
// same messages (their bytes, in order, nothing lost or added) and the same bulk bytes per message.
import { describe, expect, it } from "vitest";
import { RespFramer } from "./resp-framer.ts";

interface Framed {
  messages: string[];
  /** Per message, its bytes that are not framing (bulk strings' data). */
  bodies: number[];
  passed: string;
}

function frame(kind: "request" | "response", text: string, step: number): Framed {
  const out: Framed = { messages: [], bodies: [], passed: "" };
  const f = new RespFramer(kind, {
    message: (parts, bytes, headBytes) => {
      const m = Buffer.concat(parts);
      expect(m.length).toBe(bytes);
      out.messages.push(m.toString("latin1"));
      out.bodies.push(bytes - headBytes);
    },
    passthrough: (b) => (out.passed += b.toString("latin1")),
  });
  const b = Buffer.from(text, "latin1");
  for (let i = 0; i < b.length; i += step) f.push(b.subarray(i, i + step));
  f.end();
  return out;
}

/** Every chunking gives `msgs` back one by one, with these bulk bytes each, nothing passed unframed. */
const framesAs = (kind: "request" | "response", msgs: string[], bodies: number[]) => {
  for (const step of [1_000_000, 7, 1]) {
    const got = frame(kind, msgs.join(""), step);
    expect(got.messages, `chunks of ${step}`).toEqual(msgs);
    expect(got.bodies, `bulk bytes, chunks of ${step}`).toEqual(bodies);
    expect(got.passed).toBe("");
  }
};

describe("RESP framing (Redis replies and commands)", () => {
  it("pipelined replies: status, error, integer, bulk, nil, each one message", () => {
    framesAs("response", ["+OK\r\n", "-ERR unknown command 'FOO'\r\n", ":42\r\n", "$5\r\nhello\r\n", "$-1\r\n", "$0\r\n\r\n", "+PONG\r\n"], [0, 0, 0, 5, 0, 0, 0]);
  });

  it("a bulk string split across TCP chunks, CRLF inside its data included, is one message of its length", () => {
    const value = `{"id":7,"pad":"${"x".repeat(3000)}\r\n${"y".repeat(1000)}"}`;
    const reply = `$${value.length}\r\n${value}\r\n`;
    framesAs("response", [reply, ":1\r\n"], [value.length, 0]);
    // cut exactly inside the length line, at the data's end and inside the closing CRLF
    for (const cut of [2, 4 + String(value.length).length, reply.length - 2, reply.length - 1]) {
      const msgs: string[] = [];
      const f = new RespFramer("response", { message: (p) => msgs.push(Buffer.concat(p).toString("latin1")), passthrough: () => expect.fail("passthrough") });
      f.push(Buffer.from(reply.slice(0, cut), "latin1"));
      expect(msgs, `nothing before the last byte (cut at ${cut})`).toEqual([]);
      f.push(Buffer.from(reply.slice(cut), "latin1"));
      expect(msgs).toEqual([reply]);
    }
  });

  it("arrays: nested, with nils and errors inside, empty and nil arrays", () => {
    framesAs("response", [
      "*3\r\n$3\r\nfoo\r\n$-1\r\n$3\r\nbar\r\n", // MGET a b c with b missing
      "*2\r\n*2\r\n:1\r\n:2\r\n*1\r\n-ERR inner\r\n", // EXEC-like nested
      "*0\r\n",
      "*-1\r\n",
      "$2\r\nok\r\n",
    ], [6, 0, 0, 0, 2]);
  });

  it("commands as ioredis sends them, pipelined: SET with a value and PX, GET, DEL; and an inline command", () => {
    const v = "v".repeat(1000);
    const set = `*5\r\n$3\r\nset\r\n$9\r\nproduct:7\r\n$1000\r\n${v}\r\n$2\r\nPX\r\n$5\r\n60000\r\n`;
    const get = "*2\r\n$3\r\nget\r\n$9\r\nproduct:7\r\n";
    const del = "*2\r\n$3\r\ndel\r\n$9\r\nproduct:7\r\n";
    // the bytes counted: the arguments after the command's name and key (SET's value, PX, TTL)
    framesAs("request", [set, get, del, "PING\r\n"], [1000 + 2 + 5, 0, 0, 0]);
  });

  it("RESP3: maps, sets, pushes, attributes (with the value they describe), null, double, boolean, verbatim, big number", () => {
    framesAs("response", [
      "%2\r\n+first\r\n:1\r\n$6\r\nsecond\r\n#t\r\n",
      "~2\r\n,3.14\r\n(3492890328409238509324850943850943825024385\r\n",
      ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$3\r\nhey\r\n",
      "|1\r\n+key-popularity\r\n*1\r\n$1\r\na\r\n*2\r\n:1\r\n:2\r\n",
      "_\r\n",
      "=15\r\ntxt:Some string\r\n",
      "!21\r\nSYNTAX invalid syntax\r\n",
    ], [6, 0, 12, 1, 0, 15, 21]);
  });

  it("what is not RESP becomes a tunnel, every byte passed on in order", () => {
    const junk = frame("response", "+OK\r\n$abc\r\nmore bytes", 3);
    expect(junk.messages[0]).toBe("+OK\r\n");
    expect(junk.messages.join("") + junk.passed).toBe("+OK\r\n$abc\r\nmore bytes");
    const huge = frame("response", "+" + "a".repeat(70_000), 4096);
    expect(huge.messages.join("") + huge.passed).toBe("+" + "a".repeat(70_000));
  });

  it("a stream that ends inside a value gives what it held as one last message", () => {
    const cut = frame("response", "+OK\r\n$10\r\nabc", 2);
    expect(cut.messages).toEqual(["+OK\r\n", "$10\r\nabc"]);
  });
});
