// k6's exit codes and what each means (k6's errext/exitcodes), for the messages of failed runs.

/** What a k6 exit code means (k6's errext/exitcodes), for the message of a failed run. */
export const K6_EXIT_CODES: Record<number, string> = {
  97: "cloud test run failed",
  98: "could not get the cloud test's progress",
  99: "thresholds crossed",
  100: "setup() timed out",
  101: "teardown() timed out",
  102: "timed out",
  103: "stopped from k6's REST API",
  104: "invalid configuration (options)",
  105: "stopped (external abort: Ctrl-C, SIGTERM, or the run bound)",
  106: "k6's REST API could not start",
  107: "script exception (a syntax error or an error thrown in init, setup or teardown)",
  108: "test.abort() called",
  109: "k6 panicked",
  110: "test.fail() called",
};
