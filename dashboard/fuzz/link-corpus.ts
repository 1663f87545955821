// Hostile share links for the dashboard's loader, generated from a seed (the same seed gives the
// same links): random bytes and characters, links cut short or with flipped characters, deflate
// bombs, fragments over the length cap, the bundled scenarios with prototype names (constructor,
// __proto__, ...) put in name, enum and value positions, garbage text, YAML alias bombs and deep
// nesting, and the bundled scenarios as they are. Node-only (zlib makes the bombs): a test
// input, not part of the page. Trade-off: bombs are made once per size and reused, so the corpus
// holds few distinct bombs.
import { deflateRawSync } from "node:zlib";
import { presets } from "../src/scenarios.ts";
import { MAX_FRAGMENT_CHARS } from "../src/url-state.ts";
import { MAX_SCENARIO_CHARS } from "../../simulator/model/index.ts";
import { seededUniform } from "../../simulator/random.ts";

export type LinkKind =
  | "valid" | "truncated" | "flipped" | "random-bytes" | "random-chars" | "bomb" | "huge"
  | "prototype" | "garbage-text" | "alias-bomb" | "deep-nesting" | "near-cap";

export interface HostileLink {
  readonly kind: LinkKind;
  /** the location hash, with its leading # */
  readonly hash: string;
  /** the text inside, when the link is intact (valid, prototype, garbage-text, ...) */
  readonly text?: string;
}

export const PROTOTYPE_NAMES = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "prototype", "__defineGetter__", "isPrototypeOf"];


const link = (text: string) => "#s=" + deflateRawSync(Buffer.from(text, "utf8")).toString("base64url");

let bombs: string[] | undefined;
/** 20 MB of zeros, 100 MB of one letter, 60 MB of one YAML line: 20 kB to 100 kB of link each. */
function bombLinks(): string[] {
  return (bombs ??= [
    Buffer.alloc(20 << 20, 0),
    Buffer.alloc(100 << 20, "a"),
    Buffer.from("    service: { dist: exponential, mean: 20ms }\n".repeat((60 << 20) / 47)),
  ].map((b) => "#s=" + deflateRawSync(b, { level: 9 }).toString("base64url")));
}

/** Every position of `pattern` in text replaced, or one chosen at random. */
function replaceSome(text: string, pattern: RegExp, by: string, r: () => number): string {
  const hits = [...text.matchAll(pattern)];
  if (hits.length === 0) return text;
  if (r() < 0.3) return text.replace(pattern, by);
  const h = hits[Math.floor(r() * hits.length)];
  return text.slice(0, h.index) + by + text.slice(h.index! + h[0].length);
}

export function hostileLinks(count: number, seed = 1): HostileLink[] {
  const r = seededUniform(seed, "link-corpus");
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(xs: ReadonlyArray<T>): T => xs[int(xs.length)];
  const out: HostileLink[] = [];
  const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (let i = 0; i < count; i++) {
    const p = pick(presets);
    switch (i % 12) {
      case 0: out.push({ kind: "valid", hash: link(p.text), text: p.text }); break;
      case 1: { const h = link(p.text); out.push({ kind: "truncated", hash: h.slice(0, 3 + int(h.length - 3)) }); break; }
      case 2: {
        const chars = [...link(p.text)];
        for (let k = 1 + int(5); k > 0; k--) chars[3 + int(chars.length - 3)] = pick([...B64]);
        out.push({ kind: "flipped", hash: chars.join("") });
        break;
      }
      case 3: {
        const n = Math.floor(Math.exp(r() * Math.log(400_000)));
        out.push({ kind: "random-bytes", hash: "#s=" + Buffer.from(Array.from({ length: n }, () => int(256))).toString("base64url") });
        break;
      }
      case 4: {
        const alphabet = B64 + "%+/= \n\t#?&<>\"'\\é日\u0000\uffff";
        out.push({ kind: "random-chars", hash: "#s=" + Array.from({ length: int(5000) }, () => pick([...alphabet])).join("") });
        break;
      }
      case 5: out.push({ kind: "bomb", hash: pick(bombLinks()) }); break;
      case 6: out.push({ kind: "huge", hash: "#s=" + "A".repeat(MAX_FRAGMENT_CHARS + 1 + int(1_000_000)) }); break;
      case 7: {
        const name = pick(PROTOTYPE_NAMES);
        const where = int(5);
        let text = p.text;
        if (where === 0) text = replaceSome(text, /dist: \w+/g, `dist: ${name}`, r);
        else if (where === 1) text = replaceSome(text, /kind: \w+/g, `kind: ${name}`, r);
        else if (where === 2) text = replaceSome(text, /^ {2}(\w+):/gm, `  ${name}:`, r); // a component or section name
        else if (where === 3) text = replaceSome(text, /^ {4}(\w+):/gm, `    ${name}:`, r); // a class or field name
        else text = replaceSome(text, /: [\w./%]+$/gm, `: ${name}`, r); // any scalar value
        out.push({ kind: "prototype", hash: link(text), text });
        break;
      }
      case 8: {
        const text = Array.from({ length: int(3000) }, () => String.fromCodePoint(pick([int(128), 0x20 + int(0x60), 0x4e00 + int(500), 0x1f600 + int(50)]))).join("");
        out.push({ kind: "garbage-text", hash: link(text), text });
        break;
      }
      case 9: {
        let text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
        for (let k = 1; k < 12; k++) text += `${String.fromCharCode(97 + k)}: &${String.fromCharCode(97 + k)} [${Array(10).fill(`*${String.fromCharCode(96 + k)}`).join(", ")}]\n`;
        out.push({ kind: "alias-bomb", hash: link(text), text });
        break;
      }
      case 10: {
        const depth = 1000 + int(50_000);
        const text = r() < 0.5 ? "[".repeat(depth) + "]".repeat(depth) : Array.from({ length: Math.min(depth, 1200) }, (_, k) => " ".repeat(k) + "k:").join("\n");
        out.push({ kind: "deep-nesting", hash: link(text), text });
        break;
      }
      default: {
        // Rare and slow to check: a valid scenario padded with comments to just under the smaller cap
        // (the parser's MAX_SCENARIO_CHARS, below the link's 1 MB: a longer link decodes, then is refused).
        if (i % 120 !== 11) { out.push({ kind: "valid", hash: link(p.text), text: p.text }); break; }
        const pad = "# padding to make a large but valid link 0123456789\n";
        const text = pad.repeat(Math.floor((Math.min(1 << 20, MAX_SCENARIO_CHARS) - p.text.length - 100) / pad.length)) + p.text;
        out.push({ kind: "near-cap", hash: link(text), text });
      }
    }
  }
  return out;
}
