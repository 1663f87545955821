// HAProxy config from the YAML (algorithm, maxconn, weights, timeouts, health checks, one thread)
// and parsing of its `show stat` answer.
import { describe, expect, it } from "vitest";
import { haproxyConfig, haproxyWeights, parseStat } from "./haproxy.ts";

describe("haproxyConfig", () => {
  const cfg = haproxyConfig(
    { name: "lb", backends: "api", algorithm: "power_of_two", maxconn: 32, queueTimeout: 1.5, connectRetries: 2, weights: [2, 1], health: { interval: 2, rise: 2, fall: 3 } },
    8080, [9001, 9002], "/run/x.sock", 5,
  );
  it("keeps maxconn exact with one thread and maps the YAML", () => {
    expect(cfg).toContain("  nbthread 1");
    expect(cfg).toContain("  balance random(2)");
    expect(cfg).toContain("  timeout queue 1500ms");
    expect(cfg).toContain("  retries 2");
    expect(cfg).toContain("  default-server inter 2000ms rise 2 fall 3");
    expect(cfg).toContain("  option httpchk GET /healthz");
    expect(cfg).toContain("  server s1 127.0.0.1:9001 check maxconn 32 weight 256");
    expect(cfg).toContain("  server s2 127.0.0.1:9002 check maxconn 32 weight 128");
    expect(cfg).toContain("  bind 127.0.0.1:8080");
  });
});

describe("haproxyConfig with TLS (the YAML's tls)", () => {
  const lb = { name: "lb", backends: "api", algorithm: "round_robin", queueTimeout: 1, connectRetries: 3 };
  it("binds with the run's certificate, HTTP/1.1 by ALPN; session cache and tickets on when the YAML resumes", () => {
    const cfg = haproxyConfig({ ...lb, tls: { resumption: true, key: "rsa-2048" as const } }, 8443, [9001], "/run/x.sock", undefined, 1, "/run/state/haproxy-tls/balancer.pem");
    expect(cfg).toContain("  bind 127.0.0.1:8443 ssl crt /run/state/haproxy-tls/balancer.pem alpn http/1.1\n");
    expect(cfg).not.toContain("tune.ssl.cachesize");
  });
  it("without resumption: no session cache (tune.ssl.cachesize 0) and no tickets, so every handshake is full", () => {
    const cfg = haproxyConfig({ ...lb, tls: { resumption: false, key: "rsa-2048" as const } }, 8443, [9001], "/run/x.sock", undefined, 1, "/c.pem");
    expect(cfg).toContain("  tune.ssl.cachesize 0\n");
    expect(cfg).toContain("  bind 127.0.0.1:8443 ssl crt /c.pem no-tls-tickets alpn http/1.1\n");
  });
  it("refuses a TLS balancer without a certificate rather than serving plain HTTP", () => {
    expect(() => haproxyConfig({ ...lb, tls: { resumption: false, key: "rsa-2048" as const } }, 8443, [9001], "/run/x.sock", undefined)).toThrow(/asks for TLS but no certificate/);
  });
  it("a balancer without tls binds plain HTTP", () => {
    expect(haproxyConfig(lb, 8080, [9001], "/run/x.sock", undefined)).toContain("  bind 127.0.0.1:8080\n");
  });
});

describe("haproxyConfig without health_check", () => {
  it("checks no server, as the simulator's balancer without health_check never notices a crash", () => {
    const cfg = haproxyConfig({ name: "lb", backends: "api", algorithm: "round_robin", queueTimeout: 1, connectRetries: 3 }, 8080, [9001, 9002], "/run/x.sock", undefined);
    expect(cfg).toContain("  server s1 127.0.0.1:9001\n");
    expect(cfg).not.toContain("check");
    expect(cfg).not.toContain("default-server");
  });
});

describe("haproxyConfig timeouts", () => {
  const lb = { name: "lb", backends: "api", algorithm: "round_robin", queueTimeout: 1, connectRetries: 3, health: { interval: 2, rise: 2, fall: 3 } };
  it("outlast the service's timeout, so the service answers 504 first", () => {
    const cfg = haproxyConfig(lb, 8080, [9001], "/run/x.sock", 5);
    expect(cfg).toContain("  timeout server 10000ms");
    expect(cfg).toContain("  timeout client 35000ms");
  });
  it("are a day when the service has no timeout (the simulator's default: none)", () => {
    const cfg = haproxyConfig(lb, 8080, [9001], "/run/x.sock", undefined);
    expect(cfg).toContain("  timeout server 24h");
    expect(cfg).toContain("  timeout client 24h");
  });
});

describe("haproxyWeights", () => {
  it("scales the largest weight to HAProxy's 256 and keeps the ratios within 1/256", () => {
    expect(haproxyWeights([0.5, 1])).toEqual([128, 256]);
    expect(haproxyWeights([1, 1, 1])).toEqual([256, 256, 256]);
    expect(haproxyWeights([3, 1])).toEqual([256, 85]);
    const yaml = [0.1, 0.25, 0.7, 1.3];
    const w = haproxyWeights(yaml);
    for (let i = 0; i < yaml.length; i++) {
      // The share each server gets, YAML vs HAProxy: equal within 0.5/256 of the largest weight.
      expect(Math.abs(w[i]! / w[3]! - yaml[i]! / yaml[3]!)).toBeLessThanOrEqual(0.5 / 256 + 1e-12);
    }
  });

  it("never gives a positive weight 0 (HAProxy would send it nothing)", () => {
    expect(haproxyWeights([0.001, 1])).toEqual([1, 256]);
  });
});

describe("parseStat", () => {
  it("reads queue and session counts of the backend's servers", () => {
    const csv = [
      "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status",
      "entry,FRONTEND,,,3,5,4096,10,0,0,0,0,0,,,,,OPEN",
      "service,s1,2,4,16,16,16,100,0,0,,0,,0,0,0,0,UP",
      "service,s2,0,1,9,16,16,90,0,0,,0,,0,0,0,0,DOWN",
      "service,BACKEND,2,4,25,32,410,190,0,0,0,0,,0,0,0,0,UP",
    ].join("\n");
    expect(parseStat(csv)).toEqual([
      { name: "s1", status: "UP", qcur: 2, scur: 16, smax: 16 },
      { name: "s2", status: "DOWN", qcur: 0, scur: 9, smax: 16 },
      { name: "BACKEND", status: "UP", qcur: 2, scur: 25, smax: 32 },
    ]);
  });
});

describe("haproxyConfig for auto-scaling", () => {
  const lb = { name: "lb", backends: "api", algorithm: "round_robin", queueTimeout: 1, connectRetries: 3, health: { interval: 1, rise: 2, fall: 2 } };
  it("declares a server per replica place and disables those above the starting count", () => {
    const cfg = haproxyConfig(lb, 8080, [9001, 9002, 9003], "/run/x.sock", 5, 1);
    expect(cfg).toContain("  server s1 127.0.0.1:9001 check\n");
    expect(cfg).toContain("  server s2 127.0.0.1:9002 check disabled");
    expect(cfg).toContain("  server s3 127.0.0.1:9003 check disabled");
  });
});
