// A process's CPU time from the kernel scheduler's own accounting (/proc/<pid>/task/*/schedstat,
// nanoseconds): how a validation sees what a part of the reference app really spent, e.g. HAProxy's
// thread under TLS churn, where the model's capacity is its CPU time per request. Linux only; a
// process gone between two reads answers what it had.
import { readdirSync, readFileSync } from "node:fs";
import { haproxyCommand } from "./parts/haproxy.ts";

/** The process's threads' time run and time runnable but kept off a CPU by others (ms). */
export function processCpu(pid: number): { runMs: number; delayMs: number } {
  let run = 0, delay = 0;
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      const f = readFileSync(`/proc/${pid}/task/${t}/schedstat`, "utf8").split(" ");
      run += Number(f[0]);
      delay += Number(f[1]);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return { runMs: run / 1e6, delayMs: delay / 1e6 };
}

/** HAProxy's pid, from its runtime socket's `show info`. */
export async function haproxyPid(socket: string): Promise<number> {
  const m = /^Pid: (\d+)$/m.exec(await haproxyCommand(socket, "show info"));
  if (!m) throw new Error("haproxy's show info has no Pid");
  return Number(m[1]);
}
