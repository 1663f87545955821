// The text form of a job's result, the same whichever way it travels (a worker thread's message,
// a BullMQ return value stored in Redis): JSON, with the non-finite numbers JSON cannot hold
// (an overloaded class's p99 is Infinity) written as {"$nonFinite": "Infinity"}. Every runner
// decodes this same text, so a result is byte-identical however it ran. Trades a few bytes per
// job and a parse for not keeping a second, structured transport.

const TAG = "$nonFinite";

export function encode(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === "number" && !Number.isFinite(v) ? { [TAG]: String(v) } : v));
}

export function decode<T>(text: string): T {
  return JSON.parse(text, (_key, v) => (v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 1 && typeof v[TAG] === "string" ? Number(v[TAG]) : v)) as T;
}
