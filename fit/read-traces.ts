// Opens a trace file and hands it to the reader of its format, found from its first characters:
// `{"resourceSpans"` (OTLP/JSON lines), `{` with "data" (Jaeger), `[` (Zipkin v2). The file is read
// as a stream (lines or 64 KiB chunks), never whole. Node-only (node:fs), beside the pure readers.
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { createInterface } from "node:readline";
import { readOtlpLines } from "./read-otlp.ts";
import { readJaeger } from "./read-jaeger.ts";
import { readZipkin } from "./read-zipkin.ts";
import type { Notes, Span } from "./span.ts";

export type TraceFormat = "otlp" | "jaeger" | "zipkin";
export const TRACE_FORMATS: ReadonlyArray<TraceFormat> = ["otlp", "jaeger", "zipkin"];

/** The format from the first 4 KiB of text, or undefined when it is none of the three. */
export function sniffFormat(head: string): TraceFormat | undefined {
  const t = head.replace(/^\uFEFF/, "").trimStart();
  if (t.startsWith("[")) return "zipkin";
  if (!t.startsWith("{")) return undefined;
  if (/^\{\s*"resourceSpans"/.test(t)) return "otlp";
  if (/^\{\s*"data"/.test(t)) return "jaeger";
  // Key order is free in JSON: look further into the head.
  if (t.includes('"resourceSpans"')) return "otlp";
  if (t.includes('"traceID"') || t.includes('"data"')) return "jaeger";
  return undefined;
}

async function headOf(file: string): Promise<string> {
  const fh = await open(file, "r");
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead).toString("utf8");
  } finally {
    await fh.close();
  }
}

/** Reads every span of `file` (format sniffed unless given); what was dropped goes to `notes`. */
export async function readTraceFile(file: string, notes: Notes, format?: TraceFormat): Promise<{ format: TraceFormat; spans: Span[] }> {
  const f = format ?? sniffFormat(await headOf(file));
  if (!f) throw new TraceFormatError(file, "not OTLP/JSON lines, Jaeger JSON ({\"data\": [...]}) or Zipkin v2 JSON ([...]); pass --format to say which");
  const spans: Span[] = [];
  if (f === "otlp") {
    const rl = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
    await readOtlpLines(rl, file, notes, spans);
  } else {
    const stream = createReadStream(file, { encoding: "utf8", highWaterMark: 64 * 1024 }) as AsyncIterable<string>;
    await (f === "jaeger" ? readJaeger : readZipkin)(stream, file, notes, spans);
  }
  return { format: f, spans };
}

export class TraceFormatError extends Error {
  constructor(readonly file: string, reason: string) {
    super(`${file}: ${reason}`);
  }
}
