// The pure parts of regions/netns.ts: the YAML's one-way latency as netem arguments (and the
// refusal of what netem cannot hold), and the check that keeps a run's /16 off the host's routes.
import { describe, expect, it } from "vitest";
import { netemArgs, overlaps } from "./netns.ts";

describe("netem arguments", () => {
  it("realizes constant and normal latencies in milliseconds, nothing for none or zero", () => {
    expect(netemArgs({ dist: "constant", value: 0.032 }, "x")).toEqual(["delay", "32ms"]);
    expect(netemArgs({ dist: "normal", mean: 0.032, sd: 0.002 }, "x")).toEqual(["delay", "32ms", "2ms", "distribution", "normal"]);
    expect(netemArgs({ dist: "normal", mean: 0.0125, sd: 0 }, "x")).toEqual(["delay", "12.5ms"]);
    expect(netemArgs({ dist: "constant", value: 0 }, "x")).toEqual([]);
    expect(netemArgs(undefined, "x")).toEqual([]);
  });

  it("refuses a distribution netem cannot hold, naming where it is", () => {
    expect(() => netemArgs({ dist: "lognormal", mean: 0.03, cv: 0.5 }, "regions.east.latency.west")).toThrow(/regions.east.latency.west: a lognormal latency cannot be realized by tc netem/);
  });
});

describe("a run's private /16", () => {
  it("overlaps a host route or address inside it or covering it, not one beside it", () => {
    expect(overlaps(200, [{ dst: "10.200.3.0/24" }])).toBe(true);
    expect(overlaps(200, [{ dst: "10.0.0.0/8" }])).toBe(true);
    expect(overlaps(200, [{ dst: "10.200.255.1/32" }])).toBe(true);
    expect(overlaps(200, [{ dst: "10.201.0.0/16" }, { dst: "192.0.2.0/24" }, { dst: "default" }, { dst: "127.0.0.0/8" }])).toBe(false);
    expect(overlaps(200, [{ dst: "0.0.0.0/0" }])).toBe(true);
  });
});
