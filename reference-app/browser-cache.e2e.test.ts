// browser_cache realized: the service answers a class with the YAML's `Cache-Control: max-age`
// and an ETag; a request carrying that ETag in If-None-Match is a revalidation: the entry
// service runs `<class>/revalidate` (here 5 ms instead of the class's 80 ms) and answers 304.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scenarioOf } from "../simulator/testing.ts";
import { startAppPromise, type RunningApp } from "./launcher.ts";

const YAML = `version: 1
name: browser-e2e
load:
  model: open
  rate: 10/s
  population: 100
  classes:
    page:
      http: { method: GET, path: "/pages/{key}" }
      keys: { count: 100 }
      browser_cache: { max_age: 30s }
      flow: [{ call: api }]
components:
  api:
    kind: service
    concurrency: 4
    handlers:
      page: [{ service: 80ms }]
      page/revalidate: [{ service: 5ms }]
`;

let app: RunningApp;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ app, stop } = await startAppPromise(scenarioOf(YAML, "browser-e2e.yaml"), { file: "browser-e2e.yaml" }));
});
afterAll(async () => {
  await stop?.();
});

async function timed(url: string, headers: Record<string, string> = {}): Promise<{ res: Response; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
  await res.arrayBuffer();
  return { res, ms: performance.now() - t0 };
}

describe("browser cache headers and revalidation", () => {
  it("a full response carries max-age and an ETag; the ETag back gets a cheaper 304", async () => {
    const full = await timed(`${app.url}/pages/7`);
    expect(full.res.status).toBe(200);
    expect(full.res.headers.get("cache-control")).toBe("max-age=30");
    const tag = full.res.headers.get("etag");
    expect(tag).toBe('"page-7"');
    const again = await timed(`${app.url}/pages/7`, { "if-none-match": tag! });
    expect(again.res.status).toBe(304);
    expect(again.res.headers.get("etag")).toBe(tag);
    // 80 ms of work for the full answer, 5 ms for the revalidation (plus the same overheads)
    expect(full.ms).toBeGreaterThanOrEqual(80);
    expect(again.ms).toBeLessThan(full.ms - 40);
    // another key's ETag is no match: a full answer
    const other = await timed(`${app.url}/pages/8`, { "if-none-match": tag! });
    expect(other.res.status).toBe(200);
  });
});
