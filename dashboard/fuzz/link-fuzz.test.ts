// The dashboard's loader against hostile share links: each link goes through what the page does
// (decodeScenario, then check as the check worker runs it, and the clone postMessage makes) and
// must end decoded and checked (a check over the page's 10 s limit is counted as stopped, which
// is what the check worker does), or refused with a LinkError; any other throw is a failure. Bombs
// and over-long links must be refused as such, intact links must decode to their text, valid
// scenarios must check valid. A bounded slice runs in the suite; HEADROOM_LINK_FUZZ=1000 runs more.
import { describe, expect, test } from "vitest";
import { decodeScenario, LinkError } from "../src/url-state.ts";
import { check } from "../src/validate.ts";
import { CHECK_TIMEOUT_MS } from "../src/check-client.ts";
import { hostileLinks, type LinkKind } from "./link-corpus.ts";

const COUNT = Number(process.env.HEADROOM_LINK_FUZZ ?? 200);
const SEED = Number(process.env.HEADROOM_LINK_FUZZ_SEED ?? 1);

describe(`dashboard loader on ${COUNT} hostile share links (seed ${SEED})`, () => {
  test("no uncaught error; each link decoded and checked, or refused; bombs and huge links refused", async () => {
    const links = hostileLinks(COUNT, SEED);
    const failures: string[] = [];
    const tally = new Map<string, number>();
    const count = (k: string) => tally.set(k, (tally.get(k) ?? 0) + 1);
    let slowestDecode = 0, slowestCheck = 0;
    for (const [i, l] of links.entries()) {
      const where = `#${i} ${l.kind}`;
      let text: string | null = null;
      const t0 = performance.now();
      try {
        text = await decodeScenario(l.hash);
      } catch (e) {
        if (e instanceof LinkError) count(`${l.kind}: refused ${e.reason}`);
        else failures.push(`${where}: decode threw ${String(e)}`);
      }
      slowestDecode = Math.max(slowestDecode, performance.now() - t0);
      const mustRefuse: Partial<Record<LinkKind, string>> = { bomb: "too-large", huge: "too-long" };
      if (mustRefuse[l.kind] && text !== null) failures.push(`${where}: decoded, should be refused as ${mustRefuse[l.kind]}`);
      if (l.text !== undefined && text !== l.text) failures.push(`${where}: an intact link did not decode to its text`);
      if (text === null) continue;
      const t1 = performance.now();
      try {
        const c = check(text);
        structuredClone(c); // what postMessage does to it
        const dt = performance.now() - t1;
        slowestCheck = Math.max(slowestCheck, dt);
        // Over the check worker's timeout the page stops the check and shows that message instead:
        // bounded, and counted apart (the parser's own speed is issue 13's defect 3, not the page's).
        if (dt > CHECK_TIMEOUT_MS) count(`${l.kind}: over the ${CHECK_TIMEOUT_MS / 1000} s check timeout (the page stops it with a message)`);
        else count(`${l.kind}: ${c.failure ? "checker failure (shown as a message)" : c.scenario ? "valid" : "located errors"}`);
        if ((l.kind === "valid" || l.kind === "near-cap") && !c.scenario) failures.push(`${where}: a bundled scenario did not check valid: ${c.failure ?? c.diagnostics[0]?.message}`);
        if (c.scenario === null && !c.failure && c.errors === 0) failures.push(`${where}: invalid without a message`);
      } catch (e) {
        failures.push(`${where}: check threw ${String(e)}`);
      }
    }
    const summary = [...tally].sort().map(([k, n]) => `  ${k}: ${n}`).join("\n");
    console.log(`${COUNT} links, ${failures.length} failures; slowest decode ${Math.round(slowestDecode)} ms, slowest check ${Math.round(slowestCheck)} ms (timings are machine noise)\n${summary}`);
    expect(failures).toEqual([]);
    expect(links.length).toBe(COUNT);
  }, 60_000 + COUNT * 1_000);
});
