// The script's `console`, as k6 has it: log/info/warn/error write one logrus text line each to stderr
// (`time="..." level=info msg="..." source=console`), never to stdout, where the end-of-test summary and
// handleSummary's output go. Arguments are joined with spaces, objects as JSON, as k6's console.go does.
// `console.debug` prints nothing, as k6 at its default log level (no --verbose). Trade-off: the lines
// use logrus's non-terminal format even on a terminal, where k6 would print `INFO[0003] ...`.
import { goTimeJSON } from "./output/ndjson.ts";

export interface K6Console {
  log(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  debug(...args: unknown[]): void;
}

/** One argument as k6 prints it: a value with a JSON form (objects, arrays) as JSON, else its string. */
function valueString(v: unknown): string {
  if (v !== null && typeof v === "object") {
    try {
      const json = JSON.stringify(v);
      if (json !== undefined) return json;
    } catch {
      // cyclic: fall back to the string form, as k6 does when marshalling fails
    }
  }
  return String(v);
}

/** logrus quotes a value unless it only has letters, digits and -._/@^+ (TextFormatter.needsQuoting). */
function logrusValue(s: string): string {
  return s !== "" && /^[A-Za-z0-9\-._/@^+]+$/.test(s) ? s : JSON.stringify(s);
}

export function k6Console(write: (line: string) => void): K6Console {
  const emit = (level: string, args: unknown[]) => {
    const msg = args.map(valueString).join(" ");
    write(`time="${goTimeJSON(Math.floor(Date.now() / 1000) * 1000)}" level=${level} msg=${logrusValue(msg)} source=console\n`);
  };
  return {
    log: (...a) => emit("info", a),
    info: (...a) => emit("info", a),
    warn: (...a) => emit("warning", a),
    error: (...a) => emit("error", a),
    debug: () => {},
  };
}
