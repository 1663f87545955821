// nginx's two roles in front of HAProxy: the CDN's edge cache and the rate-limit gateway, whose
// limit_req is the model's token bucket (burst - 1: limit_req holds burst + 1 requests at once).
import { describe, expect, it } from "vitest";
import { nginxConfig } from "./nginx.ts";

describe("nginxConfig", () => {
  it("as a gateway: one zone for every request at the YAML's rate, burst - 1, nodelay, 429, no cache", () => {
    const cfg = nginxConfig({ kind: "gateway", limit: { rate: 50, burst: 10, nginxRate: "50r/s", nginxBurst: 9 } }, [{ port: 8081, originPort: 8080 }], "/s", "/l", "n0nce");
    expect(cfg).toContain("limit_req_zone $server_port zone=gate:1m rate=50r/s;");
    expect(cfg).toContain("limit_req_status 429;");
    expect(cfg).toContain("limit_req zone=gate burst=9 nodelay;");
    expect(cfg).toContain("server 127.0.0.1:8080;");
    expect(cfg).not.toContain("proxy_cache");
    // the readiness path is answered before the limit (its own exact location)
    expect(cfg.indexOf('location = /__headroom/ready { return 200 "n0nce"; }')).toBeLessThan(cfg.indexOf("limit_req zone=gate"));
  });
  it("as the CDN: an edge cache with the ttl as inactive time, no limit", () => {
    const cfg = nginxConfig({ kind: "cdn", plan: { name: "edge", ttl: 60 } }, [{ port: 8081, originPort: 8080 }], "/s", "/l", "n0nce");
    expect(cfg).toContain("keys_zone=edge:10m max_size=256m inactive=60s");
    expect(cfg).toContain("proxy_cache edge;");
    expect(cfg).not.toContain("limit_req");
  });
  it("as the CDN with regions: a server per origin region, each to its own origin, one cache keyed without the upstream", () => {
    const cfg = nginxConfig({ kind: "cdn", plan: { name: "edge", ttl: 60 } }, [{ port: 8081, originPort: 9001 }, { port: 8082, originPort: 9002 }], "/s", "/l", "n0nce");
    expect(cfg.match(/keys_zone=/g)).toHaveLength(1);
    expect(cfg).toContain("upstream origin1 { server 127.0.0.1:9001;");
    expect(cfg).toContain("upstream origin2 { server 127.0.0.1:9002;");
    const server = (port: number) => cfg.slice(cfg.indexOf(`listen 127.0.0.1:${port};`)).split("\n  }\n")[0]!;
    expect(server(8081)).toContain("proxy_pass http://origin1;");
    expect(server(8082)).toContain("proxy_pass http://origin2;");
    for (const port of [8081, 8082]) {
      expect(server(port)).toContain("proxy_cache edge;");
      expect(server(port)).toContain("proxy_cache_key $scheme$request_uri;");
    }
  });
});
