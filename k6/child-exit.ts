// A load generator's child process (k6, or the built-in runner in its own process) waited for with
// a bound: past maxRunMs, or when the caller aborts, it gets SIGINT, which stops its VUs and still
// writes its outputs, as on Ctrl-C. Shared by harness.ts and child-runner.ts so both end the same way.
import type { ChildProcess } from "node:child_process";

/** Exit code given for a child ended by a signal without a code of its own (k6's "externally aborted"). */
const SIGNALLED = 105;

/** Resolves with the child's exit code on "close" (after its stderr has ended, so a kept tail is complete). */
export function waitForChild(child: ChildProcess, maxRunMs: number, signal?: AbortSignal): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const stop = () => child.kill("SIGINT");
    const bound = setTimeout(stop, maxRunMs);
    signal?.addEventListener("abort", stop);
    child.once("error", (e) => {
      clearTimeout(bound);
      signal?.removeEventListener("abort", stop);
      reject(e);
    });
    child.once("close", (c, sig) => {
      clearTimeout(bound);
      signal?.removeEventListener("abort", stop);
      resolve(c ?? (sig ? SIGNALLED : 1));
    });
  });
}
