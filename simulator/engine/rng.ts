// Seeded random numbers: xoshiro128** (Blackman and Vigna), 32-bit state words in an Int32Array so
// nothing is boxed. Every component and purpose draws from its own stream, seeded from a hash of
// (run seed, replication, stream name): changing one component's parameters leaves the numbers of
// all the others unchanged, which gives common random numbers when two variants are compared.

/** What a sampler draws from: uniform numbers on the open interval (0, 1). Rng is one; the k6
 * scripts adapt Math.random (simulator/random.ts). */
export interface Uniform {
  next(): number;
}

export class Rng implements Uniform {
  private readonly s = new Int32Array(4);

  constructor(seed: number, replication: number, stream: string) {
    // splitmix32 over a hash of the stream identity fills the state; never all zero.
    let h = hashString(`${seed >>> 0}:${replication >>> 0}:${stream}`);
    for (let i = 0; i < 4; i++) {
      h = (h + 0x9e3779b9) | 0;
      let z = h;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      this.s[i] = z ^ (z >>> 16);
    }
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
  }

  /** A uniform 32-bit integer as a non-negative number. */
  nextU32(): number {
    const s = this.s;
    const s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    s[1] = s1 ^ n2;
    s[0] = s0 ^ n3;
    s[2] = n2 ^ t;
    s[3] = rotl(n3, 11);
    return r >>> 0;
  }

  /** Uniform on the open interval (0, 1): never 0 or 1, so log() of it is always finite. */
  next(): number {
    return (this.nextU32() + 0.5) * 2.3283064365386963e-10;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** FNV-1a, then a murmur3 finalizer: a well-mixed 32-bit hash of a string. */
export function hashString(str: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < str.length; i++) {
    h ^= str.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}
