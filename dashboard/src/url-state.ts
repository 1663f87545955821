// The scenario in the URL: YAML text deflated (CompressionStream, raw deflate) and base64url-encoded
// into the fragment as #s=..., so a link carries the whole model and never reaches a server.
// A link is hostile input: its fragment length is capped before anything is decoded, and it is
// inflated in 1 KB slices through a stream that is cancelled as soon as the output passes
// MAX_SCENARIO_BYTES, so a deflate bomb costs about a megabyte, not the gigabyte it inflates to.
// Trade-off: a scenario over 1 MB cannot travel in a link (none of scenarios/ is over 20 kB).

const PREFIX = "s=";

/** The most a link's scenario may inflate to (UTF-8 bytes). */
export const MAX_SCENARIO_BYTES = 1 << 20;
/** The longest fragment decoded: base64url of the deflate of MAX_SCENARIO_BYTES of text that does
 * not compress at all (deflate's stored blocks add 5 bytes per 64 KB; 1 KB of slack covers it). */
export const MAX_FRAGMENT_CHARS = PREFIX.length + Math.ceil(((MAX_SCENARIO_BYTES + 1024) * 4) / 3);
/** Compressed bytes fed to the inflater at a time: deflate expands at most ~1032x, so one slice
 * yields at most about a megabyte before the cap is checked again. */
const SLICE_BYTES = 1024;

/** A link that cannot become a scenario; the message says why, for the page's banner. */
export class LinkError extends Error {
  constructor(readonly reason: "too-long" | "too-large" | "corrupt", message: string) {
    super(message);
  }
}

const MB = (n: number) => `${(n / (1 << 20)).toFixed(n % (1 << 20) === 0 ? 0 : 1)} MB`;

function toBase64Url(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(s: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) throw new Error("not base64url");
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const out = new Response(new Blob([bytes as BlobPart]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

/** Inflates raw deflate, stopping (and cancelling the stream) once the output passes `cap` bytes. */
export async function inflateCapped(bytes: Uint8Array, cap: number): Promise<Uint8Array> {
  let at = 0;
  // highWaterMark 0: a slice is handed over only when the inflater asks for one.
  const source = new ReadableStream<BufferSource>({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.slice(at, at + SLICE_BYTES));
      at += SLICE_BYTES;
    },
  }, { highWaterMark: 0 });
  const reader = source.pipeThrough(new DecompressionStream("deflate-raw")).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > cap) {
        await reader.cancel().catch(() => {});
        throw new LinkError("too-large", `the link's scenario inflates to more than ${MB(cap)}, the most a link may carry; decompression was stopped there`);
      }
      chunks.push(value);
    }
  } catch (e) {
    if (e instanceof LinkError) throw e;
    throw new LinkError("corrupt", "the link's scenario cannot be decompressed; it was probably cut short when copied");
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) { out.set(c, o); o += c.length; }
  return out;
}

export async function encodeScenario(text: string): Promise<string> {
  const packed = await pipe(new TextEncoder().encode(text), new CompressionStream("deflate-raw"));
  return PREFIX + toBase64Url(packed);
}

/** The scenario text in a location hash, null when there is none; a LinkError for a link that is
 * damaged, too long, or inflates past MAX_SCENARIO_BYTES. Never throws anything else. */
export async function decodeScenario(hash: string): Promise<string | null> {
  const h = hash.startsWith("#") ? hash.slice(1) : hash;
  if (!h.startsWith(PREFIX)) return null;
  if (h.length > MAX_FRAGMENT_CHARS) {
    throw new LinkError("too-long", `the link's scenario part is ${h.length.toLocaleString("en-US")} characters, more than the ${MAX_FRAGMENT_CHARS.toLocaleString("en-US")} a ${MB(MAX_SCENARIO_BYTES)} scenario needs; it was not decoded`);
  }
  let bytes: Uint8Array;
  try {
    bytes = fromBase64Url(h.slice(PREFIX.length));
  } catch {
    throw new LinkError("corrupt", "the link's scenario is not valid base64url; it was probably cut short when copied");
  }
  const raw = await inflateCapped(bytes, MAX_SCENARIO_BYTES);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(raw);
  } catch {
    throw new LinkError("corrupt", "the link's scenario is not UTF-8 text; the link is damaged");
  }
}
