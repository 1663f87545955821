// The page's first run, started by the entry module before the page's own code is fetched: a
// plain visit (no scenario in the link, not the live view) opens on the default scenario and
// simulates it at once, so the simulation worker's start (fetching and compiling its bundle,
// building the model's schemas) overlaps with the page's loading instead of following it (traced,
// it came 0.6-0.9 s after navigation, after React's mount). The App takes the run over at mount;
// what the worker said before that (the check, the progress, the intervals so far) is kept, the
// last of each, and handed over then.
import type { Checked } from "./validate.ts";
import type { RunOptions } from "./protocol.ts";
import type { Job, Partial, RunOutcome, SimClient } from "./sim-client.ts";

/** The options of the page's first run of a bundled scenario: the check comes with the run. */
export const firstRunOptions = (force: boolean): RunOptions => ({ hops: true, bands: true, ...(force ? {} : { budget: true }), check: true });

export interface FirstRunHandlers {
  readonly onProgress: (f: number) => void;
  readonly onPartial: (p: Partial) => void;
  readonly onChecked: (c: Checked) => void;
}

export interface FirstRun {
  readonly client: SimClient;
  readonly text: string;
  readonly job: Job<RunOutcome>;
  /** Messages so far are handed over at once (the last of each kind), later ones as they come. */
  attach(h: FirstRunHandlers): void;
}

let started: FirstRun | null = null;

/** Starts `text` on `client` now, for the App to take over (takeFirstRun). */
export function startFirstRun(client: SimClient, text: string): void {
  let to: FirstRunHandlers | null = null;
  let progress: number | null = null;
  let partial: Partial | null = null;
  let checked: Checked | null = null;
  const job = client.run(text, firstRunOptions(false),
    (f) => { if (to) to.onProgress(f); else progress = f; },
    // each partial carries every interval so far: the last one is all the page needs
    (p) => { if (to) to.onPartial(p); else partial = p; },
    (c) => { if (to) to.onChecked(c); else checked = c; });
  started = {
    client, text, job,
    attach(h) {
      to = h;
      if (checked) h.onChecked(checked);
      if (progress !== null) h.onProgress(progress);
      if (partial) h.onPartial(partial);
      checked = null; partial = null; progress = null;
    },
  };
}

/** The run startFirstRun started, once (null if none was): the App that takes it owns its client. */
export function takeFirstRun(): FirstRun | null {
  const r = started;
  started = null;
  return r;
}
