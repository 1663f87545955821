// Lookups by names a scenario file gives (components, classes, regions, geo routes, enum words).
// A plain object answers `o["constructor"]` or `o["toString"]` from Object.prototype, so a name
// like `constructor` would find a function where a component was expected: every lookup of a
// user-given name goes through these own-property reads or a Map. Costs one hasOwn per lookup,
// which is why the simulator's hot loop never looks up names (it runs on indices).

/** The value stored under `key` on `record` itself, never one inherited from a prototype. */
export function own<V>(record: Readonly<Record<string, V>> | undefined, key: string): V | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Whether `record` itself has `key` (the `in` operator also sees Object.prototype). */
export function hasOwn(record: object | undefined, key: string): boolean {
  return record !== undefined && Object.hasOwn(record, key);
}

/** An empty object without a prototype, for records keyed by user-given names. */
export function dict<V>(): Record<string, V> {
  return Object.create(null) as Record<string, V>;
}
