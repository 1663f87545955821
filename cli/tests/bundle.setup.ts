// vitest globalSetup: builds the CLI bundle (bin/cli-bundle.mjs) once before the tests when it is
// missing or stale, so the tests that spawn `headroom` start the compiled CLI (about 0.2 s of CPU a
// spawn instead of tsx's second) and none of them pays for, or races, the first build.
import { bundleFresh, buildBundle } from "../../bin/cli-bundle.mjs";

export default async function setup(): Promise<void> {
  if (!bundleFresh()) await buildBundle();
}
