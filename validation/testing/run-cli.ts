// Test helper: runs the headroom CLI in-process (cli/main.ts) and returns its exit code with what it
// wrote to stdout and stderr, so a test checks the real command's messages and codes without the
// second or more a child process takes to load. Trades away process isolation: the command must
// not call process.exit (none does; main returns the code).
import { vi } from "vitest";
import { main } from "../../cli/main.ts";

export async function runCli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let err = "";
  let out = "";
  const e = vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  const o = vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  try {
    return { code: await main(argv), out, err };
  } finally {
    e.mockRestore();
    o.mockRestore();
  }
}
