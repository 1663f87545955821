// Entry point of the dashboard: a small module that, on a plain visit (no scenario in the link, not
// the live view), starts the default scenario's run in the simulation worker first (first-run.ts),
// then fetches and mounts the page (page.tsx: React, the App). The worker's start and the page's
// loading then overlap on the two cores instead of following each other.
import { defaultPreset } from "./scenarios.ts";
import { SimClient, browserSimWorker } from "./sim-client.ts";
import { startFirstRun } from "./first-run.ts";
import "./styles.css";

const live = new URLSearchParams(location.search).has("live");
if (!live && location.hash === "") startFirstRun(new SimClient(browserSimWorker), defaultPreset.text);

import("./page.tsx").then((m) => m.mount(live), (e: unknown) => {
  // the page's code could not be loaded (a server gone, a stale build): say so instead of a blank page
  document.getElementById("root")!.textContent = `The dashboard's code could not be loaded: ${e instanceof Error ? e.message : String(e)}. Reload the page.`;
});
