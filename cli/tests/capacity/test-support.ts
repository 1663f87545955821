// Shared by the capacity tests: run the CLI in-process with stdout and stderr captured, and the
// M/M/1 scenario whose capacity at its SLO is known in closed form.
import { vi } from "vitest";
import { main } from "../../main.ts";

export async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "", err = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((s) => { out += String(s); return true; });
  const e = vi.spyOn(process.stderr, "write").mockImplementation((s) => { err += String(s); return true; });
  try {
    const code = await main(args);
    return { code, out, err };
  } finally {
    o.mockRestore(); e.mockRestore();
  }
}

// One M/M/1 station, μ = 1000/s, SLO p99 <= 20 ms. The sojourn is exponential with rate μ - λ, so
// p99 = ln(100) / (μ - λ) and the capacity is λ* = μ - ln(100) / 0.02 = 769.7/s.
export const station = (servers: number, name = "mm1") => `
version: 1
name: ${name}
seed: 5
simulation: { duration: 8s, warmup: 1s }
load: { model: open, rate: 500/s, classes: { req: { flow: [api] } } }
components:
  api: { kind: station, servers: ${servers}, service: { dist: exponential, mean: ${servers}ms }, cost: { instance_hour: 0.1 } }
slo: { latency: { p99: 20ms } }
`;
