// A request body of a drawn size (the class's request_size): the class's own body (a JSON object)
// with a "pad" field of x's that brings it to exactly that many bytes, or {"pad":"..."} when the
// class has none. The service reads and ignores the field (an order's parser takes product and
// quantity only), so the bytes cross the wire as the model counts them and change nothing else.
// A body already at least that size is sent as is. Runs inside k6 (no Buffer): sizes are UTF-8
// bytes counted by hand. Trades away: the body is all one letter, so it compresses to nothing
// (neither k6 nor the app compresses requests).

const CHUNK = "x".repeat(65536);

/** UTF-8 length of a string, in bytes. */
export function utf8Bytes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4; // a surrogate pair: one 4-byte code point
      i++;
    } else n += 3;
  }
  return n;
}

function xs(n: number): string {
  let out = "";
  for (let i = 0; i < Math.floor(n / CHUNK.length); i++) out += CHUNK;
  return out + CHUNK.slice(0, n % CHUNK.length);
}

/**
 * `body` (a JSON object's text, or null for none) padded to `bytes` bytes. A body that is not a
 * JSON object gets trailing spaces instead (JSON and text alike ignore them).
 */
export function padBody(body: string | null, bytes: number): string {
  const want = Math.max(0, Math.round(bytes));
  const text = body === null ? "{}" : body;
  const have = utf8Bytes(text);
  const trimmed = text.replace(/\s+$/, "");
  const isObject = /^\s*\{/.test(text) && trimmed.endsWith("}");
  if (!isObject) return have >= want ? text : text + " ".repeat(want - have);
  const empty = /^\{\s*\}$/.test(trimmed.trim());
  const field = empty ? '"pad":""' : ',"pad":""';
  const base = utf8Bytes(trimmed) + field.length;
  if (base > want) return text;
  return `${trimmed.slice(0, -1)}${empty ? "" : ","}"pad":"${xs(want - base)}"}`;
}
