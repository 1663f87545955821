// Follows the NDJSON file a k6 run is writing (k6's `--out json`, or the built-in runner's) and
// hands out its one-second intervals as they complete (intervals.ts): the live dashboard reads the
// run's own output, so k6 and the built-in runner stream the same way, and the figures are those
// of the file the end-of-run readers use. Polls every POLL_MS; a file not written yet is waited
// for. stop() reads what is left and hands out the last intervals.
import { open, type FileHandle } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";
import { IntervalAggregator, type MeasuredInterval } from "./intervals.ts";

export const POLL_MS = 250;
/** Read at most this much per poll, so a poll never holds the event loop (the built-in runner shares it) for long. */
const CHUNK_BYTES = 1 << 20;

export interface NdjsonTail {
  /** Reads the rest of the file, hands out the remaining intervals and stops polling. */
  stop(): Promise<void>;
}

export function tailNdjson(path: string, onInterval: (iv: MeasuredInterval) => void): NdjsonTail {
  const agg = new IntervalAggregator();
  const buf = Buffer.alloc(CHUNK_BYTES);
  let fh: FileHandle | null = null;
  let offset = 0;
  let rest = "";
  // a character split between two reads is joined again
  const decoder = new StringDecoder("utf8");
  let busy: Promise<void> = Promise.resolve();
  let stopped = false;

  const emit = (final: boolean) => {
    for (const iv of agg.take(final)) onInterval(iv);
  };
  const readSome = async (all: boolean): Promise<void> => {
    if (!fh) {
      try {
        fh = await open(path, "r");
      } catch {
        return; // not created yet
      }
    }
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK_BYTES, offset);
      if (bytesRead === 0) return;
      offset += bytesRead;
      const lines = (rest + decoder.write(buf.subarray(0, bytesRead))).split("\n");
      rest = lines.pop()!;
      for (const l of lines) {
        if (!l) continue;
        try {
          agg.add(JSON.parse(l));
        } catch {
          // a broken line is the end-of-run reader's to report, with its number
        }
      }
      if (!all) return;
    }
  };
  const poll = () => {
    busy = busy.then(() => readSome(false)).then(() => emit(false), () => {});
  };
  const timer = setInterval(poll, POLL_MS);
  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await busy;
      try {
        await readSome(true);
        if (rest) {
          try {
            agg.add(JSON.parse(rest));
          } catch {
            // an unterminated last line
          }
          rest = "";
        }
      } finally {
        await fh?.close();
        fh = null;
      }
      emit(true);
    },
  };
}
