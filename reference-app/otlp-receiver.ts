// A tiny OTLP/HTTP traces receiver: POST /v1/traces with a JSON ExportTraceServiceRequest, appended
// to a file as one line (the Collector file exporter's format, which `headroom fit` reads). Listens
// on 127.0.0.1 (port 0 by default) and answers only requests bearing the run's token. Trades away
// OTLP/protobuf (answered 415: exporters here are configured for JSON), gzip bodies and the partial
// success reply fields.
import { createWriteStream, type WriteStream } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { bearerMatches } from "./token.ts";

export const MAX_BODY = 64 * 1024 * 1024;

export interface Receiver {
  /** The traces URL, http://127.0.0.1:PORT/v1/traces. */
  readonly url: string;
  /** Requests and spans written so far. */
  readonly counts: { requests: number; spans: number; refused: number };
  /** Stops listening and closes the file once every write is done. */
  close(): Promise<void>;
}

function countSpans(req: { resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: unknown[] }> }> }): number {
  let n = 0;
  for (const rs of req.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) n += ss.spans?.length ?? 0;
  return n;
}

export async function startReceiver(file: string, token: string, port = 0): Promise<Receiver> {
  const out: WriteStream = createWriteStream(file, { flags: "a", mode: 0o600 });
  await new Promise<void>((resolve, reject) => out.once("open", () => resolve()).once("error", reject));
  const counts = { requests: 0, spans: 0, refused: 0 };
  const server = http.createServer((req, res) => {
    const answer = (status: number, body: string) => {
      res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      res.end(body);
    };
    if (req.method !== "POST" || (req.url ?? "").split("?")[0] !== "/v1/traces") {
      req.resume();
      return answer(404, '{"error":"POST /v1/traces only"}');
    }
    if (!bearerMatches(req.headers.authorization, token)) {
      counts.refused++;
      req.resume();
      return answer(401, '{"error":"bearer token required"}');
    }
    if (!(req.headers["content-type"] ?? "").startsWith("application/json")) {
      req.resume();
      return answer(415, '{"error":"OTLP/JSON only (content-type application/json)"}');
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on("end", () => {
      if (size > MAX_BODY) return answer(413, '{"error":"body too large"}');
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        return answer(400, '{"error":"not JSON"}');
      }
      counts.requests++;
      counts.spans += countSpans(parsed as Parameters<typeof countSpans>[0]);
      // One write per request: each line is one whole request, whatever the interleaving.
      out.write(JSON.stringify(parsed) + "\n", (e) => (e ? answer(500, '{"error":"write failed"}') : answer(200, "{}")));
    });
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, "127.0.0.1", () => resolve()));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/v1/traces`,
    counts,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await new Promise<void>((resolve) => out.end(() => resolve()));
    },
  };
}
