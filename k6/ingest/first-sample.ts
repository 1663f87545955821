// The load's start as the run itself records it: follows the NDJSON file a k6 run (or the built-in
// runner) is writing and reports the time of its first sample, once. The measurement window is
// counted from the file's first sample (validation/k6-window.ts firstMs), so what must happen at a
// time of the load (a scheduled region outage) is timed from the same moment, not from when the
// generator was launched (its bundling and VU start-up took 1-2 s, so an outage timed from the
// launch landed that much early). Polls every POLL_MS; a sample is known at most POLL_MS after it
// was written, and the caller schedules from the sample's own time, so the poll's delay only
// matters for events due within POLL_MS of the start.
// What it trades: the first sample written is the first request's (its completion time), which
// can be a few milliseconds after the first request was sent.
import { open, type FileHandle } from "node:fs/promises";
import { parseK6Time } from "./ingest.ts";

export const FIRST_SAMPLE_POLL_MS = 50;
/** Bytes read per poll: the first sample is within the file's first lines. */
const CHUNK_BYTES = 1 << 16;

/** The time (epoch ms) of the first `Point` line in `text`'s complete lines, or undefined. */
export function firstPointMs(text: string): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.includes('"Point"')) continue;
    try {
      const obj = JSON.parse(line) as { type?: string; data?: { time?: string } };
      if (obj.type !== "Point") continue;
      const t = parseK6Time(obj.data?.time ?? "");
      if (Number.isFinite(t)) return t;
    } catch {
      // a line still being written: the next poll reads it whole
    }
  }
  return undefined;
}

/** Calls `onFirst` once with the first sample's time; stop() ends the polling (also when none came). */
export function watchFirstSample(path: string, onFirst: (epochMs: number) => void): { stop(): void } {
  let fh: FileHandle | null = null;
  let text = "";
  let stopped = false;
  let busy = false;
  const buf = Buffer.alloc(CHUNK_BYTES);
  const poll = async () => {
    if (busy || stopped) return;
    busy = true;
    try {
      fh ??= await open(path, "r").catch(() => null);
      if (!fh) return;
      const { bytesRead } = await fh.read(buf, 0, CHUNK_BYTES, Buffer.byteLength(text));
      if (bytesRead === 0) return;
      text += buf.subarray(0, bytesRead).toString("utf8");
      const t = firstPointMs(text.slice(0, text.lastIndexOf("\n") + 1));
      if (t !== undefined && !stopped) {
        stop();
        onFirst(t);
      }
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void poll().catch(() => {}), FIRST_SAMPLE_POLL_MS);
  const stop = () => {
    stopped = true;
    clearInterval(timer);
    void fh?.close().catch(() => {});
    fh = null;
  };
  return { stop };
}
