// The check worker: validates the editor's text with the CLI's parser off the page's thread, so a
// huge or pathological scenario (from a shared link, say) slows this worker, never the page; the
// page stops it after CHECK_TIMEOUT_MS. Separate from the simulation worker, so typing is checked
// while a run is in progress. `check` never throws; anything that still escapes is posted as text.
import { check, errorText } from "./validate.ts";
import type { CheckReply, CheckRequest } from "./check-client.ts";

const post = (m: CheckReply) => (self as unknown as Worker).postMessage(m);

self.onmessage = (ev: MessageEvent<CheckRequest>) => {
  const { id, text } = ev.data;
  try {
    post({ id, checked: check(text) });
  } catch (e) {
    // postMessage itself can fail (a value that cannot be cloned): say so rather than go silent.
    post({ id, checked: { text, scenario: null, diagnostics: [], errors: 0, failure: `the scenario could not be checked: ${errorText(e)}` } });
  }
};
