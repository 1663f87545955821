// An exact LRU cache over integer keys with optional TTL: a doubly linked list threaded through
// typed arrays plus a key -> slot index, so get, set and eviction are O(1) and allocate nothing.
// Keys are the request keys of the scenario (0..keySpace-1).

export class LruCache {
  private readonly slotOf: Int32Array; // key -> slot, -1 when absent
  private readonly keyOf: Int32Array;
  private readonly prev: Int32Array;
  private readonly next: Int32Array;
  private readonly storedAt: Float64Array;
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
    this.keyOf = new Int32Array(n);
    this.prev = new Int32Array(n);
    this.next = new Int32Array(n);
    this.storedAt = new Float64Array(n);
    this.freeSlots = new Int32Array(n);
  }

  get size(): number {
    return this.used;
  }

  /** True on a hit (and the key becomes most recent); an expired entry is removed and misses. */
  get(key: number, now: number): boolean {
    const slot = this.slotOf[key];
    if (slot < 0) return false;
    if (now - this.storedAt[slot] >= this.ttl) {
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
      this.storedAt[slot] = now;
      this.moveToHead(slot);
      return;
    }
    if (this.used < this.keyOf.length) {
      slot = this.nFree > 0 ? this.freeSlots[--this.nFree] : this.fresh++;
      this.used++;
    } else {
      slot = this.tail;
      this.unlink(slot);
      this.slotOf[this.keyOf[slot]] = -1;
      this.evictions++;
    }
    this.keyOf[slot] = key;
    this.slotOf[key] = slot;
    this.storedAt[slot] = now;
    this.linkHead(slot);
  }

  delete(key: number): void {
    const slot = this.slotOf[key];
    if (slot >= 0) this.remove(slot);
  }

  /** Empties the cache (a flush, or a node lost and back cold). */
  clear(): void {
    for (let s = this.head; s >= 0; s = this.next[s]) this.slotOf[this.keyOf[s]] = -1;
    this.used = 0;
    this.nFree = 0;
    this.fresh = 0;
    this.head = this.tail = -1;
  }

  private remove(slot: number): void {
    this.unlink(slot);
    this.slotOf[this.keyOf[slot]] = -1;
    this.used--;
    this.freeSlots[this.nFree++] = slot;
  }

  private moveToHead(slot: number): void {
    if (this.head === slot) return;
    this.unlink(slot);
    this.linkHead(slot);
  }

  private unlink(slot: number): void {
    const p = this.prev[slot], n = this.next[slot];
    if (p >= 0) this.next[p] = n; else this.head = n;
    if (n >= 0) this.prev[n] = p; else this.tail = p;
  }

  private linkHead(slot: number): void {
    this.prev[slot] = -1;
    this.next[slot] = this.head;
    if (this.head >= 0) this.prev[this.head] = slot;
    this.head = slot;
    if (this.tail < 0) this.tail = slot;
  }
}
