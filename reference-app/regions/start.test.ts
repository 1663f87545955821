// The geo router's HAProxy configuration (regions/start.ts): the entries in the order the origin
// tries them, the later ones `backup` (HAProxy uses the first backup that is up, so the next
// nearest region), every one health-checked every GEO_CHECK_S and down after one failure, a refused
// connection tried once more on another entry, and only 127.0.0.1 bound.
import { describe, expect, it } from "vitest";
import { geoRouterConfig, GEO_CHECK_S } from "./start.ts";

describe("geo router configuration", () => {
  it("lists the entries nearest first, the later ones backup, checked every 200 ms", () => {
    const cfg = geoRouterConfig(4000, [4001, 4002, 4003], "/run/x/haproxy.sock");
    const servers = cfg.split("\n").filter((l) => l.trim().startsWith("server "));
    expect(servers.map((l) => l.trim())).toEqual([
      "server e1 127.0.0.1:4001 check",
      "server e2 127.0.0.1:4002 check backup",
      "server e3 127.0.0.1:4003 check backup",
    ]);
    expect(GEO_CHECK_S).toBe(0.2);
    expect(cfg).toContain("default-server inter 200ms fastinter 200ms downinter 200ms rise 1 fall 1");
    expect(cfg).toContain("option httpchk GET /healthz");
    expect(cfg).toMatch(/retries 1\n {2}option redispatch/);
    expect(cfg).not.toContain("option allbackups");
    expect(cfg.match(/bind (\S+)/g)).toEqual(["bind 127.0.0.1:4000"]);
  });
});
