// The last lines a child process wrote to stderr, kept while it runs and echoed as they come, so a
// failed run's message can repeat them (k6 in harness.ts, the built-in runner's child in
// child-runner.ts). Only the last few lines are kept: a long run's stderr is never held whole.
import type { Readable } from "node:stream";

/** How many of a child's stderr lines a failed run repeats in its message. */
export const STDERR_TAIL_LINES = 8;

/**
 * Passes `stream` through to `echo` and returns the array its last STDERR_TAIL_LINES non-empty lines
 * are kept in (complete once the stream has ended: read it on the child's "close").
 */
export function keepStderrTail(stream: Readable, echo?: { write(text: string): unknown }): string[] {
  const tail: string[] = [];
  let partial = "";
  const keep = (lines: string[]) => {
    for (const l of lines) if (l.trim()) tail.push(l);
    if (tail.length > STDERR_TAIL_LINES) tail.splice(0, tail.length - STDERR_TAIL_LINES);
  };
  stream.on("data", (b: Buffer) => {
    const text = b.toString("utf8");
    echo?.write(text);
    const lines = (partial + text).split("\n");
    partial = lines.pop()!;
    keep(lines);
  });
  stream.on("end", () => keep([partial]));
  return tail;
}
