// Where a compiled entry point sits when this code runs from the CLI bundle (bin/cli-bundle.mjs):
// a worker thread started from the bundle runs the bundled worker, not the TypeScript one through
// tsx (which would transpile the simulator again in every thread). Under tsx and vitest the build
// constant is undefined and callers use their TypeScript entry, so tests exercise the sources.
declare const HEADROOM_BUNDLE_URL: string | undefined;

/** The URL of `file` beside the running bundle, or undefined when not running from the bundle. */
export function bundledEntry(file: string): URL | undefined {
  return typeof HEADROOM_BUNDLE_URL === "string" ? new URL(file, HEADROOM_BUNDLE_URL) : undefined;
}
