// An exact LRU cache over integer keys with optional TTL: a doubly linked list threaded through
// typed arrays plus a key -> slot index, so get, set and eviction are O(1) and allocate nothing.
// Keys are the request keys of the scenario (0..keySpace-1).
// A slot's fields (when stored, previous, next, key) sit together in one 24-byte record (the same
// bytes as four arrays): with a million keys a hit's slot, and its neighbours in the list, are
// cache misses, and one or two lines per slot rather than one per field array (four) save most.

// Per slot: f64[slot * 3] when stored; i32[slot * 6 + PREV | NEXT | KEY].
const PREV = 2, NEXT = 3, KEY = 4;

export class LruCache {
  private readonly slotOf: Int32Array; // key -> slot, -1 when absent
  private readonly f64: Float64Array; // the slots' records, as doubles (when stored)
  private readonly i32: Int32Array; // the same records, as ints (previous, next, key)
  private readonly slots: number;
  private readonly freeSlots: Int32Array; // slots emptied by expiry or delete, reused first
  private nFree = 0;
  private fresh = 0; // slots never used yet start here
  private head = -1; // most recently used
  private tail = -1; // least recently used
  private used = 0;
  readonly capacity: number;
  private readonly ttl: number;
  evictions = 0;
  expirations = 0;

  constructor(capacity: number, keySpace: number, ttl = Infinity) {
    this.capacity = capacity;
    this.ttl = ttl;
    this.slotOf = new Int32Array(keySpace).fill(-1);
    const n = Math.min(capacity, keySpace);
    this.slots = n;
    const records = new ArrayBuffer(n * 24);
    this.f64 = new Float64Array(records);
    this.i32 = new Int32Array(records);
    this.freeSlots = new Int32Array(n);
  }

  get size(): number {
    return this.used;
  }

  /** True on a hit (and the key becomes most recent); an expired entry is removed and misses. */
  get(key: number, now: number): boolean {
    const slot = this.slotOf[key];
    if (slot < 0) return false;
    if (now - this.f64[slot * 3] >= this.ttl) {
      this.expirations++;
      this.remove(slot);
      return false;
    }
    this.moveToHead(slot);
    return true;
  }

  set(key: number, now: number): void {
    let slot = this.slotOf[key];
    if (slot >= 0) {
      this.f64[slot * 3] = now;
      this.moveToHead(slot);
      return;
    }
    if (this.used < this.slots) {
      slot = this.nFree > 0 ? this.freeSlots[--this.nFree] : this.fresh++;
      this.used++;
    } else {
      slot = this.tail;
      this.unlink(slot);
      this.slotOf[this.i32[slot * 6 + KEY]] = -1;
      this.evictions++;
    }
    this.i32[slot * 6 + KEY] = key;
    this.slotOf[key] = slot;
    this.f64[slot * 3] = now;
    this.linkHead(slot);
  }

  delete(key: number): void {
    const slot = this.slotOf[key];
    if (slot >= 0) this.remove(slot);
  }

  /** Empties the cache (a flush, or a node lost and back cold). */
  clear(): void {
    const i32 = this.i32;
    for (let s = this.head; s >= 0; s = i32[s * 6 + NEXT]) this.slotOf[i32[s * 6 + KEY]] = -1;
    this.used = 0;
    this.nFree = 0;
    this.fresh = 0;
    this.head = this.tail = -1;
  }

  private remove(slot: number): void {
    this.unlink(slot);
    this.slotOf[this.i32[slot * 6 + KEY]] = -1;
    this.used--;
    this.freeSlots[this.nFree++] = slot;
  }

  private moveToHead(slot: number): void {
    if (this.head === slot) return;
    this.unlink(slot);
    this.linkHead(slot);
  }

  private unlink(slot: number): void {
    const i32 = this.i32;
    const p = i32[slot * 6 + PREV], n = i32[slot * 6 + NEXT];
    if (p >= 0) i32[p * 6 + NEXT] = n; else this.head = n;
    if (n >= 0) i32[n * 6 + PREV] = p; else this.tail = p;
  }

  private linkHead(slot: number): void {
    const i32 = this.i32;
    i32[slot * 6 + PREV] = -1;
    i32[slot * 6 + NEXT] = this.head;
    if (this.head >= 0) i32[this.head * 6 + PREV] = slot;
    this.head = slot;
    if (this.tail < 0) this.tail = slot;
  }
}
