// The framer finds every message boundary whatever the chunking: each stream is fed whole, then
// byte by byte, and must give the same messages (their bytes, in order, nothing lost or added).
import { describe, expect, it } from "vitest";
import { HttpFramer } from "./http-framer.ts";

function frame(kind: "request" | "response", text: string, step: number, methods: string[] = []): { messages: string[]; passed: string } {
  const messages: string[] = [];
  let passed = "";
  const f = new HttpFramer(kind, { message: (parts, bytes, headBytes) => { const m = Buffer.concat(parts); expect(m.length).toBe(bytes); const h = m.indexOf("\r\n\r\n"); expect(headBytes, "the head's length").toBe(h < 0 ? 0 : h + 4); messages.push(m.toString("latin1")); }, passthrough: (b) => (passed += b.toString("latin1")) }, methods);
  const b = Buffer.from(text, "latin1");
  for (let i = 0; i < b.length; i += step) f.push(b.subarray(i, i + step));
  f.end();
  return { messages, passed };
}

const both = (kind: "request" | "response", msgs: string[], methods?: () => string[]) => {
  for (const step of [1_000_000, 7, 1]) expect(frame(kind, msgs.join(""), step, methods?.()).messages, `chunks of ${step}`).toEqual(msgs);
};

describe("HTTP/1.x message framing", () => {
  it("requests: without a body, by Content-Length, chunked with trailers", () => {
    both("request", [
      "GET /a HTTP/1.1\r\nhost: x\r\n\r\n",
      "POST /b HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
      "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n10;ext=1\r\n0123456789abcdef\r\n0\r\nX-Trailer: 1\r\n\r\n",
      "GET /d HTTP/1.0\r\n\r\n",
    ]);
  });

  it("responses: by length, chunked, none after 204, 304, an interim 100 or a HEAD; to the end without a length", () => {
    both("response", [
      "HTTP/1.1 100 Continue\r\n\r\n",
      "HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nabc",
      "HTTP/1.1 204 No Content\r\ncontent-length: 3\r\n\r\n",
      "HTTP/1.1 304 Not Modified\r\ncontent-length: 9\r\n\r\n",
      "HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\n",
      "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\r\n\r\nrest of the stream",
    ], () => ["GET", "GET", "GET", "HEAD", "GET", "GET"]);
  });

  it("an upgrade or a stream that is not HTTP/1.x becomes a tunnel, passed on in order", () => {
    const up = frame("request", "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\nframes...", 3);
    expect(up).toEqual({ messages: ["GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\n"], passed: "frames..." });
    const sw = frame("response", "HTTP/1.1 101 Switching Protocols\r\n\r\nbinary", 1_000, ["GET"]);
    expect(sw).toEqual({ messages: ["HTTP/1.1 101 Switching Protocols\r\n\r\n"], passed: "binary" });
    const junk = frame("request", "\x16\x03\x01 TLS hello\r\n\r\nmore", 1_000);
    expect(junk.messages.join("") + junk.passed).toBe("\x16\x03\x01 TLS hello\r\n\r\nmore");
  });
});
