// The editor's text as the check worker sees it, for a React component: the first text is checked
// at once, later ones 150 ms after typing stops. Each component gets its own worker, so the what-if
// editor's checks never drop the main editor's.
import { useEffect, useMemo, useRef, useState } from "react";
import { CheckClient, browserCheckWorker } from "./check-client.ts";
import type { Checked } from "./validate.ts";

/** `hold`: not yet (the page's first run is starting and wants the cores); the text is checked once
 * it is false. `supplied`: a check made elsewhere (the simulation worker's, of the first run's text):
 * taken as the answer for its text, which the check worker then does not check again. */
export function useChecked(text: string | null, hold = false, supplied: Checked | null = null): Checked | null {
  const checker = useMemo(() => new CheckClient(browserCheckWorker), []);
  useEffect(() => () => checker.dispose(), [checker]);
  const [checked, setChecked] = useState<Checked | null>(null);
  const first = useRef(true);
  useEffect(() => {
    if (text === null) return;
    if (supplied?.text === text) { setChecked(supplied); return; }
    if (hold) return;
    const t = setTimeout(() => checker.check(text, setChecked), first.current ? 0 : 150);
    first.current = false;
    return () => clearTimeout(t);
  }, [text, checker, hold, supplied]);
  return checked;
}
