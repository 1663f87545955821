// The OTLP/HTTP receiver the reference app exports to: on 127.0.0.1, the run's token required
// (401 without), JSON only (415 for protobuf), each accepted request one line of the file, which
// the OTLP reader then reads back.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startReceiver } from "../reference-app/otlp-receiver.ts";
import { readOtlpLines } from "./read-otlp.ts";
import { Notes, type Span } from "./span.ts";
import { server, toOtlpLines } from "./testing.ts";

const dir = mkdtempSync(join(tmpdir(), "headroom-receiver-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("otlp receiver", () => {
  it("appends authorized OTLP/JSON requests as lines, refuses the rest", async () => {
    const file = join(dir, "t.jsonl");
    const r = await startReceiver(file, "s3cret");
    try {
      expect(r.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/traces$/);
      const body = toOtlpLines([server({ id: "1", start: 0, end: 5 })])[0]!;
      const post = (headers: Record<string, string>) => fetch(r.url, { method: "POST", headers, body });
      expect((await post({ "content-type": "application/json" })).status).toBe(401);
      expect((await post({ "content-type": "application/json", authorization: "Bearer wrong!" })).status).toBe(401);
      expect((await post({ "content-type": "application/x-protobuf", authorization: "Bearer s3cret" })).status).toBe(415);
      expect((await post({ "content-type": "application/json", authorization: "Bearer s3cret" })).status).toBe(200);
      expect((await post({ "content-type": "application/json", authorization: "Bearer s3cret" })).status).toBe(200);
      expect(r.counts).toEqual({ requests: 2, spans: 2, refused: 2 });
    } finally {
      await r.close();
    }
    const spans: Span[] = [];
    await readOtlpLines(readFileSync(file, "utf8").split("\n"), file, new Notes(), spans);
    expect(spans.length).toBe(2);
  });
});
