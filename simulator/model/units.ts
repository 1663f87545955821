// Human units in scenario files: durations, rates, counts, ratios and sizes, parsed to plain numbers
// (seconds, per second, units, fractions, bytes). Each parser returns undefined on bad input so the
// schema layer can say what was expected.

const DURATION_UNITS: Record<string, number> = {
  us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, min: 60, h: 3600, d: 86400,
};
const COUNT_SUFFIX: Record<string, number> = { "": 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9 };
const SIZE_UNITS: Record<string, number> = {
  B: 1, KB: 1e3, MB: 1e6, GB: 1e9, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3,
};
const NUMBER = String.raw`([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)`;
const DURATION_RE = new RegExp(`^${NUMBER}\\s*(us|µs|ms|s|min|m|h|d)$`);
const COUNT_RE = new RegExp(`^${NUMBER}\\s*([kKMG]?)$`);
const RATE_RE = new RegExp(`^${NUMBER}\\s*([kKMG]?)\\s*/\\s*(us|ms|s|min|m|h|d)$`);
const SIZE_RE = new RegExp(`^${NUMBER}\\s*(B|KB|MB|GB|KiB|MiB|GiB)$`);
// Bandwidth in bits per second (decimal prefixes, as links are sold) or bytes per second.
const BANDWIDTH_UNITS: Record<string, number> = {
  bps: 1, kbps: 1e3, Kbps: 1e3, Mbps: 1e6, Gbps: 1e9, Tbps: 1e12,
  "bit/s": 1, "kbit/s": 1e3, "Kbit/s": 1e3, "Mbit/s": 1e6, "Gbit/s": 1e9, "Tbit/s": 1e12,
  "B/s": 8, "KB/s": 8e3, "MB/s": 8e6, "GB/s": 8e9, "KiB/s": 8 * 1024, "MiB/s": 8 * 1024 ** 2, "GiB/s": 8 * 1024 ** 3,
};
const BANDWIDTH_RE = new RegExp(`^${NUMBER}\\s*(bps|kbps|Kbps|Mbps|Gbps|Tbps|bit/s|kbit/s|Kbit/s|Mbit/s|Gbit/s|Tbit/s|B/s|KB/s|MB/s|GB/s|KiB/s|MiB/s|GiB/s)$`);

// The same grammars as JSON Schema patterns (for `headroom schema`): the parsers trim, so surrounding
// blanks are allowed; the capture groups do not matter to a validator.
const blanks = (re: RegExp) => `^\\s*${re.source.slice(1, -1)}\\s*$`;
export const UNIT_PATTERNS = {
  duration: blanks(DURATION_RE),
  rate: blanks(RATE_RE),
  count: blanks(COUNT_RE),
  ratio: `^\\s*${NUMBER}\\s*[kKMG]?(?:\\s*%)?\\s*$`, // a count, or a count with %
  size: blanks(SIZE_RE),
  bandwidth: blanks(BANDWIDTH_RE),
} as const;

/** `250ms` -> 0.25. A bare number is refused: a duration needs its unit. */
export function parseDuration(input: unknown): number | undefined {
  if (typeof input !== "string") return undefined;
  const m = DURATION_RE.exec(input.trim());
  return m ? Number(m[1]) * DURATION_UNITS[m[2]] : undefined;
}

/** `1200/s` -> 1200, `3k/m` -> 50. */
export function parseRate(input: unknown): number | undefined {
  if (typeof input !== "string") return undefined;
  const m = RATE_RE.exec(input.trim());
  return m ? (Number(m[1]) * COUNT_SUFFIX[m[2]]) / DURATION_UNITS[m[3]] : undefined;
}

/** `20k` -> 20000; plain numbers pass through. */
export function parseCount(input: unknown): number | undefined {
  if (typeof input === "number") return Number.isFinite(input) ? input : undefined;
  if (typeof input !== "string") return undefined;
  const m = COUNT_RE.exec(input.trim());
  return m ? Number(m[1]) * COUNT_SUFFIX[m[2]] : undefined;
}

/** `0.1%` -> 0.001; plain numbers are fractions already. */
export function parseRatio(input: unknown): number | undefined {
  if (typeof input === "number") return Number.isFinite(input) ? input : undefined;
  if (typeof input !== "string") return undefined;
  const s = input.trim();
  if (s.endsWith("%")) {
    const n = parseCount(s.slice(0, -1));
    return n === undefined ? undefined : n / 100;
  }
  return parseCount(s);
}

/** `1KB` -> 1000, `4MiB` -> 4194304; plain numbers are bytes. */
export function parseSize(input: unknown): number | undefined {
  if (typeof input === "number") return Number.isFinite(input) ? input : undefined;
  if (typeof input !== "string") return undefined;
  const m = SIZE_RE.exec(input.trim());
  return m ? Number(m[1]) * SIZE_UNITS[m[2]] : undefined;
}

/** A size that must carry its unit (`64KB`; a bare number is refused): payload sizes. */
export function parseSizeWithUnit(input: unknown): number | undefined {
  return typeof input === "string" ? parseSize(input) : undefined;
}

/** `1Gbps` -> 1e9, `125MB/s` -> 1e9: bits per second. A bare number is refused. */
export function parseBandwidth(input: unknown): number | undefined {
  if (typeof input !== "string") return undefined;
  const m = BANDWIDTH_RE.exec(input.trim());
  return m ? Number(m[1]) * BANDWIDTH_UNITS[m[2]] : undefined;
}

/** Bytes back to a readable size, for messages and tables. */
export function formatSize(bytes: number): string {
  const abs = Math.abs(bytes);
  if (abs >= 1e9) return `${round(bytes / 1e9)}GB`;
  if (abs >= 1e6) return `${round(bytes / 1e6)}MB`;
  if (abs >= 1e3) return `${round(bytes / 1e3)}KB`;
  return `${round(bytes)}B`;
}

/** Bits per second back to a readable bandwidth. */
export function formatBandwidth(bits: number): string {
  const abs = Math.abs(bits);
  if (abs >= 1e9) return `${round(bits / 1e9)}Gbps`;
  if (abs >= 1e6) return `${round(bits / 1e6)}Mbps`;
  if (abs >= 1e3) return `${round(bits / 1e3)}kbps`;
  return `${round(bits)}bps`;
}

/** Seconds back to the shortest readable unit, for messages and tables. */
export function formatDuration(seconds: number): string {
  const abs = Math.abs(seconds);
  if (abs === 0) return "0s";
  if (abs < 1e-3) return `${round(seconds * 1e6)}us`;
  if (abs < 1) return `${round(seconds * 1e3)}ms`;
  if (abs < 120) return `${round(seconds)}s`;
  if (abs < 7200) return `${round(seconds / 60)}m`;
  return `${round(seconds / 3600)}h`;
}

function round(x: number): number {
  return Number(x.toPrecision(4));
}
