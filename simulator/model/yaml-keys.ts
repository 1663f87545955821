// One pass over a composed YAML document that indexes every mapping's keys and finds duplicate keys.
// Why: the yaml package's `uniqueKeys` compares each new key with every earlier key of its mapping
// (40k top-level keys cost 12.7 s), and finding an error's field by scanning each mapping's pairs is
// linear per error. Here every mapping gets a Map from key value to its first pair, built once; a
// duplicate is a key already in that Map, with the same equality as yaml's check (scalar keys equal
// by value; alias and collection keys only by identity, so never duplicates; NaN never equals
// itself). Trades away: one Map per mapping held while the errors are located.
// Pure and iterative (an explicit stack): a deeply nested document cannot overflow the call stack.
import { isCollection, isMap, isPair, isScalar, isSeq, type Document, type Pair, type YAMLMap } from "yaml";
import { pathToString } from "./errors.ts";

export interface DuplicateKey {
  /** Offset of the repeated key (where yaml's own check points). */
  readonly offset: number;
  /** Field path of the repeated key, e.g. `components.api.servers`. */
  readonly path: string;
}

export interface KeyIndex {
  /** The first pair of `map` whose key is the scalar `key` (as yaml's `items.find` would return). */
  pair(map: YAMLMap, key: unknown): Pair | undefined;
  readonly duplicates: ReadonlyArray<DuplicateKey>;
}

const NO_KEY = Symbol("no key"); // a pair without a key node (yaml's `null === null` makes two of them equal)
const SKIP = Symbol("not compared");

export function indexKeys(doc: Document): KeyIndex {
  const byMap = new Map<YAMLMap, Map<unknown, Pair>>();
  const duplicates: DuplicateKey[] = [];
  // Parallel stacks: the node, and the entry of the collection holding it (for paths of duplicates).
  const nodes: unknown[] = [doc.contents];
  const owners: number[] = [0];
  // One entry per collection visited: its parent's entry and its key there (a key node or a sequence
  // index), so a path is built only for a duplicate. Entry 0 is the document root.
  const parentOf: number[] = [-1];
  const keyOf: unknown[] = [""];
  const pathOf = (entry: number, key: unknown): string => {
    const path: PropertyKey[] = [keyName(key)];
    for (let e = entry; e > 0; e = parentOf[e]) path.push(keyName(keyOf[e]));
    return pathToString(path.reverse());
  };

  while (nodes.length > 0) {
    const node = nodes.pop();
    const owner = owners.pop()!;
    if (isMap(node)) {
      const keys = new Map<unknown, Pair>();
      byMap.set(node, keys);
      for (const item of node.items) {
        const key: unknown = item.key;
        // The value a key is compared by; collection and alias keys equal only themselves: skipped.
        const value = isScalar(key) ? key.value : key === null || key === undefined ? NO_KEY : SKIP;
        if (value !== SKIP && value === value) { // NaN equals nothing, as in yaml's check
          if (!keys.has(value)) keys.set(value, item);
          else duplicates.push({ offset: offsetOfKey(item, node), path: pathOf(owner, key) });
        }
        if (isCollection(item.value)) {
          nodes.push(item.value);
          owners.push(parentOf.length);
          parentOf.push(owner);
          keyOf.push(key);
        }
        if (isCollection(key)) { nodes.push(key); owners.push(owner); }
      }
    } else if (isSeq(node)) {
      for (let i = 0; i < node.items.length; i++) {
        const item = node.items[i];
        if (!isCollection(item) && !isPair(item)) continue;
        nodes.push(item);
        owners.push(parentOf.length);
        parentOf.push(owner);
        keyOf.push(i);
      }
    } else if (isPair(node)) {
      nodes.push(node.key, node.value);
      owners.push(owner, owner);
    }
    // Scalars are leaves; aliases are followed where their anchor is defined, not again here.
  }
  return {
    pair: (map, key) => byMap.get(map)?.get(key),
    duplicates,
  };
}

type Ranged = { range?: [number, number, number] | null } | null | undefined;

function offsetOfKey(item: Pair, map: YAMLMap): number {
  return (item.key as Ranged)?.range?.[0] ?? (item.value as Ranged)?.range?.[0] ?? map.range?.[0] ?? 0;
}

function keyName(key: unknown): PropertyKey {
  return typeof key === "number" ? key : isScalar(key) ? String(key.value) : "?";
}
