// The load's real start as the app saw it: the moment HAProxy's frontend counted its first request.
// The dynamic validations align the measured series to it (the simulator's t = 0).
import { haproxyCommand } from "./parts/haproxy.ts";

/** Resolves when HAProxy's frontend has counted its first request (the load's real start), polled every 10 ms. */
export async function firstRequest(socket: string, signal: { done: boolean }): Promise<number> {
  while (!signal.done) {
    const csv = await haproxyCommand(socket, "show stat").catch(() => "");
    const lines = csv.trim().split("\n");
    const header = (lines[0] ?? "").replace(/^# /, "").split(",");
    const fe = lines.find((l) => l.startsWith("entry,FRONTEND,"));
    if (fe && Number(fe.split(",")[header.indexOf("req_tot")] || 0) > 0) return Date.now();
    await new Promise((r) => setTimeout(r, 10));
  }
  return NaN;
}
