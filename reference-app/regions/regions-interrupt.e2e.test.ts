// `headroom app up` of a two-region scenario (regions/fixtures/two-regions.yaml), stopped at three
// moments, leaves nothing: no process (the relay and the geo routers included), no listening port
// (the relay's routes included), no run dir. Ctrl-C (SIGINT) once ready; SIGTERM while the geo
// routers start (the relay and the services run); SIGKILL once ready, which no finalizer survives:
// the reaper removes the parts it was told of and the relay exits as its stdin (the launcher's pipe) closes.
// About 40 s.
import { describe, it } from "vitest";
import { fileURLToPath } from "node:url";
import { expectCleanInterrupt } from "../testing.ts";

const FILE = fileURLToPath(new URL("./fixtures/two-regions.yaml", import.meta.url));

describe("headroom app up with regions, interrupted", () => {
  it("Ctrl-C once ready: exit 0, nothing left", async () => {
    await expectCleanInterrupt(/is ready/, "SIGINT", FILE, true);
  });

  it("SIGTERM while the geo routers start: nothing left", async () => {
    // east's router is ready, west's is starting
    await expectCleanInterrupt(/started geo router of east[^\n]*\n/, "SIGTERM", FILE);
  });

  it("SIGKILL once ready: the reaper and the relay's own exit leave nothing", async () => {
    await expectCleanInterrupt(/is ready/, "SIGKILL", FILE, true);
  });
});
